import type { ProtocolError } from './protocols/errors.ts'

/** What a split of the bytes held gives: complete messages, the incomplete tail, or bytes that cannot be read. */
export interface Split<T> {
  frames: T[]
  /** Bytes of an incomplete message, to be completed by the next read. */
  rest: Buffer
  /** Set when the stream cannot be framed any more (the connection should be closed). */
  error?: ProtocolError
}

/** Cuts complete messages off the front of `bytes`; a protocol's `frame`, or a reader of replies. */
export type Splitter<T> = (bytes: Buffer, maxFrameBytes: number) => Split<T>

/** Held when nothing is pending: a tail that is empty is dropped, so an idle stream holds no buffer. */
const NOTHING: Buffer = Buffer.alloc(0)

/**
 * The one place a byte stream is cut into messages (the TCP transport, the decode command, the fuzzer, the
 * simulator's reply readers and the framing tests): reads are pushed in as they arrive, complete messages
 * are taken out, and the incomplete tail is kept for the next read.
 */
export class FrameReader<T = Buffer> {
  #pending: Buffer = NOTHING

  constructor(
    private readonly split: Splitter<T>,
    private readonly maxFrameBytes: number,
  ) {}

  /** Bytes held: the incomplete message waiting for more, plus reads not taken yet. */
  get pendingBytes(): number {
    return this.#pending.length
  }

  /** The bytes held, for reporting a stream that ended inside a message. */
  get pending(): Buffer {
    return this.#pending
  }

  /** Adds a read to what is held, without cutting. */
  push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
  }

  /** Cuts the complete messages off what is held and keeps the rest (after an error, the unreadable bytes). */
  take(): Split<T> {
    const split = this.split(this.#pending, this.maxFrameBytes)
    this.#pending = split.rest.length === 0 ? NOTHING : split.rest
    return split
  }

  /** `push` then `take`. */
  read(chunk: Buffer): Split<T> {
    this.push(chunk)
    return this.take()
  }
}
