/** Shared helper for the adapters' reply readers: keeps the incomplete tail of what the gateway sent. */

/** Takes complete replies from the front of `bytes` and says how many bytes they used. */
export type ReplyParser = (bytes: Buffer) => { keys: string[]; consumed: number }

export class ReplyReader {
  #rest: Buffer = Buffer.alloc(0)
  readonly #parse: ReplyParser

  constructor(parse: ReplyParser) {
    this.#parse = parse
  }

  read(chunk: Buffer): string[] {
    const bytes = this.#rest.length === 0 ? chunk : Buffer.concat([this.#rest, chunk])
    const { keys, consumed } = this.#parse(bytes)
    this.#rest = Buffer.from(bytes.subarray(consumed))
    return keys
  }
}

/** Reply key for bytes no protocol rule matched (shown in errors). */
export const unexpectedKey = (bytes: Uint8Array): string => `unexpected:${Buffer.from(bytes).toString('hex')}`
