import { describe, expect, it } from 'vitest'
import { omitUndefined } from './omit-undefined.ts'

describe('omitUndefined', () => {
  it('drops keys whose value is undefined and keeps falsy values', () => {
    const result = omitUndefined({ a: 1, b: undefined, c: 0, d: false, e: null })
    expect(result).toEqual({ a: 1, c: 0, d: false, e: null })
    expect(Object.keys(result)).toEqual(['a', 'c', 'd', 'e'])
  })
})
