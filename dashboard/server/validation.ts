import type { PoolClient } from 'pg'
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import { ApiError } from './http.ts'

/** A tracker's IMEI or a phone's id (OsmAnd: gateway/protocols/osmand/constants.ts DEVICE_ID_PATTERN). */
export const imeiParam = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a device id is 1-64 letters, digits, ".", "_" or "-"')

/** Names and descriptions are one line: they go into email subjects, SMS and lists. */
export const ONE_LINE = /^[^\p{Cc}]*$/u
export const ONE_LINE_MESSAGE = 'one line, without control characters'

/** Longer text (an address): line breaks and tabs allowed, other control characters not. */
export const MULTI_LINE = /^(?:[\t\n\r]|\P{Cc})*$/u
export const MULTI_LINE_MESSAGE = 'text without control characters other than line breaks and tabs'

/**
 * A point in time from the API's callers: an ISO 8601 time with its offset (`2026-06-01T08:00:00Z`) or a
 * date (`2026-06-01`, midnight UTC), with a four-digit year. Anything `Date` would also read (`-010000-01-01`,
 * `+275760-09-13`, "June 1") is refused here, naming the field, rather than by the database.
 */
export const instant = (name: string) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], `${name} is an ISO 8601 time or date, e.g. 2026-06-01T08:00:00Z or 2026-06-01`)
    .transform((text, ctx) => {
      const date = new Date(text)
      if (Number.isNaN(date.getTime())) {
        ctx.issues.push({ code: 'custom', message: `${name} is not a real date`, input: text })
        return z.NEVER
      }
      return date
    })

/** An email address, trimmed and lower-cased (logins and notification targets). */
export const emailAddress = z.string().trim().toLowerCase().max(320, 'an email address has at most 320 characters').pipe(z.email('not an email address'))

/** Spaces, dots, dashes and brackets are dropped; what remains must be E.164 (+ and 7-15 digits, no leading 0). */
export const phoneNumber = z
  .string()
  .max(40)
  .transform((value) => value.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'a phone number is + and the country code, 7-15 digits in all (E.164), e.g. +15551234567'))

/** A list of ids in a body (`vehicleIds`), duplicates dropped. */
export const idList = (what: string) =>
  z
    .array(z.number().int(`${what} ids are whole numbers`).positive(`${what} ids are positive`), `${what}Ids is a list of ids`)
    .max(100_000)
    .transform((list) => [...new Set(list)])

/** A serial id in a path (`/api/vehicles/:id`). */
export const idParam = z.coerce.number({ error: 'an id is a positive whole number' }).int('an id is a positive whole number').positive('an id is a positive whole number').max(2_147_483_647)

/** Parses a path id or answers 400 naming the parameter. */
export function parseId(value: string | undefined, what = 'id'): number {
  const parsed = idParam.safeParse(value)
  if (!parsed.success) throw new ApiError('BAD_REQUEST', `${what}: an id is a positive whole number, got "${value ?? ''}"`)
  return parsed.data
}

/** A JSON body that must be an object (not absent, not an array). */
export function bodyOf<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === undefined) throw new ApiError('BAD_REQUEST', 'Send a JSON object body')
  return schema.parse(body)
}

/** The PostgreSQL error code of a failed query (`23505` unique violation, `23503` foreign key...). */
export function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

/** The ids among `ids` that have no row in `table` (for 422 answers naming them), in order. */
export async function missingIds(db: Queryable, table: 'vehicles' | 'users' | 'vehicle_groups', ids: number[]): Promise<number[]> {
  if (ids.length === 0) return []
  const { rows } = await db.query<{ id: number }>(
    `SELECT wanted.id FROM unnest($1::int[]) AS wanted (id) WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.id = wanted.id) ORDER BY wanted.id`,
    [ids],
  )
  return rows.map((row) => row.id)
}

/** A pool or one of its clients (inside a transaction). */
export type Queryable = Pick<PoolClient, 'query'>

/** Runs `work` in a transaction on one client of the pool: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(db: Database, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
