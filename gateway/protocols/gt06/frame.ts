/**
 * Splits a GT06 TCP byte stream into messages (docs/protocols.md, GT06 framing): `78 78` + 1-byte
 * length or `79 79` + 2-byte length, then that many bytes (protocol number .. CRC), then `0D 0A`.
 *
 * The length field is the boundary. Only when it points where there is no `0D 0A` does the frame end
 * at the first terminator within LENGTH_SLACK bytes of that point (clones with off-by-one length
 * bytes); Traccar instead takes the first `0D 0A` anywhere, which cuts binary payloads short. A zero
 * length field (Wi-Fi messages 0x17/0x69) means "up to the first `0D 0A`", bounded as well.
 * Every decision depends only on bytes already present, so the frames do not depend on how the
 * stream was cut into reads.
 */
import { type ProtocolError, protocolError } from '../errors.ts'
import type { Framed } from '../types.ts'
import { splitFrames, WAIT, type Boundary } from '../framing.ts'
import { LENGTH_SLACK, LONG_HEADER, MAX_VARIABLE_FRAME_BYTES, SHORT_HEADER, TERMINATOR } from './constants.ts'

export function frame(buffer: Buffer, maxFrameBytes: number): Framed {
  return splitFrames(buffer, maxFrameBytes, nextBoundary)
}

/** Where the message at the start of `bytes` ends, as soon as the bytes present can tell. */
function nextBoundary(bytes: Buffer, maxFrameBytes: number): Boundary {
  const start = bytes[0]!
  if (start !== SHORT_HEADER && start !== LONG_HEADER) return badStart(bytes)
  if (bytes.length < 2) return WAIT
  if (bytes[1] !== start) return badStart(bytes)
  const lengthBytes = start === SHORT_HEADER ? 1 : 2
  const headerBytes = 2 + lengthBytes
  if (bytes.length < headerBytes) return WAIT
  const length = lengthBytes === 1 ? bytes[2]! : bytes.readUInt16BE(2)
  // After a zero length field come the protocol number and content up to the first terminator.
  if (length === 0) return terminatedFrom(bytes, headerBytes + 1, Math.min(maxFrameBytes, MAX_VARIABLE_FRAME_BYTES))

  const size = headerBytes + length + TERMINATOR.length
  if (size > maxFrameBytes) {
    return { error: protocolError('FRAME_TOO_LONG', `a ${size}-byte message exceeds the ${maxFrameBytes}-byte limit`) }
  }
  if (bytes.length < size) return WAIT
  if (terminatorEndsAt(bytes, size)) return { size }
  return nearDeclaredEnd(bytes, size, headerBytes + 1, maxFrameBytes)
}

/** Zero length field: the frame ends at the first terminator after `from`, within `limit` bytes. */
function terminatedFrom(bytes: Buffer, from: number, limit: number): Boundary {
  const at = bytes.subarray(0, limit).indexOf(TERMINATOR, from)
  if (at >= 0) return { size: at + TERMINATOR.length }
  if (bytes.length >= limit) {
    return { error: protocolError('FRAME_TOO_LONG', `no 0D0A within ${limit} bytes of a message without a length`) }
  }
  return WAIT
}

/** The length field is wrong: accept the first terminator ending within LENGTH_SLACK bytes of the declared end. */
function nearDeclaredEnd(bytes: Buffer, declared: number, minimumContent: number, maxFrameBytes: number): Boundary {
  const first = Math.max(minimumContent + TERMINATOR.length, declared - LENGTH_SLACK)
  const last = Math.min(declared + LENGTH_SLACK, maxFrameBytes)
  for (let end = first; end <= last && end <= bytes.length; end++) {
    if (terminatorEndsAt(bytes, end)) return { size: end }
  }
  if (bytes.length < last) return WAIT
  return {
    error: protocolError('BAD_FRAME', `no 0D0A where the length field says the message ends (byte ${declared})`),
  }
}

function terminatorEndsAt(bytes: Buffer, end: number): boolean {
  return bytes[end - 2] === TERMINATOR[0] && bytes[end - 1] === TERMINATOR[1]
}

function badStart(bytes: Buffer): Boundary {
  const start = bytes.subarray(0, 2).toString('hex')
  return { error: protocolError('BAD_FRAME', `not a GT06 message: starts with 0x${start}, not 7878 or 7979`) }
}
