/**
 * One ASCII @Track sentence split into fields, with the parts every report shares checked:
 * `+RESP:GTxxx,<protocol version>,<IMEI>,...,<send time>,<count number>` (docs/protocols.md, Queclink
 * identification and layout).
 */
import { fail } from '../errors.ts'
import {
  COUNT_NUMBER_PATTERN,
  HEADER,
  IMEI_PATTERN,
  NUL,
  PROTOCOL_VERSION_PATTERN,
  TERMINATOR,
} from './constants.ts'

export type SentenceHeader = (typeof HEADER)[keyof typeof HEADER]

export interface Sentence {
  header: SentenceHeader
  /** `GTFRI`, `GTHBD`, ... */
  type: string
  protocolVersion: string
  imei: string
  /** As sent (4 hex digits): the +SACK echoes it verbatim. */
  countNumber: string
  /** When the device sent the sentence (its clock, UTC); some reports leave it empty. */
  sendTimeMs?: number
  /** All fields, header first: `fields[3]` is the first after the IMEI. */
  fields: string[]
  /** Index of the send-time field: the body runs from 3 up to it. */
  end: number
}

/** Index of the first field after the IMEI. */
export const FIRST_BODY_FIELD = 3

const TYPE_FIELD = /^\+(RESP|BUFF|ACK):(GT[0-9A-Z]{3})$/
const TRAILING_NOISE = new Set([TERMINATOR, NUL, 0x0d, 0x0a, 0x20])

export function readSentence(message: Buffer): Sentence {
  let length = message.length
  while (length > 0 && TRAILING_NOISE.has(message[length - 1]!)) length--
  const text = message.toString('latin1', 0, length)
  const unprintable = /[^\x20-\x7e]/.exec(text)
  if (unprintable) fail('BAD_FRAME', `byte 0x${text.charCodeAt(unprintable.index).toString(16).padStart(2, '0')} in an ASCII @Track report`)
  if (text.includes('$')) fail('MALFORMED', 'more than one report in one message ("$" before its end)')
  if (!/^\+(?:RESP|BUFF|ACK):/.test(text)) fail('BAD_FRAME', `not an @Track report: ${JSON.stringify(text.slice(0, 12))}`)

  const fields = text.split(',')
  const typeMatch = TYPE_FIELD.exec(fields[0]!)
  if (!typeMatch) fail('UNKNOWN_TYPE', `unknown @Track report ${JSON.stringify(fields[0])}`)
  if (fields.length < 4) fail('TRUNCATED', `${fields[0]} has ${fields.length} fields; every report has at least 4`)
  const protocolVersion = fields[1]!
  if (!PROTOCOL_VERSION_PATTERN.test(protocolVersion)) fail('MALFORMED', `bad protocol version ${JSON.stringify(protocolVersion)}`)
  const imei = fields[2]!
  if (!IMEI_PATTERN.test(imei)) fail('BAD_IMEI', `IMEI must be 15 digits (or a 14-hex-digit MEID), got ${JSON.stringify(imei)}`)
  const countNumber = fields[fields.length - 1]!
  if (!COUNT_NUMBER_PATTERN.test(countNumber)) fail('MALFORMED', `count number must be 4 hex digits, got ${JSON.stringify(countNumber)}`)

  const end = Math.max(FIRST_BODY_FIELD, fields.length - 2)
  return {
    header: `+${typeMatch[1]}` as SentenceHeader,
    type: typeMatch[2]!,
    protocolVersion,
    imei: imei.toUpperCase(),
    countNumber,
    // With 4 fields there is no send time: the count number follows the IMEI.
    ...(fields.length > 4 ? omitTime(parseCompactTime(fields[end]!)) : {}),
    fields,
    end,
  }
}

function omitTime(timeMs: number | undefined): { sendTimeMs?: number } {
  return timeMs === undefined ? {} : { sendTimeMs: timeMs }
}

const COMPACT_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/

/** `yyyyMMddHHmmss` in UTC, or undefined when empty or not a real date and time. */
export function parseCompactTime(text: string): number | undefined {
  const match = COMPACT_TIME.exec(text)
  if (!match) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number]
  const timeMs = Date.UTC(year, month - 1, day, hour, minute, second)
  const date = new Date(timeMs)
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  return exact ? timeMs : undefined
}

/** `yyyyMMddHHmmss` in UTC; milliseconds are dropped. */
export function formatCompactTime(timeMs: number): string {
  return new Date(timeMs).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}
