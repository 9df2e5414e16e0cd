/** Alerts as the processor raises them and the dashboard shows and notifies them. */

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
