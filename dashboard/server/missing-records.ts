/**
 * `POST /api/positions/missing`: which of these (imei, fixTime) records are not stored. A tester's
 * check that every record the gateway ACKed is in the database (the simulator's `--verify`), in bulk:
 * one statement per request, the list joined against positions on its natural key.
 */
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import type { MissingRecordsResponse, RecordKey } from '../shared/contract.ts'
import { ApiError } from './http.ts'
import { imeiParam } from './validation.ts'
import type { VisibleVehicles } from './visibility.ts'

/**
 * Records per request. A record is about 65 bytes of JSON, so 10,000 fit the API's 1 MiB body limit
 * with room to spare; a client splits longer lists.
 */
export const MAX_RECORDS_PER_CHECK = 10_000

const body = z.strictObject({
  records: z
    .array(z.unknown(), 'records is a list of { imei, fixTime }')
    .max(MAX_RECORDS_PER_CHECK, `records: at most ${MAX_RECORDS_PER_CHECK} per request; split the list`),
})

const recordKey = z.strictObject({
  imei: imeiParam,
  fixTime: z.iso.datetime({ offset: true, error: 'fixTime is an ISO 8601 time with its offset, e.g. 2026-06-01T08:00:00.000Z' }),
})

/** How many bad records a 400 names before "and N more": a bad list of 10,000 must not make a 1 MB message. */
const ISSUES_NAMED = 5

/** Validates the body; a 400 names the first few bad records by index. */
export function parseMissingRecordsBody(input: unknown): RecordKey[] {
  if (input === undefined) throw new ApiError('BAD_REQUEST', 'Send a JSON object body: { records: [{ imei, fixTime }] }')
  const { records } = body.parse(input)
  const keys: RecordKey[] = []
  const issues: string[] = []
  let bad = 0
  records.forEach((record, index) => {
    const parsed = recordKey.safeParse(record)
    if (parsed.success) return void keys.push(parsed.data)
    bad++
    if (issues.length < ISSUES_NAMED) {
      const issue = parsed.error.issues[0]!
      issues.push(`records.${index}${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}: ${issue.message}`)
    }
  })
  if (bad > 0) {
    const more = bad > issues.length ? `; and ${bad - issues.length} more bad records` : ''
    throw new ApiError('BAD_REQUEST', `${issues.join('; ')}${more}`)
  }
  return keys
}

/**
 * The records among `records` that are not stored, in the order asked, echoed as sent. Records of
 * devices the user does not see are reported missing without being looked up: to a restricted user a
 * hidden device's positions do not exist (as `GET /api/devices/:imei/positions` answers 404), so the
 * answer leaks nothing about it.
 */
export async function missingRecords(
  db: Database,
  records: RecordKey[],
  visible: VisibleVehicles,
  seesDevice: (imei: string) => boolean,
): Promise<MissingRecordsResponse> {
  const hidden = new Set<number>()
  const asked: Array<{ i: number; imei: string; fix_time: string }> = []
  let minMs = Infinity
  let maxMs = -Infinity
  records.forEach((record, i) => {
    if (visible !== 'all' && !seesDevice(record.imei)) return void hidden.add(i)
    const ms = Date.parse(record.fixTime)
    minMs = Math.min(minMs, ms)
    maxMs = Math.max(maxMs, ms)
    asked.push({ i, imei: record.imei, fix_time: record.fixTime })
  })
  const notStored = new Set<number>()
  if (asked.length > 0) {
    // The batch's time range as constants lets TimescaleDB skip chunks outside it when planning.
    // A millisecond of slack each side: fix times may carry microseconds that Date.parse drops.
    const { rows } = await db.query<{ i: number }>(
      `SELECT r.i FROM jsonb_to_recordset($1::jsonb) AS r (i int, imei text, fix_time timestamptz)
        WHERE NOT EXISTS (SELECT 1 FROM positions p
                           WHERE p.imei = r.imei AND p.fix_time = r.fix_time
                             AND p.fix_time >= $2 AND p.fix_time <= $3)`,
      [JSON.stringify(asked), new Date(minMs - 1), new Date(maxMs + 1)],
    )
    for (const row of rows) notStored.add(row.i)
  }
  const missing = records.filter((_, i) => hidden.has(i) || notStored.has(i)).map(({ imei, fixTime }) => ({ imei, fixTime }))
  return { checked: records.length, missing }
}
