import { describe, expect, it } from 'vitest'
import { isValidImei } from '../test/helpers/imei.ts'
import { deviceImei, luhnCheckDigit } from './imei.ts'
import { percentile, summarize } from './stats.ts'

describe('latency percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(values, 50)).toBe(50)
    expect(percentile(values, 95)).toBe(95)
    expect(percentile(values, 99)).toBe(99)
    expect(percentile(values, 100)).toBe(100)
    expect(percentile([7], 99)).toBe(7)
  })

  it('sorts unsorted input and reports nothing for no samples', () => {
    expect(summarize([30, 10, 20])).toEqual({ count: 3, p50: 20, p95: 30, p99: 30, max: 30 })
    expect(summarize([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null })
  })
})

describe('device IMEIs', () => {
  it('computes the Luhn check digit of a real IMEI', () => {
    expect(luhnCheckDigit('49015420323751')).toBe(8)
    expect(isValidImei('490154203237518')).toBe(true)
    expect(isValidImei('490154203237519')).toBe(false)
  })

  it('numbers devices from the base and keeps every IMEI 15 digits and Luhn-valid', () => {
    const imeis = Array.from({ length: 25 }, (_, i) => deviceImei('356307042440000', i))
    expect(new Set(imeis).size).toBe(25)
    for (const [i, imei] of imeis.entries()) {
      expect(isValidImei(imei)).toBe(true)
      expect(imei.slice(0, 14)).toBe(String(35630704244000 + i))
    }
  })

  it('refuses a base that would overflow 15 digits', () => {
    expect(() => deviceImei('999999999999990', 1)).toThrow(/overflows/)
  })
})
