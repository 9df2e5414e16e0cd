/**
 * Splits a Teltonika TCP byte stream into messages (docs/protocols.md, Teltonika framing): a lone 0xFF
 * ping, an IMEI handshake (2-byte length + IMEI), or an AVL packet (4 zero bytes, 4-byte data length,
 * data, 4-byte CRC field). The length field is the only boundary, so it is checked before waiting on
 * it.
 */
import { type ProtocolError, protocolError } from '../errors.ts'
import type { Framed } from '../types.ts'
import { splitFrames, type Boundary } from '../framing.ts'
import { AVL_CRC_BYTES, AVL_HEADER_BYTES, AVL_MIN_DATA_BYTES, PING } from './constants.ts'

/** An IMEI is 15 digits; a longer "length" means the bytes are not a Teltonika handshake. */
const MAX_IMEI_FRAME_LENGTH = 32

export function frame(buffer: Buffer, maxFrameBytes: number): Framed {
  return splitFrames(buffer, maxFrameBytes, nextBoundary)
}

/** Where the message at the start of `bytes` ends, as soon as the bytes present can tell. */
function nextBoundary(bytes: Buffer, maxFrameBytes: number): Boundary {
  if (bytes[0] === PING) return { size: 1 }
  if (bytes.length < 2) return { wait: true }
  const imeiLength = bytes.readUInt16BE(0)
  if (imeiLength > 0) {
    if (imeiLength > MAX_IMEI_FRAME_LENGTH) {
      return { error: protocolError('BAD_FRAME', `not a Teltonika message: starts with 0x${bytes.subarray(0, 2).toString('hex')}`) }
    }
    return withinLimit(imeiLength + 2, bytes, maxFrameBytes)
  }
  if (bytes.subarray(2, 4).some((byte) => byte !== 0)) {
    return { error: protocolError('BAD_FRAME', 'an AVL packet must start with 4 zero bytes') }
  }
  if (bytes.length < AVL_HEADER_BYTES) return { wait: true }
  const dataLength = bytes.readUInt32BE(4)
  if (dataLength < AVL_MIN_DATA_BYTES) {
    return { error: protocolError('BAD_FRAME', `AVL data length ${dataLength} is too short for any packet`) }
  }
  return withinLimit(AVL_HEADER_BYTES + dataLength + AVL_CRC_BYTES, bytes, maxFrameBytes)
}

function withinLimit(size: number, bytes: Buffer, maxFrameBytes: number): Boundary {
  if (size > maxFrameBytes) {
    return { error: protocolError('FRAME_TOO_LONG', `a ${size}-byte message exceeds the ${maxFrameBytes}-byte limit`) }
  }
  return bytes.length < size ? { wait: true } : { size }
}
