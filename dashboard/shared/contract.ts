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

export interface Me {
  id: number
  email: string
  name: string
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
}

export type ClientToServerEvents = Record<string, never>
