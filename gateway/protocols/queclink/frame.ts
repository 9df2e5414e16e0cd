/**
 * Splits a Queclink TCP byte stream into messages (docs/protocols.md, Queclink framing). An ASCII
 * report runs to the first `$` (or NUL), which is dropped; binary-mode frames carry their length at a
 * header-specific offset and are framed by it, so the stream stays in step even though decode refuses
 * them. Line breaks and NULs between messages are skipped. Anything else cannot be @Track and ends the
 * stream.
 */
import { type ProtocolError, protocolError } from '../errors.ts'
import type { Framed } from '../types.ts'
import { splitFrames, type Boundary } from '../framing.ts'
import { BINARY_HEADERS, BINARY_HEADER_BYTES, NEW_BINARY, NUL, TERMINATOR, TEXT_PREFIXES } from './constants.ts'

const PLUS = 0x2b
/** What may separate two messages: CR, LF, space, tab, NUL. */
const SEPARATORS = new Set([0x0d, 0x0a, 0x20, 0x09, NUL])
/** Every way a message may begin, to reject garbage from its first bytes instead of buffering it. */
const OPENINGS = [...TEXT_PREFIXES, ...BINARY_HEADERS.keys()].map((opening) => Buffer.from(opening, 'latin1'))

export function frame(buffer: Buffer, maxFrameBytes: number): Framed {
  return splitFrames(buffer, maxFrameBytes, nextBoundary, (byte) => SEPARATORS.has(byte))
}

/** True for a binary-mode message (Traccar `Gl200FrameDecoder.isBinary`, plus the newer `+` 0x00 frames). */
export function isBinary(bytes: Buffer): boolean {
  if (bytes.length >= 2 && bytes[0] === PLUS && bytes[1] === 0x00) return true
  const header = bytes.subarray(0, BINARY_HEADER_BYTES).toString('latin1')
  if (header === '+ACK') return bytes.length > BINARY_HEADER_BYTES && bytes[BINARY_HEADER_BYTES] !== 0x3a // ':'
  return BINARY_HEADERS.has(header)
}

/** Where the message at the start of `bytes` ends, as soon as the bytes present can tell. */
function nextBoundary(bytes: Buffer, maxFrameBytes: number): Boundary {
  if (bytes[0] !== PLUS) return notQueclink(bytes)
  if (bytes.length >= 2 && bytes[1] === 0x00) return binaryBoundary(bytes, NEW_BINARY, maxFrameBytes)
  if (TEXT_PREFIXES.some((prefix) => bytes.length >= prefix.length && bytes.toString('latin1', 0, prefix.length) === prefix)) {
    return textBoundary(bytes, maxFrameBytes)
  }
  // A binary +ACK is told from "+ACK:" by its fifth byte, so wait for it.
  if (bytes.length > BINARY_HEADER_BYTES && isBinary(bytes)) {
    return binaryBoundary(bytes, BINARY_HEADERS.get(bytes.toString('latin1', 0, BINARY_HEADER_BYTES))!, maxFrameBytes)
  }
  const head = bytes.subarray(0, Math.min(bytes.length, BINARY_HEADER_BYTES + 2))
  const couldStillBe = bytes.length < 2 || OPENINGS.some((opening) => opening.subarray(0, head.length).equals(head))
  return couldStillBe ? { wait: true } : notQueclink(bytes)
}

/** Up to the first `$` or NUL; every byte before it must be printable ASCII. */
function textBoundary(bytes: Buffer, maxFrameBytes: number): Boundary {
  const window = bytes.subarray(0, Math.min(bytes.length, maxFrameBytes + 1))
  for (let index = 0; index < window.length; index++) {
    const byte = window[index]!
    if (byte === TERMINATOR || byte === NUL) return { size: index, consumes: index + 1 }
    if (byte < 0x20 || byte > 0x7e) {
      return { error: protocolError('BAD_FRAME', `byte 0x${hex(byte)} at offset ${index} of an ASCII @Track report`) }
    }
  }
  if (bytes.length > maxFrameBytes) {
    return { error: protocolError('FRAME_TOO_LONG', `no "$" within ${maxFrameBytes} bytes: the report exceeds the limit`) }
  }
  return { wait: true }
}

function binaryBoundary(bytes: Buffer, at: { lengthAt: number; lengthBytes: 1 | 2 }, maxFrameBytes: number): Boundary {
  const headerEnd = at.lengthAt + at.lengthBytes
  if (bytes.length < headerEnd) return { wait: true }
  const size = at.lengthBytes === 1 ? bytes.readUInt8(at.lengthAt) : bytes.readUInt16BE(at.lengthAt)
  if (size < headerEnd) {
    return { error: protocolError('BAD_FRAME', `binary frame length ${size} does not cover its own ${headerEnd}-byte header`) }
  }
  if (size > maxFrameBytes) {
    return { error: protocolError('FRAME_TOO_LONG', `a ${size}-byte binary frame exceeds the ${maxFrameBytes}-byte limit`) }
  }
  return bytes.length < size ? { wait: true } : { size }
}

function notQueclink(bytes: Buffer): Boundary {
  const start = bytes.subarray(0, 6).toString('hex')
  return { error: protocolError('BAD_FRAME', `not a Queclink message: starts with 0x${start}`) }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0')
}
