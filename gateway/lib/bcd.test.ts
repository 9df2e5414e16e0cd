import { describe, expect, it } from 'vitest'
import { encodeBcd, readBcdDigits } from './bcd.ts'

describe('packed BCD', () => {
  it('reads two digits per byte, high nibble first, keeping leading zeros', () => {
    expect(readBcdDigits(Buffer.from('0864717003283581', 'hex'))).toBe('0864717003283581')
    expect(readBcdDigits(new Uint8Array())).toBe('')
  })

  it('returns undefined instead of throwing when a nibble is not a decimal digit', () => {
    expect(readBcdDigits(Buffer.from('1a', 'hex'))).toBeUndefined()
    expect(readBcdDigits(Buffer.from('f1', 'hex'))).toBeUndefined()
  })

  it('packs digits back, padding an odd count with a leading zero nibble', () => {
    expect(encodeBcd('864717003283581').toString('hex')).toBe('0864717003283581')
    expect(encodeBcd('170926').toString('hex')).toBe('170926')
  })

  it('throws on characters that are not digits, a programmer mistake', () => {
    expect(() => encodeBcd('12a4')).toThrow(TypeError)
  })
})
