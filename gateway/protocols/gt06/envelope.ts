/**
 * The parts every GT06 message shares (docs/protocols.md, GT06 framing and CRC): start bits, length
 * field, protocol number, content, information serial number, CRC-ITU over length .. serial, `0D 0A`.
 * Wi-Fi messages with a zero length field carry neither serial nor CRC.
 */
import { crcItu } from '../../lib/crc.ts'
import { fail } from '../errors.ts'
import { CRC_BYTES, LONG_HEADER, SERIAL_BYTES, SHORT_HEADER, TERMINATOR } from './constants.ts'

export interface Envelope {
  /** `7878` (1-byte length) or `7979` (2-byte length). */
  long: boolean
  type: number
  /** The bytes between the protocol number and the serial number (or the terminator). */
  content: Buffer
  /** Absent when the length field is zero (Wi-Fi). */
  serial?: number
  crc?: { sent: number; computed: number }
}

/**
 * Reads a message as `frame` cut it. The frame's real size wins over its length field, which the
 * framer tolerates being slightly wrong; the CRC tells whether the bytes are what the device sent.
 */
export function readEnvelope(message: Buffer): Envelope {
  const start = message[0]
  if ((start !== SHORT_HEADER && start !== LONG_HEADER) || message[1] !== start) {
    fail('BAD_FRAME', 'not a GT06 message: it does not start with 7878 or 7979')
  }
  const long = start === LONG_HEADER
  const typeAt = long ? 4 : 3
  const end = message.length - TERMINATOR.length
  if (end <= typeAt || message[end] !== TERMINATOR[0] || message[end + 1] !== TERMINATOR[1]) {
    fail('MALFORMED', `a ${message.length}-byte GT06 message must hold a protocol number and end with 0D0A`)
  }
  const length = long ? message.readUInt16BE(2) : message[2]!
  const type = message[typeAt]!
  if (length === 0) return { long, type, content: message.subarray(typeAt + 1, end) }

  const serialAt = end - CRC_BYTES - SERIAL_BYTES
  if (serialAt < typeAt + 1) {
    fail('MALFORMED', `a ${message.length}-byte GT06 message has no room for a serial number and CRC`)
  }
  return {
    long,
    type,
    content: message.subarray(typeAt + 1, serialAt),
    serial: message.readUInt16BE(serialAt),
    crc: { sent: message.readUInt16BE(end - CRC_BYTES), computed: crcItu(message.subarray(2, end - CRC_BYTES)) },
  }
}
