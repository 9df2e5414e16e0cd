import { describe, expect, it } from 'vitest'
import { fromHex, isHex, toHex } from './hex.ts'

describe('hex helpers', () => {
  it('round-trips bytes through lowercase hex', () => {
    expect(toHex(fromHex('000F31ff'))).toBe('000f31ff')
  })

  it('accepts whitespace between bytes', () => {
    expect(toHex(fromHex('00 0f\n31'))).toBe('000f31')
    expect(isHex('00 0f 31')).toBe(true)
  })

  it('rejects odd lengths and non-hex characters instead of truncating silently', () => {
    expect(isHex('abc')).toBe(false)
    expect(isHex('zz')).toBe(false)
    expect(() => fromHex('0g')).toThrow(TypeError)
  })

  it('encodes a view of a larger buffer without its neighbours', () => {
    expect(toHex(Buffer.from([1, 2, 3, 4]).subarray(1, 3))).toBe('0203')
  })
})
