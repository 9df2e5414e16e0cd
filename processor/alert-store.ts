/**
 * Alerts in the database: raised ones inserted once per (imei, type, time) — a device's retry re-evaluates
 * the same record and stores nothing new — with their vehicle and places; cleared ones get cleared_at.
 * Both run inside the records' transaction (ingest.ts), so an ACKed record's alert is as durable as the record.
 */
import type pg from 'pg'
import type { Alert, AlertPlace, AlertType } from '../core/alerts.ts'
import type { AlertChange, AlertClear, AlertRaise } from './alerts/changes.ts'

export interface StoredChanges {
  /** Alerts inserted by this transaction (as they stand at its end: one raised and cleared in the same batch is cleared). */
  raised: Alert[]
  /** Alerts from earlier transactions that this one cleared. */
  cleared: Alert[]
}

const NOTHING: StoredChanges = Object.freeze({ raised: [], cleared: [] }) as StoredChanges

export async function storeAlertChanges(client: pg.ClientBase, changes: readonly AlertChange[]): Promise<StoredChanges> {
  if (changes.length === 0) return NOTHING
  const raises = changes.filter((change): change is AlertRaise => change.kind === 'raise')
  const clears = changes.filter((change): change is AlertClear => change.kind === 'clear')
  const raised = raises.length === 0 ? [] : (await client.query<AlertRow>(INSERT_ALERTS, [JSON.stringify(raises)])).rows.map(toAlert)
  if (clears.length === 0) return { raised, cleared: [] }
  const updated = (await client.query<AlertRow>(CLEAR_ALERTS, [JSON.stringify(clears)])).rows.map(toAlert)
  const byId = new Map(raised.map((alert, index) => [alert.id, index]))
  const cleared: Alert[] = []
  for (const alert of updated) {
    const index = byId.get(alert.id)
    if (index === undefined) cleared.push(alert)
    else raised[index] = alert
  }
  return { raised, cleared }
}

export interface AlertRow {
  id: number
  type: AlertType
  imei: string
  vehicle_id: number | null
  time: Date
  latitude: number | null
  longitude: number | null
  delayed: boolean
  details: Record<string, unknown>
  places: AlertPlace[]
  cleared_at: Date | null
  acknowledged_at: Date | null
}

/** The columns `toAlert` reads, for any query over `alerts`. */
export const ALERT_COLUMNS = 'id, type, imei, vehicle_id, time, latitude, longitude, delayed, details, places, cleared_at, acknowledged_at'

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    type: row.type,
    imei: row.imei,
    vehicleId: row.vehicle_id,
    time: row.time.toISOString(),
    latitude: row.latitude,
    longitude: row.longitude,
    delayed: row.delayed,
    places: row.places,
    details: row.details,
    clearedAt: row.cleared_at?.toISOString() ?? null,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
  }
}

// Service locations within the Customer Radius (settings.customerRadiusMi, default 0.05 mi) of the alert,
// nearest first: a bounding box on the (latitude, longitude) index, then the exact haversine distance.
// 69.09 miles per degree of latitude; a degree of longitude shrinks with cos(latitude).
const INSERT_ALERTS = `
WITH radius AS (
  SELECT COALESCE((SELECT (value #>> '{}')::float8 FROM settings WHERE key = 'customerRadiusMi'), 0.05) AS mi
), incoming AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS a("type" text, "imei" text, "time" timestamptz, "latitude" float8,
    "longitude" float8, "delayed" boolean, "details" jsonb)
)
INSERT INTO alerts (type, imei, vehicle_id, time, latitude, longitude, delayed, details, places)
SELECT a."type", a."imei", v.id, a."time", a."latitude", a."longitude", a."delayed", a."details", COALESCE(near.places, '[]'::jsonb)
FROM incoming a
CROSS JOIN radius r
LEFT JOIN vehicles v ON v.device_imei = a."imei"
LEFT JOIN LATERAL (
  SELECT jsonb_agg(jsonb_build_object(
           'customerId', c.id, 'customerName', c.name, 'locationId', s.id, 'name', s.name, 'address', s.address,
           'distanceMi', round(d.mi::numeric, 4)::float8)
         ORDER BY d.mi, s.id) AS places
  FROM service_locations s
  JOIN customers c ON c.id = s.customer_id
  CROSS JOIN LATERAL (
    SELECT 2 * 3958.8 * asin(least(1, sqrt(
      sin(radians(s.latitude - a."latitude") / 2) ^ 2 +
      cos(radians(a."latitude")) * cos(radians(s.latitude)) * sin(radians(s.longitude - a."longitude") / 2) ^ 2))) AS mi
  ) d
  WHERE s.latitude BETWEEN a."latitude" - r.mi / 69.09 AND a."latitude" + r.mi / 69.09
    AND s.longitude BETWEEN a."longitude" - r.mi / (69.09 * greatest(cos(radians(a."latitude")), 0.01))
                        AND a."longitude" + r.mi / (69.09 * greatest(cos(radians(a."latitude")), 0.01))
    AND d.mi <= r.mi
) near ON a."latitude" IS NOT NULL AND a."longitude" IS NOT NULL
ON CONFLICT (imei, type, time) DO NOTHING
RETURNING ${ALERT_COLUMNS}`

const CLEAR_ALERTS = `
UPDATE alerts AS a SET cleared_at = c."clearedAt", details = a.details || COALESCE(c."details", '{}'::jsonb)
FROM jsonb_to_recordset($1::jsonb) AS c("imei" text, "type" text, "time" timestamptz, "clearedAt" timestamptz, "details" jsonb)
WHERE a.imei = c."imei" AND a.type = c."type" AND a.time = c."time" AND a.cleared_at IS NULL
RETURNING ${ALERT_COLUMNS.split(', ').map((column) => `a.${column}`).join(', ')}`
