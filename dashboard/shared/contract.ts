/** The typed contract between dashboard/server and dashboard/web: REST payloads and socket.io events. */
import type { Alert } from '../../core/alerts.ts'
import type { MessageKind } from '../../core/message-kind.ts'
import type { LivePosition, VehicleStatus } from '../../core/vehicle.ts'
import type { ApiErrorCode } from './api-errors.ts'

export type { ApiErrorCode } from './api-errors.ts'
// The vocabulary the processor speaks too lives in core/; the dashboard sends it as it is.
export { ALERT_TYPES, ALERT_TYPE_LABELS, HARSH_ALERT_TYPES, type Alert, type AlertPlace, type AlertRule, type AlertRuleInput, type AlertType } from '../../core/alerts.ts'
export type { LivePosition, VehicleStatus } from '../../core/vehicle.ts'
/** The protocols a device may be registered with (`POST /api/devices`). */
export { PROTOCOLS, type Protocol } from '../../core/record.ts'

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

/**
 * `GET /api/settings/thresholds`: what the processor runs with, set by environment variables (read-only).
 * A tester's tools read it to know which alerts and statuses a scenario should produce.
 */
export interface AlertThresholds {
  /** `BUFFERED_LAG`: a record whose fix lags its arrival by more is history (alerts from it are `delayed`). */
  bufferedLagMs: number
  /** `NO_UPDATE_AFTER`: a device whose last data arrived (gateway clock) longer ago gets one noUpdate alert, timed at arrival + this. */
  noUpdateAfterMs: number
  /** How often the no-update sweep runs: the alert is raised at most this long after it is due. */
  noUpdateSweepMs: number
  /** `IDLE_AFTER`. */
  idleAfterMs: number
  /** A fix further ahead of its arrival than this is stored but not shown live. */
  maxFutureMs: number
  /** `POWER_RESET_WINDOW`. */
  powerResetWindowMs: number
  /** `HARSH_BRAKING_G`, `HARSH_ACCELERATION_G`, `HARSH_CORNERING_G`: computed from fixes above these. */
  harshBrakingG: number
  harshAccelerationG: number
  harshCorneringG: number
  /** Speed at or above which a vehicle counts as moving when its device reports no motion flag. */
  movingSpeedKmh: number
  /** External voltage at or above this is a present supply (below it, a power disconnect can start). */
  supplyPresentV: number
}

/** A stored record's natural key: the device and its fix time (ISO 8601). */
export interface RecordKey {
  imei: string
  fixTime: string
}

/** Body of `POST /api/positions/missing`: at most 10,000 records per request. */
export interface MissingRecordsRequest {
  records: RecordKey[]
}

/**
 * Answer of `POST /api/positions/missing`: how many were asked and those not stored, as sent, in the
 * order sent. Records of devices the user does not see are reported missing.
 */
export interface MissingRecordsResponse {
  checked: number
  missing: RecordKey[]
}

/** The dashboard's modules; each office user gets none, view or edit on each (the Permissions tab of Settings > Office users). */
export const MODULES = ['map', 'customers', 'schedule', 'estimates', 'invoices', 'timesheets', 'reports', 'settings'] as const
export type Module = (typeof MODULES)[number]
export const ACCESS_LEVELS = ['none', 'view', 'edit'] as const
export type AccessLevel = (typeof ACCESS_LEVELS)[number]
export type Permissions = Record<Module, AccessLevel>

/** How people read each module (permission grid, 403 messages). */
export const MODULE_LABELS: Record<Module, string> = {
  map: 'Map',
  customers: 'Customers',
  schedule: 'Schedule',
  estimates: 'Estimates',
  invoices: 'Invoices',
  timesheets: 'Timesheets',
  reports: 'Reports',
  settings: 'Settings',
}

/** Which vehicles a user sees on the map, in lists and over the socket. */
export type VehicleVisibility = { kind: 'all' } | { kind: 'selected'; vehicleIds: number[]; groupIds: number[] }

export interface Me {
  id: number
  email: string
  name: string
  permissions: Permissions
  visibility: VehicleVisibility
}

/** One element of `GET /api/users` (Settings > Office users). `active` is the list's "Permissions: YES" column: an active user holds a licence. */
export interface User {
  id: number
  name: string
  email: string
  phone: string | null
  title: string | null
  active: boolean
  permissions: Permissions
  visibility: VehicleVisibility
  createdAt: string
}

/**
 * Body of `POST /api/users`: name, email and password (`MIN_PASSWORD_LENGTH` characters or more, from core/passwords.ts; not a common one) are required (the starred
 * fields). A module left out of `permissions` gets `none`; `visibility` defaults to every vehicle;
 * `active` defaults to true and then needs a free licence. `PUT /api/users/:id` takes any of these
 * fields except `active` (use `POST /api/users/:id/activate` and `/deactivate`); a password sent there is a new password.
 */
export interface UserInput {
  name: string
  email: string
  password: string
  phone?: string | null
  title?: string | null
  permissions?: Partial<Permissions>
  visibility?: VehicleVisibility
  active?: boolean
}

/** `GET /api/users/licenses`: office user licences (`OFFICE_USER_LICENSES`) and how many active users hold one. */
export interface LicenseUsage {
  total: number
  used: number
}

/** One element of `GET /api/vehicle-groups`; a user's visibility may name groups instead of single vehicles. */
export interface VehicleGroup {
  id: number
  name: string
  vehicleIds: number[]
}

/** Body of `POST /api/vehicle-groups`; `PUT /api/vehicle-groups/:id` takes either field (`vehicleIds` replaces the members). */
export interface VehicleGroupInput {
  name: string
  vehicleIds: number[]
}

/** One message a device sent (installer's device page): `GET /api/devices/:imei/packets` and the socket `packet` event. */
export interface Packet {
  imei: string
  protocol: string
  transport: string
  time: string
  /** What kind of message it was, as the gateway's decoder reads it. */
  kind: MessageKind
  /** `{ hex }` for TCP/UDP, `{ method, target, body }` for HTTP. */
  raw: Record<string, unknown>
  records: Array<Record<string, unknown>>
  error?: { code: string; message?: string }
  replyHex?: string
}

/** `GET /api/devices/:imei/quarantine`: a record the gateway refused to store (it could never be), newest first. */
export interface QuarantinedRecord {
  imei: string
  protocol: string
  transport: string
  /** When it arrived. */
  time: string
  /** Why: `FIX_TIME_OUT_OF_RANGE`, `BAD_COORDINATES`, `BAD_NUMBER`, `BAD_TEXT`, `BAD_FIELD`, `IO_TOO_LARGE`, `BAD_RECEIVED_AT`. */
  code: string
  field: string
  message: string
  /** The fix time as decoded. */
  fixTime: string
  /** The message it came in: `{ hex }` for TCP/UDP, `{ method, target, body }` for HTTP; long values clipped. */
  raw: Record<string, unknown>
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
  error: { code: ApiErrorCode; message: string }
}

/** Whether the database is reachable: `GET /api/gateway/stats` (`database`) and the socket.io `database` event. */
export interface DatabaseStatus {
  state: 'up' | 'down'
  /** When it entered this state (ISO 8601 UTC). */
  since: string
  /** The last connection error seen (kept after it is back); null when there was none. */
  lastError: string | null
}

/** `GET /api/gateway/stats`: each protocol's counters under its name (see gateway/stats.ts), and the database's state. */
export type GatewayStatsAnswer = Record<string, unknown> & { database: DatabaseStatus }

export interface ServerToClientEvents {
  /** Coalesced per vehicle per tick: the latest summary of a device that changed. */
  vehicle: (device: DeviceSummary) => void
  /** A new alert, to the users its rules name (or everyone who can see the vehicle). */
  alert: (alert: Alert) => void
  /** An alert pushed earlier ended (`clearedAt` set, e.g. power restored), to the same users. */
  alertCleared: (alert: Alert) => void
  /** A message of a device this socket watches (`watch`), as it arrives. */
  packet: (packet: Packet) => void
  /** The database went down or came back; also sent once on connection. */
  database: (status: DatabaseStatus) => void
}

/** Body of the socket.io `watch` and `unwatch` events. */
export interface WatchRequest {
  imei: string
}

/** The acknowledgement of `watch`/`unwatch`: `{ ok: true }` or an error as the API answers it (`FORBIDDEN`, `DEVICE_NOT_FOUND`, `BAD_REQUEST`). */
export type WatchResult = { ok: true } | ApiError

export interface ClientToServerEvents {
  /** Streams the device's packets to this socket (`packet` events) until `unwatch` or disconnect; needs Map view and the device's vehicle visible. */
  watch: (request: WatchRequest, ack?: (result: WatchResult) => void) => void
  unwatch: (request: WatchRequest, ack?: (result: WatchResult) => void) => void
}
