/** The typed contract between dashboard/server and dashboard/web: REST payloads and socket.io events. */

export type VehicleStatus = 'moving' | 'idle' | 'stopped' | 'noUpdate' | 'never'

export interface LivePosition {
  fixTime: string
  latitude: number
  longitude: number
  speedKmh?: number
  course?: number
  ignition?: boolean
  satellites?: number
  externalVoltageV?: number
  batteryVoltageV?: number
}

/** One element of `GET /api/devices`, and the payload of the socket.io `vehicle` event. */
export interface DeviceSummary {
  imei: string
  protocol: string
  vehicleId: number | null
  name: string
  connected: boolean
  lastSeen: string | null
  status: VehicleStatus
  position: LivePosition | null
  /** Current mileage and engine hours of the device's vehicle (the set values, accumulated since); always sent by the server. */
  odometerKm?: number
  engineHoursH?: number
}

/** One element of `GET /api/devices/:imei/positions`; a record that carried no coordinates has none here either. */
export interface StoredPosition extends Omit<LivePosition, 'latitude' | 'longitude'> {
  latitude?: number
  longitude?: number
  buffered: boolean
  valid: boolean
  receivedAt: string
}

export const ALERT_TYPES = ['powerDisconnect', 'harshBraking', 'harshCornering', 'harshAcceleration', 'noUpdate', 'ignitionWiring'] as const
export type AlertType = (typeof ALERT_TYPES)[number]

/** A customer's service location near an alert (within the Customer Radius). */
export interface AlertPlace {
  customerId: number
  customerName: string
  locationId: number
  name: string
  address: string
  distanceMi: number
}

/** One element of `GET /api/alerts`, and the payload of the socket.io `alert` event. */
export interface Alert {
  id: number
  type: AlertType
  imei: string
  vehicleId: number | null
  /** When it happened (the record's fix time; for noUpdate, when the threshold was crossed). */
  time: string
  latitude: number | null
  longitude: number | null
  /** Raised from buffered history: it happened earlier than it was reported. */
  delayed: boolean
  places: AlertPlace[]
  /** Type-specific facts: e.g. `source` (deviceEvent, voltageDrop, accelerometer, fixes), `g`, `probableDeviceReset`. */
  details: Record<string, unknown>
  clearedAt: string | null
  acknowledgedAt: string | null
}

/** Alert types whose rules may set a force threshold (`thresholdG`). */
export const HARSH_ALERT_TYPES = ['harshBraking', 'harshCornering', 'harshAcceleration'] as const satisfies readonly AlertType[]

/** How people read each alert type (dropdowns, email subjects, SMS). */
export const ALERT_TYPE_LABELS: Record<AlertType, string> = {
  powerDisconnect: 'Power disconnect',
  harshBraking: 'Harsh braking',
  harshCornering: 'Harsh cornering',
  harshAcceleration: 'Quick acceleration',
  noUpdate: 'No update',
  ignitionWiring: 'Moving with ignition off',
}

/** One element of `GET /api/vehicles`. A vehicle without a device reports no data (orange on the map). */
export interface Vehicle {
  id: number
  name: string
  deviceImei: string | null
  hasDevice: boolean
  /** Current mileage and engine hours: the values an office user set, accumulated since `countersSetAt`. */
  odometerKm: number
  engineHoursH: number
  countersSetAt: string | null
}

/** Body of `POST /api/vehicles`; `PUT /api/vehicles/:id` takes any of its fields (`deviceImei: null` unassigns). */
export interface VehicleInput {
  name: string
  deviceImei?: string | null
}

/** Body of `PUT /api/vehicles/:id/counters`: the vehicle's current mileage and engine hours. */
export interface VehicleCounters {
  odometerKm: number
  engineHoursH: number
}

export interface Customer {
  id: number
  name: string
  createdAt: string
}

/** A customer's service location: alerts within the Customer Radius of it list it among their places. */
export interface ServiceLocation {
  id: number
  customerId: number
  name: string
  address: string
  latitude: number
  longitude: number
}

/** `GET /api/customers/:id`. */
export interface CustomerDetail extends Customer {
  locations: ServiceLocation[]
}

/** `GET /api/settings`, body of `PUT /api/settings`. */
export interface Settings {
  /** Service locations within this distance of an alert are its places. */
  customerRadiusMi: number
}

/** Body of `POST /api/alert-rules`; `PUT /api/alert-rules/:id` takes any of its fields. */
export interface AlertRuleInput {
  description: string
  type: AlertType
  vehicleIds: number[]
  /** Harsh-driving types only: notify alerts of at least this force; null or absent = every alert of the type. */
  thresholdG?: number | null
  emails: string[]
  /** E.164: + and 7-15 digits. */
  phones: string[]
  /** Users whose live alerts window shows the alert; empty = everyone who can see the vehicle. */
  userIds: number[]
}

/** One element of `GET /api/alert-rules`. */
export interface AlertRule extends Required<AlertRuleInput> {
  id: number
  thresholdG: number | null
  createdAt: string
}

/** The dashboard's modules; each office user gets none, view or edit on each (the seeds' permission grid). */
export const MODULES = ['map', 'customers', 'schedule', 'estimates', 'invoices', 'timesheets', 'reports', 'settings'] as const
export type Module = (typeof MODULES)[number]
export const ACCESS_LEVELS = ['none', 'view', 'edit'] as const
export type AccessLevel = (typeof ACCESS_LEVELS)[number]
export type Permissions = Record<Module, AccessLevel>

/** Which vehicles a user sees on the map, in lists and over the socket. */
export type VehicleVisibility = { kind: 'all' } | { kind: 'selected'; vehicleIds: number[]; groupIds: number[] }

export interface Me {
  id: number
  email: string
  name: string
  permissions: Permissions
  visibility: VehicleVisibility
}

/** One message a device sent (installer's device page): `GET /api/devices/:imei/packets` and the socket `packet` event. */
export interface Packet {
  imei: string
  protocol: string
  transport: string
  time: string
  /** `{ hex }` for TCP/UDP, `{ method, target, body }` for HTTP. */
  raw: Record<string, unknown>
  records: Array<Record<string, unknown>>
  error?: { code: string; message?: string }
  replyHex?: string
}

/** Body of `POST /api/login`; the answer is `Me` and sets the httpOnly session cookie. */
export interface LoginRequest {
  email: string
  password: string
}

/** `GET /api/settings/map`: the tile layer for the live map. An empty `tileUrl` means no tile layer. */
export interface MapSettings {
  tileUrl: string
  attribution: string
}

export interface ApiError {
  error: { code: string; message: string }
}

export interface ServerToClientEvents {
  /** Coalesced per vehicle per tick: the latest summary of a device that changed. */
  vehicle: (device: DeviceSummary) => void
  /** A new alert, to the users its rules name (or everyone who can see the vehicle). */
  alert: (alert: Alert) => void
  /** An alert pushed earlier ended (`clearedAt` set, e.g. power restored), to the same users. */
  alertCleared: (alert: Alert) => void
}

export type ClientToServerEvents = Record<string, never>
