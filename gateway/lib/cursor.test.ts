import { describe, expect, it } from 'vitest'
import { ByteCursor, OutOfBounds } from './cursor.ts'

describe('ByteCursor', () => {
  it('reads big-endian unsigned and signed values front to back', () => {
    const cursor = new ByteCursor(Buffer.from('ff' + 'fffe' + 'fffffffd' + 'fffe' + 'fffffffd', 'hex'))
    expect(cursor.u8()).toBe(0xff)
    expect(cursor.u16()).toBe(0xfffe)
    expect(cursor.u32()).toBe(0xfffffffd)
    expect(cursor.i16()).toBe(-2)
    expect(cursor.i32()).toBe(-3)
    expect(cursor.remaining).toBe(0)
  })

  it('reads 8-byte values as bigint, beyond 2^53', () => {
    expect(new ByteCursor(Buffer.from('ffffffffffffffff', 'hex')).u64()).toBe(2n ** 64n - 1n)
  })

  it('reads 32-bit floats', () => {
    expect(new ByteCursor(Buffer.from('42332a4c', 'hex')).f32()).toBeCloseTo(44.79131, 5)
  })

  it('returns byte slices and skips bytes, tracking the offset', () => {
    const cursor = new ByteCursor(Buffer.from('0102030405', 'hex'), 1)
    cursor.skip(1)
    expect(cursor.bytes(2).toString('hex')).toBe('0304')
    expect(cursor.offset).toBe(4)
    expect(cursor.remaining).toBe(1)
  })

  it('throws OutOfBounds instead of reading past the end, and does not move', () => {
    const cursor = new ByteCursor(Buffer.from('010203', 'hex'))
    expect(() => cursor.u32()).toThrow(OutOfBounds)
    expect(cursor.offset).toBe(0)
    expect(() => cursor.bytes(4)).toThrow(OutOfBounds)
    expect(() => cursor.skip(4)).toThrow(OutOfBounds)
    expect(cursor.u16()).toBe(0x0102)
  })
})
