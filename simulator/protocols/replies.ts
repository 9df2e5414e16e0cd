/** Shared helper for the adapters' reply readers: keeps the incomplete tail of what the gateway sent. */
import { FrameReader } from '../../gateway/frame-reader.ts'
import type { ProtocolDescriptor } from '../../gateway/protocols/types.ts'

/** Takes complete replies from the front of `bytes` and says how many bytes they used. */
export type ReplyParser = (bytes: Buffer) => { keys: string[]; consumed: number }

export class ReplyReader {
  readonly #reader: FrameReader<string>

  constructor(parse: ReplyParser) {
    this.#reader = new FrameReader((bytes) => {
      const { keys, consumed } = parse(bytes)
      return { frames: keys, rest: bytes.subarray(consumed) }
    }, MAX_REPLY_BYTES)
  }

  read(chunk: Buffer): string[] {
    return this.#reader.read(chunk).frames
  }
}

/** Reply key for bytes no protocol rule matched (shown in errors). */
export const unexpectedKey = (bytes: Uint8Array): string => `unexpected:${Buffer.from(bytes).toString('hex')}`

/** Replies framed like the protocol's device messages, using the gateway's own `frame`; each frame becomes one key. */
export function framedReplies(frame: ProtocolDescriptor['frame'], toKey: (frame: Buffer) => string): ReplyParser {
  return (bytes) => {
    const framed = frame(bytes, MAX_REPLY_BYTES)
    const keys = framed.frames.map(toKey)
    // Bytes that cannot be framed are reported once and dropped, so the device times out or mismatches.
    if (framed.error) return { keys: [...keys, unexpectedKey(framed.rest)], consumed: bytes.length }
    return { keys, consumed: bytes.length - framed.rest.length }
  }
}

/** Replies are short; anything longer is not a reply the simulator waits for. */
const MAX_REPLY_BYTES = 4096
