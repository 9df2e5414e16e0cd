/** Input checks and value typing shared by the query and JSON forms. */
import { z } from 'zod'
import type { RawIo } from '../../../core/record.ts'
import { fail, type ProtocolErrorCode } from '../errors.ts'
import { DEVICE_ID_PATTERN, DEVICE_ID_RULE, IO_KEY_PATTERN } from './constants.ts'
import { parseTimestamp } from './timestamp.ts'

export const deviceId = z.string().trim().regex(DEVICE_ID_PATTERN, DEVICE_ID_RULE)

export const timestamp = z.string().transform((text, ctx) => {
  const ms = parseTimestamp(text)
  if (ms !== undefined) return ms
  ctx.addIssue({ code: 'custom', message: 'not a time: seconds, milliseconds, ISO 8601 or "yyyy-MM-dd HH:mm:ss", 1970-9999' })
  return z.NEVER
})

/** Plain decimal numbers as apps write them (`12`, `-0.5`, `3.`, `1e-3`); no hex, no `Infinity`, no blanks. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$/

export const decimalText = z
  .string()
  .trim()
  .regex(DECIMAL, 'not a decimal number')
  .transform(plainNumber)
  .pipe(z.number({ error: 'not a finite number' }))

/** A number an io value keeps as a number: no leading zeros (ids like `007` stay text), at most 15 digits. */
const IO_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/
const MAX_IO_NUMBER_DIGITS = 15

/** A raw parameter as an io value: `true`/`false` become booleans, plain numbers numbers, anything else stays text. */
export function ioValue(text: string): RawIo[string] {
  if (text === 'true' || text === 'false') return text === 'true'
  if (IO_NUMBER.test(text) && text.replace(/\D/g, '').length <= MAX_IO_NUMBER_DIGITS) return plainNumber(text)
  return text
}

/** `-0` is 0: JSON cannot tell them apart, so a stored record would not read back as decoded. */
function plainNumber(text: string): number {
  return Number(text) + 0
}

export function checkIoKey(key: string): void {
  if (!IO_KEY_PATTERN.test(key)) fail('MALFORMED', `parameter name ${JSON.stringify(key.slice(0, 80))} is not 1-64 letters, digits, ".", "_", ":" or "-"`)
}

/** Stops decoding with zod's issues as the reason; issues about the device id are BAD_IMEI, the rest MALFORMED. */
export function failWithIssues(error: z.ZodError, idKeys: readonly string[]): never {
  const aboutId = error.issues.some((issue) => idKeys.includes(String(issue.path.at(-1))))
  const code: ProtocolErrorCode = aboutId ? 'BAD_IMEI' : 'MALFORMED'
  fail(code, error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '))
}
