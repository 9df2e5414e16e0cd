import { describe, expect, it } from 'vitest'
import { ApiError, isJsonMediaType, jsonDepthExceeds, parseCookies, safeDecode } from './http.ts'

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

describe('reading untrusted request text', () => {
  it('decodes escapes and answers null for broken ones instead of throwing', () => {
    expect(safeDecode('Van%2012')).toBe('Van 12')
    for (const broken of ['%', '%zz', '%ff', '100%', '%E0%A4%A']) expect(safeDecode(broken), broken).toBeNull()
  })

  it('leaves out a cookie whose value is a broken escape and keeps the others', () => {
    expect(parseCookies('theme=100%; fw_session=abc%3D; lang=lt')).toEqual({ fw_session: 'abc=', lang: 'lt' })
    expect(parseCookies('fw_session=%')).toEqual({})
    expect(parseCookies('')).toEqual({})
  })

  it('takes application/json, with a utf-8 charset or none, and nothing that merely mentions json', () => {
    for (const type of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      expect(isJsonMediaType(type), type).toBe(true)
    }
    for (const type of ['text/plain; x=json', 'text/json', 'application/json-patch+json', 'application/jsonx', 'application/json; charset=latin1', 'application/json; junk', '']) {
      expect(isJsonMediaType(type), type).toBe(false)
    }
  })

  it('finds nesting deeper than the limit without parsing, ignoring brackets inside strings', () => {
    const bytes = (text: string) => Buffer.from(text)
    expect(jsonDepthExceeds(bytes(nested(32)), 32)).toBe(false)
    expect(jsonDepthExceeds(bytes(nested(33)), 32)).toBe(true)
    expect(jsonDepthExceeds(bytes(`{"a":"${'['.repeat(100)}","b":[{"c":"\\"[[["}]}`), 3)).toBe(false)
    expect(jsonDepthExceeds(bytes(`{"a":"\\\\",${'['.repeat(5)}`), 4)).toBe(true)
    expect(jsonDepthExceeds(bytes(nested(500_000)), 32)).toBe(true)
    expect(jsonDepthExceeds(bytes(`["a\\\\"${'['.repeat(5)}`), 4)).toBe(true)
    expect(jsonDepthExceeds(bytes(`["a\\\"${'['.repeat(5)}"]`), 4)).toBe(false)
    expect(jsonDepthExceeds(bytes(`["unterminated ${'['.repeat(5)}`), 4)).toBe(false)
    expect(jsonDepthExceeds(bytes(`[{"é[":"€]"}, ${nested(3)}]`), 4)).toBe(false)
    expect(jsonDepthExceeds(bytes(`[{"é[":"€]"}, ${nested(4)}]`), 4)).toBe(true)
  })
})

describe('ApiError', () => {
  it('answers the status its code has in the API error table, in the API error shape', () => {
    expect(new ApiError('DEVICE_TAKEN', 'IMEI 356307042441013 is registered already').response()).toEqual({
      status: 409, body: { error: { code: 'DEVICE_TAKEN', message: 'IMEI 356307042441013 is registered already' } },
    })
    expect(new ApiError('TOO_MANY_ATTEMPTS', 'Try again later', { 'Retry-After': '60' })).toMatchObject({ status: 429, headers: { 'Retry-After': '60' } })
  })
})
