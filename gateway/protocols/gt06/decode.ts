/**
 * Decodes one GT06 message (a frame from `frame`) into records and the reply to send
 * (docs/protocols.md, GT06). Pure: no I/O, and the clock comes from the context.
 *
 * Order of checks: envelope, CRC-ITU (strict: BAD_CHECKSUM and no reply; lenient: decode anyway),
 * login, then every other type only once the connection has logged in (NOT_IDENTIFIED otherwise).
 */
import { readBcdDigits } from '../../lib/bcd.ts'
import { ByteCursor } from '../../lib/cursor.ts'
import { decodeSafely, fail } from '../errors.ts'
import type { DecodeContext, Decoded, Session } from '../types.ts'
import { IMEI_PATTERN, LOGIN_IMEI_BYTES, MESSAGE, TIME_ZONE_WEST } from './constants.ts'
import { toDeviceRecord } from './device-record.ts'
import { encodeServerAck } from './encode.ts'
import { type Envelope, readEnvelope } from './envelope.ts'
import { HANDLERS, hex, VARIABLE_LENGTH_TYPES } from './messages.ts'

export function decode(message: Buffer, session: Session, context: DecodeContext): Decoded {
  return decodeSafely(() => {
    const envelope = readEnvelope(message)
    if (context.crc === 'strict' && envelope.crc && envelope.crc.sent !== envelope.crc.computed) {
      fail('BAD_CHECKSUM', `CRC-ITU is 0x${hex(envelope.crc.computed, 4)}, the message says 0x${hex(envelope.crc.sent, 4)}`)
    }
    if (envelope.serial === undefined && !VARIABLE_LENGTH_TYPES.has(envelope.type)) {
      fail('MALFORMED', `a zero length field is only used by Wi-Fi messages, not type 0x${hex(envelope.type)}`)
    }
    if (envelope.type === MESSAGE.login) return decodeLogin(envelope)
    if (session.imei === undefined) fail('NOT_IDENTIFIED', `type 0x${hex(envelope.type)} before the login`)

    const handler = HANDLERS.get(envelope.type) ?? fail('UNKNOWN_TYPE', `unknown GT06 protocol number 0x${hex(envelope.type)}`)
    const { observation, reply } = handler(envelope, context)
    const records = observation ? [toDeviceRecord(observation, session.imei, context.now, session.clockOffsetMinutes)] : []
    return reply ? { records, ack: reply } : { records }
  })
}

/**
 * BCD IMEI with a leading nibble to drop, then optionally a model id and a time-zone word: many devices
 * send local time, and the session keeps the offset for their later messages. GT06 has no refusal
 * reply: a refused device's connection is simply closed, so `identity.reject` stays undefined.
 */
function decodeLogin(envelope: Envelope): Decoded {
  const digits = readBcdDigits(new ByteCursor(envelope.content).bytes(LOGIN_IMEI_BYTES))
  const imei = digits?.slice(1)
  if (imei === undefined || !IMEI_PATTERN.test(imei)) {
    fail('BAD_IMEI', `IMEI must be 15 BCD digits after a leading nibble, got ${envelope.content.subarray(0, LOGIN_IMEI_BYTES).toString('hex')}`)
  }
  const clockOffsetMinutes = loginTimeZoneOffsetMinutes(envelope.content)
  const identity = clockOffsetMinutes === undefined ? { imei } : { imei, clockOffsetMinutes }
  return { records: [], identity, ack: encodeServerAck(MESSAGE.login, envelope.serial!) }
}

/**
 * The time-zone word of a login's content (docs/protocols.md, GT06 login and time zone), in minutes
 * east of UTC, or undefined when the login has none (its device times are then read as UTC).
 */
export function loginTimeZoneOffsetMinutes(content: Buffer): number | undefined {
  if (content.length < LOGIN_IMEI_BYTES + 4) return undefined
  const word = content.readUInt16BE(LOGIN_IMEI_BYTES + 2)
  const hhmm = word >>> 4
  const minutes = Math.trunc(hhmm / 100) * 60 + (hhmm % 100)
  return word & TIME_ZONE_WEST && minutes > 0 ? -minutes : minutes
}
