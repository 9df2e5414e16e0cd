/**
 * The checks every decoded record passes before it may be written: a record that could never be
 * stored (a timestamp PostgreSQL cannot hold, a NUL byte jsonb refuses, a number outside its column)
 * or that says nothing sane is rejected here, alone, instead of failing the whole group-commit batch
 * it would join. Pure: the clock comes from the caller.
 */
import { PROTOCOLS, RECORD_EVENTS, type DeviceRecord } from '../core/record.ts'

/** Why a record was rejected; the gateway counts each in its stats. */
export const RECORD_REJECTIONS = ['FIX_TIME_OUT_OF_RANGE', 'BAD_RECEIVED_AT', 'BAD_COORDINATES', 'BAD_NUMBER', 'BAD_TEXT', 'BAD_FIELD', 'IO_TOO_LARGE'] as const
export type RecordRejection = (typeof RECORD_REJECTIONS)[number]

export interface RecordProblem {
  code: RecordRejection
  /** The offending field, e.g. `fixTime` or `io.7`. */
  field: string
  message: string
}

export interface RecordLimits {
  /** How far ahead of now a fix time may be (MAX_FUTURE_FIX). */
  maxFutureFixMs: number
}

/** No GNSS tracker reported before this; earlier times are a device's unset clock (1970, GPS week rollover). */
export const EARLIEST_FIX_MS = Date.parse('2000-01-01T00:00:00.000Z')
export const MAX_IMEI_CHARS = 64
export const MAX_IO_KEYS = 256
export const MAX_IO_KEY_CHARS = 64
/** Teltonika variable-length values arrive as "x:<hex>"; 8,192 characters is 4 KB of device bytes. */
export const MAX_IO_TEXT_CHARS = 8192

/** Inclusive ranges of the optional numbers; integers where the column is a smallint. */
const NUMBER_RANGES: readonly { field: keyof DeviceRecord; min: number; max: number; integer?: boolean }[] = [
  { field: 'speedKmh', min: 0, max: 2000 },
  { field: 'course', min: 0, max: 360 },
  // Below the deepest mine, above any aircraft a tracker rides in; the int16 of Teltonika fits.
  { field: 'altitude', min: -50_000, max: 100_000 },
  // A one-byte count on the wire; the column is a smallint.
  { field: 'satellites', min: 0, max: 255, integer: true },
  { field: 'hdop', min: 0, max: 10_000 },
  { field: 'externalVoltageV', min: 0, max: 1000 },
  { field: 'batteryVoltageV', min: 0, max: 1000 },
  { field: 'batteryLevelPct', min: 0, max: 100 },
  { field: 'odometerKm', min: 0, max: 1e9 },
  { field: 'engineHoursH', min: 0, max: 1e8 },
  // Bars, CSQ (0-31, 99) or dBm; the column is a smallint.
  { field: 'gsmSignal', min: -200, max: 200, integer: true },
  // Kept in memory for the alert only (not a column); no vehicle survives 100 g.
  { field: 'harshForceG', min: 0, max: 100 },
]

const KNOWN_EVENTS: ReadonlySet<string> = new Set(RECORD_EVENTS)
const KNOWN_PROTOCOLS: ReadonlySet<string> = new Set(PROTOCOLS)
// C0 controls (NUL included) and DEL: text fields and jsonb values must not carry them.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The first reason the record cannot be stored as it is, or undefined when it can. */
export function recordProblem(record: DeviceRecord, nowMs: number, limits: RecordLimits): RecordProblem | undefined {
  return (
    textProblem('imei', record.imei, MAX_IMEI_CHARS) ??
    (KNOWN_PROTOCOLS.has(record.protocol) ? undefined : problem('BAD_FIELD', 'protocol', 'not a known protocol')) ??
    fixTimeProblem(record.fixTime, nowMs, limits) ??
    receivedAtProblem(record.receivedAt, nowMs, limits) ??
    flagsProblem(record) ??
    coordinatesProblem(record) ??
    numbersProblem(record) ??
    eventsProblem(record.events) ??
    ioProblem(record.io)
  )
}

function problem(code: RecordRejection, field: string, message: string): RecordProblem {
  return { code, field, message }
}

/** Milliseconds of an ISO 8601 UTC time, or NaN; a six-digit year (`+010000-...`) is out of range anyway. */
function timeMs(text: unknown): number {
  return typeof text === 'string' ? Date.parse(text) : Number.NaN
}

function fixTimeProblem(fixTime: string, nowMs: number, limits: RecordLimits): RecordProblem | undefined {
  const ms = timeMs(fixTime)
  if (Number.isFinite(ms) && ms >= EARLIEST_FIX_MS && ms <= nowMs + limits.maxFutureFixMs) return undefined
  return problem('FIX_TIME_OUT_OF_RANGE', 'fixTime', `${clipped(fixTime)} is not between 2000-01-01 and ${limits.maxFutureFixMs} ms from now`)
}

function receivedAtProblem(receivedAt: string, nowMs: number, limits: RecordLimits): RecordProblem | undefined {
  const ms = timeMs(receivedAt)
  if (Number.isFinite(ms) && ms >= EARLIEST_FIX_MS && ms <= nowMs + limits.maxFutureFixMs) return undefined
  return problem('BAD_RECEIVED_AT', 'receivedAt', `${clipped(receivedAt)} is not the gateway's clock`)
}

function flagsProblem(record: DeviceRecord): RecordProblem | undefined {
  for (const field of ['buffered', 'valid'] as const) {
    if (typeof record[field] !== 'boolean') return problem('BAD_FIELD', field, 'not a boolean')
  }
  for (const field of ['ignition', 'motion', 'externalPowerConnected'] as const) {
    if (record[field] !== undefined && typeof record[field] !== 'boolean') return problem('BAD_FIELD', field, 'not a boolean')
  }
  return undefined
}

function coordinatesProblem({ latitude, longitude }: DeviceRecord): RecordProblem | undefined {
  if (latitude === undefined && longitude === undefined) return undefined
  if (!inRange(latitude, -90, 90)) return problem('BAD_COORDINATES', 'latitude', `${String(latitude)} is not within ±90`)
  if (!inRange(longitude, -180, 180)) return problem('BAD_COORDINATES', 'longitude', `${String(longitude)} is not within ±180`)
  return undefined
}

function numbersProblem(record: DeviceRecord): RecordProblem | undefined {
  for (const { field, min, max, integer } of NUMBER_RANGES) {
    const value = record[field]
    if (value === undefined) continue
    if (!inRange(value, min, max) || (integer && !Number.isInteger(value))) {
      return problem('BAD_NUMBER', field, `${String(value)} is not ${integer ? 'a whole number ' : ''}within ${min}..${max}`)
    }
  }
  return undefined
}

function eventsProblem(events: unknown): RecordProblem | undefined {
  if (!Array.isArray(events)) return problem('BAD_FIELD', 'events', 'not a list')
  const unknown = events.find((event) => !KNOWN_EVENTS.has(event as string))
  return unknown === undefined ? undefined : problem('BAD_FIELD', 'events', `${clipped(String(unknown))} is not a known event`)
}

function ioProblem(io: unknown): RecordProblem | undefined {
  if (typeof io !== 'object' || io === null || Array.isArray(io)) return problem('BAD_FIELD', 'io', 'not an object')
  const keys = Object.keys(io)
  if (keys.length > MAX_IO_KEYS) return problem('IO_TOO_LARGE', 'io', `${keys.length} attributes, more than ${MAX_IO_KEYS}`)
  for (const key of keys) {
    const keyProblem = textProblem('io', key, MAX_IO_KEY_CHARS)
    if (keyProblem) return { ...keyProblem, message: `attribute name: ${keyProblem.message}` }
    const value = (io as Record<string, unknown>)[key]
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return problem('BAD_NUMBER', `io.${key}`, `${value} is not a finite number`)
    } else if (typeof value === 'string') {
      const valueProblem = textProblem(`io.${key}`, value, MAX_IO_TEXT_CHARS, 0)
      if (valueProblem) return valueProblem.code === 'BAD_TEXT' && value.length > MAX_IO_TEXT_CHARS ? { ...valueProblem, code: 'IO_TOO_LARGE' } : valueProblem
    } else if (typeof value !== 'boolean') {
      return problem('BAD_FIELD', `io.${key}`, 'not a number, text or boolean')
    }
  }
  return undefined
}

/** Text that PostgreSQL stores as sent: well-formed UTF-16 (no lone surrogates), no control characters, bounded. */
function textProblem(field: string, text: unknown, maxChars: number, minChars = 1): RecordProblem | undefined {
  if (typeof text !== 'string') return problem('BAD_FIELD', field, 'not text')
  if (text.length < minChars || text.length > maxChars) return problem('BAD_TEXT', field, `${text.length} characters, not ${minChars}..${maxChars}`)
  // Almost every device text (IMEIs, attribute names, hex values) is printable ASCII: checked by one
  // pass of char codes, the regular expressions only for the rest. This runs for every record stored.
  if (isPrintableAscii(text)) return undefined
  if (CONTROL_CHARACTER.test(text)) return problem('BAD_TEXT', field, `${JSON.stringify(clipped(text))} holds a control character`)
  if (LONE_SURROGATE.test(text)) return problem('BAD_TEXT', field, 'holds a lone surrogate (not valid Unicode)')
  return undefined
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code > 0x7e) return false
  }
  return true
}

function inRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && value >= min && value <= max
}

function clipped(text: unknown): string {
  const shown = String(text)
  return shown.length > 80 ? `${shown.slice(0, 80)}...` : shown
}
