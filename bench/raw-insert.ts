import type { Database } from '../db/client.ts'

/**
 * The database's own limit for our rows: the fastest bulk insert it takes from one client, each
 * statement its own transaction, for `seconds`. Over the embedded database's wire (pglite-socket)
 * COPY FROM STDIN is not available (it drops the connection); of the forms tried, one jsonb document
 * per statement (`jsonb_to_recordset`, as ingest sends its rows) of about 5,000 rows is the fastest:
 * ~33,000 rows/s against ~22,000-24,000 for `INSERT … VALUES` of 1,000-4,000 rows (2 cores, 2026-11-22).
 */
export async function rawInsertRate(db: Database, rowsPerStatement: number, seconds: number): Promise<{ records: number; seconds: number }> {
  const baseTime = Date.now() - 3_600_000
  let records = 0
  let sequence = 0
  const start = performance.now()
  while (performance.now() - start < seconds * 1000) {
    const rows = Array.from({ length: rowsPerStatement }, () => {
      sequence++
      const device = sequence % 1000
      return {
        imei: `35${String(700000000000 + device)}9`, fixTime: new Date(baseTime + Math.floor(sequence / 1000) * 1000).toISOString(), receivedAt: new Date().toISOString(),
        buffered: false, valid: true, latitude: 54.6 + device * 1e-4, longitude: 25.2 + sequence * 1e-7, speedKmh: 40, course: 90, satellites: 9,
        ignition: true, motion: true, externalVoltageV: 14, odometerKm: sequence / 100, io: { 239: 1, 240: 1, 66: 14000 },
      }
    })
    await db.query(INSERT, [JSON.stringify(rows)])
    records += rowsPerStatement
  }
  return { records, seconds: (performance.now() - start) / 1000 }
}

const INSERT = `
INSERT INTO positions (imei, fix_time, received_at, buffered, valid, latitude, longitude, speed_kmh, course, satellites, ignition, motion, external_voltage_v, odometer_km, io)
SELECT "imei", "fixTime", "receivedAt", "buffered", "valid", "latitude", "longitude", "speedKmh", "course", "satellites", "ignition", "motion", "externalVoltageV", "odometerKm", "io"
FROM jsonb_to_recordset($1::jsonb) AS r("imei" text, "fixTime" timestamptz, "receivedAt" timestamptz, "buffered" boolean, "valid" boolean,
  "latitude" float8, "longitude" float8, "speedKmh" real, "course" real, "satellites" smallint, "ignition" boolean, "motion" boolean,
  "externalVoltageV" real, "odometerKm" float8, "io" jsonb)
ON CONFLICT DO NOTHING`
