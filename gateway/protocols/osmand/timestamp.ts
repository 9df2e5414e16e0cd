/**
 * The forms a phone app writes its fix time in, to milliseconds since the epoch:
 *  - an integer: seconds, or milliseconds from 2^31 - 1 on (Traccar's rule); seconds may carry a fraction;
 *  - ISO 8601 `yyyy-MM-ddTHH:mm[:ss[.fff]]` with `Z` or an offset, and `yyyy-MM-dd HH:mm:ss` (Traccar
 *    Client's old format). Without a zone the time is taken as UTC: Traccar reads it in the server's
 *    zone, which makes the stored instant depend on where the server runs; we fix it to UTC.
 * An offset whose `+` arrived unencoded in a query string (so it reads as a space) is accepted.
 * Anything else, or a time outside years 1970-9999, is undefined.
 */
import { EARLIEST_FIX_MS, LATEST_FIX_MS, MILLISECONDS_FROM } from './constants.ts'

const EPOCH_NUMBER = /^\d{1,16}(\.\d{1,9})?$/
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:(Z)|([+\- ])(\d{2}):?(\d{2}))?$/i

export function parseTimestamp(text: string): number | undefined {
  const trimmed = text.trim()
  const ms = EPOCH_NUMBER.test(trimmed) ? fromEpochNumber(Number(trimmed)) : fromDateTime(trimmed)
  return ms !== undefined && ms >= EARLIEST_FIX_MS && ms <= LATEST_FIX_MS ? ms : undefined
}

function fromEpochNumber(value: number): number {
  return Math.round(value >= MILLISECONDS_FROM ? value : value * 1000)
}

function fromDateTime(text: string): number | undefined {
  const match = DATE_TIME.exec(text)
  if (!match) return undefined
  const [, year, month, day, hour, minute, second = '0', fraction = '', , sign, offsetHours, offsetMinutes] = match
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number]
  const [y, mo, d, h, mi, s] = fields
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return undefined
  const ms = fraction === '' ? 0 : Math.round(Number(`0${fraction}`) * 1000)
  const local = Date.UTC(y, mo - 1, d, h, mi, s) + ms
  // Date.UTC rolls 31 April over into May; a day that does not exist in its month is not a date.
  if (new Date(local).getUTCDate() !== d) return undefined
  if (sign === undefined) return local
  const offsetH = Number(offsetHours)
  const offsetM = Number(offsetMinutes)
  if (offsetH > 23 || offsetM > 59) return undefined
  const offsetMs = (offsetH * 60 + offsetM) * 60_000
  return sign === '-' ? local + offsetMs : local - offsetMs
}
