import type { Database } from '../db/client.ts'

/**
 * The database's own limit for our rows: multi-row INSERT ... VALUES statements of `rowsPerStatement`
 * positions from one client, each statement its own transaction, for `seconds`.
 */
export async function rawInsertRate(db: Database, rowsPerStatement: number, seconds: number): Promise<{ records: number; seconds: number }> {
  const columns = ['imei', 'fix_time', 'received_at', 'buffered', 'valid', 'latitude', 'longitude', 'speed_kmh', 'course', 'satellites', 'ignition', 'motion', 'external_voltage_v', 'odometer_km', 'io']
  const placeholders = Array.from({ length: rowsPerStatement }, (_, row) => `(${columns.map((_, col) => `$${row * columns.length + col + 1}`).join(', ')})`).join(', ')
  const sql = `INSERT INTO positions (${columns.join(', ')}) VALUES ${placeholders} ON CONFLICT DO NOTHING`
  const baseTime = Date.now() - 3_600_000
  let records = 0
  let sequence = 0
  const start = performance.now()
  while (performance.now() - start < seconds * 1000) {
    const values: unknown[] = []
    for (let row = 0; row < rowsPerStatement; row++) {
      sequence++
      const device = sequence % 1000
      const at = new Date(baseTime + Math.floor(sequence / 1000) * 1000)
      values.push(`35${String(700000000000 + device)}9`, at, new Date(), false, true, 54.6 + device * 1e-4, 25.2 + sequence * 1e-7, 40, 90, 9, true, true, 14, sequence / 100, '{"239":1,"240":1,"66":14000}')
    }
    await db.query(sql, values)
    records += rowsPerStatement
  }
  return { records, seconds: (performance.now() - start) / 1000 }
}
