/** Builds a big-endian message. Values out of range for their width throw (a programmer mistake). */
export class ByteWriter {
  #buffer: Buffer
  #length = 0

  constructor(initialCapacity = 256) {
    this.#buffer = Buffer.alloc(initialCapacity)
  }

  u8(value: number): this {
    const offset = this.#reserve(1)
    this.#buffer.writeUInt8(value, offset)
    return this
  }

  u16(value: number): this {
    const offset = this.#reserve(2)
    this.#buffer.writeUInt16BE(value, offset)
    return this
  }

  u32(value: number): this {
    const offset = this.#reserve(4)
    this.#buffer.writeUInt32BE(value, offset)
    return this
  }

  u64(value: bigint): this {
    const offset = this.#reserve(8)
    this.#buffer.writeBigUInt64BE(value, offset)
    return this
  }

  i16(value: number): this {
    const offset = this.#reserve(2)
    this.#buffer.writeInt16BE(value, offset)
    return this
  }

  i32(value: number): this {
    const offset = this.#reserve(4)
    this.#buffer.writeInt32BE(value, offset)
    return this
  }

  bytes(bytes: Uint8Array): this {
    const offset = this.#reserve(bytes.length)
    this.#buffer.set(bytes, offset)
    return this
  }

  /** A copy of what was written. */
  toBuffer(): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#length))
  }

  #reserve(length: number): number {
    const start = this.#length
    if (start + length > this.#buffer.length) {
      const grown = Buffer.alloc(Math.max(this.#buffer.length * 2, start + length))
      this.#buffer.copy(grown, 0, 0, start)
      this.#buffer = grown
    }
    this.#length = start + length
    return start
  }
}
