import { describe, expect, it } from 'vitest'
import { ByteWriter } from './writer.ts'

describe('ByteWriter', () => {
  it('writes big-endian values and grows past its initial capacity', () => {
    const bytes = new ByteWriter(1).u8(1).u16(0x0203).u32(0x04050607).u64(0x08090a0b0c0d0e0fn).i16(-2).i32(-3).bytes(Buffer.of(9)).toBuffer()
    expect(bytes.toString('hex')).toBe('01' + '0203' + '04050607' + '08090a0b0c0d0e0f' + 'fffe' + 'fffffffd' + '09')
  })

  it('throws on a value that does not fit its width, a programmer mistake', () => {
    expect(() => new ByteWriter().u8(256)).toThrow(RangeError)
    expect(() => new ByteWriter().u16(-1)).toThrow(RangeError)
  })
})
