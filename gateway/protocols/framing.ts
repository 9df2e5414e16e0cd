import type { ProtocolError } from './errors.ts'
import type { Framed } from './types.ts'

/**
 * Where the message at the start of `bytes` ends, as soon as the bytes present can tell: its `size`
 * (and how many bytes it `consumes` when a delimiter follows that is not part of it), `wait` for more,
 * or an `error` when the bytes cannot start a message of the protocol.
 */
export type Boundary = { size: number; consumes?: number } | { wait: true } | { error: ProtocolError }

export const WAIT: Boundary = { wait: true }

/**
 * The one stream-splitting loop every protocol's `frame` uses: cut complete messages off the front,
 * keep an incomplete tail for the next read, stop at the first bytes that cannot be a message.
 */
export function splitFrames(
  buffer: Buffer,
  maxFrameBytes: number,
  nextBoundary: (bytes: Buffer, maxFrameBytes: number) => Boundary,
  isSeparator: (byte: number) => boolean = () => false,
): Framed {
  const frames: Buffer[] = []
  let offset = 0
  for (;;) {
    while (offset < buffer.length && isSeparator(buffer[offset]!)) offset++
    if (offset >= buffer.length) break
    const boundary = nextBoundary(buffer.subarray(offset), maxFrameBytes)
    if ('error' in boundary) return { frames, rest: buffer.subarray(offset), error: boundary.error }
    if ('wait' in boundary) break
    frames.push(buffer.subarray(offset, offset + boundary.size))
    offset += boundary.consumes ?? boundary.size
  }
  return { frames, rest: buffer.subarray(offset) }
}
