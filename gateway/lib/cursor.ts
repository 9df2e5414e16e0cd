/** Reading past the end of a message. Decoders turn it into a `TRUNCATED` protocol error. */
export class OutOfBounds extends Error {
  constructor(wanted: number, offset: number, length: number) {
    super(`wanted ${wanted} byte(s) at offset ${offset} of a ${length}-byte message`)
    this.name = 'OutOfBounds'
  }
}

/** Reads big-endian values from a buffer front to back; every read is bounds-checked. */
export class ByteCursor {
  readonly #buffer: Buffer
  #offset: number

  constructor(buffer: Buffer, offset = 0) {
    this.#buffer = buffer
    this.#offset = offset
  }

  get offset(): number {
    return this.#offset
  }

  get remaining(): number {
    return this.#buffer.length - this.#offset
  }

  u8(): number {
    return this.#buffer.readUInt8(this.#take(1))
  }

  u16(): number {
    return this.#buffer.readUInt16BE(this.#take(2))
  }

  u32(): number {
    return this.#buffer.readUInt32BE(this.#take(4))
  }

  u64(): bigint {
    return this.#buffer.readBigUInt64BE(this.#take(8))
  }

  i16(): number {
    return this.#buffer.readInt16BE(this.#take(2))
  }

  i32(): number {
    return this.#buffer.readInt32BE(this.#take(4))
  }

  f32(): number {
    return this.#buffer.readFloatBE(this.#take(4))
  }

  /** The next `length` bytes, sharing memory with the message. */
  bytes(length: number): Buffer {
    const start = this.#take(length)
    return this.#buffer.subarray(start, start + length)
  }

  skip(length: number): void {
    this.#take(length)
  }

  #take(length: number): number {
    const start = this.#offset
    if (length > this.#buffer.length - start) throw new OutOfBounds(length, start, this.#buffer.length)
    this.#offset = start + length
    return start
  }
}
