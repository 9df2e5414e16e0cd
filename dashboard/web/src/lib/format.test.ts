import { describe, expect, it } from 'vitest'
import { formatAge, formatCoordinates, formatSpeed } from './format.ts'

const now = Date.parse('2025-06-10T12:00:00Z')
const ago = (ms: number) => new Date(now - ms).toISOString()
const s = 1000
const min = 60 * s
const h = 60 * min
const d = 24 * h

describe('formatAge', () => {
  it('says never for a device that never reported', () => {
    expect(formatAge(null, now)).toBe('never')
  })

  it('says now for times within the last second or slightly in the future', () => {
    expect(formatAge(ago(400), now)).toBe('now')
    expect(formatAge(ago(-5 * s), now)).toBe('now')
  })

  it('counts seconds, then minutes, under an hour', () => {
    expect(formatAge(ago(12 * s), now)).toBe('12 s')
    expect(formatAge(ago(59 * s + 999), now)).toBe('59 s')
    expect(formatAge(ago(5 * min + 30 * s), now)).toBe('5 min')
  })

  it('shows hours and minutes under a day, dropping zero minutes', () => {
    expect(formatAge(ago(2 * h + 15 * min), now)).toBe('2 h 15 min')
    expect(formatAge(ago(3 * h + 20 * s), now)).toBe('3 h')
  })

  it('shows days and hours beyond a day, dropping zero hours', () => {
    expect(formatAge(ago(3 * d + 4 * h + 59 * min), now)).toBe('3 d 4 h')
    expect(formatAge(ago(400 * d), now)).toBe('400 d')
  })

  it('says unknown for a time it cannot parse', () => {
    expect(formatAge('yesterday', now)).toBe('unknown')
  })
})

describe('formatSpeed', () => {
  it('rounds to whole km/h', () => {
    expect(formatSpeed(42.6)).toBe('43 km/h')
    expect(formatSpeed(0)).toBe('0 km/h')
  })

  it('shows a dash when the device did not report speed', () => {
    expect(formatSpeed(undefined)).toBe('–')
  })
})

describe('formatCoordinates', () => {
  it('writes hemispheres instead of signs, with five decimals', () => {
    expect(formatCoordinates(52.52, 13.405)).toBe('52.52000° N, 13.40500° E')
    expect(formatCoordinates(-33.8688, -70.6693)).toBe('33.86880° S, 70.66930° W')
  })
})
