import { z } from 'zod'
import { ApiError } from './http.ts'

/** A tracker's IMEI or a phone's id (OsmAnd: gateway/protocols/osmand/constants.ts DEVICE_ID_PATTERN). */
export const imeiParam = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a device id is 1-64 letters, digits, ".", "_" or "-"')

/** Names and descriptions are one line: they go into email subjects, SMS and lists. */
export const ONE_LINE = /^[^\p{Cc}]*$/u
export const ONE_LINE_MESSAGE = 'one line, without control characters'

/** A serial id in a path (`/api/vehicles/:id`). */
export const idParam = z.coerce.number({ error: 'an id is a positive whole number' }).int('an id is a positive whole number').positive('an id is a positive whole number').max(2_147_483_647)

/** Parses a path id or answers 400 naming the parameter. */
export function parseId(value: string | undefined, what = 'id'): number {
  const parsed = idParam.safeParse(value)
  if (!parsed.success) throw new ApiError(400, 'BAD_REQUEST', `${what}: an id is a positive whole number, got "${value ?? ''}"`)
  return parsed.data
}

/** A JSON body that must be an object (not absent, not an array). */
export function bodyOf<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === undefined) throw new ApiError(400, 'BAD_REQUEST', 'Send a JSON object body')
  return schema.parse(body)
}

/** The PostgreSQL error code of a failed query (`23505` unique violation, `23503` foreign key...). */
export function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}
