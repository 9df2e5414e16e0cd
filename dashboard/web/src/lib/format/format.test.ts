import { describe, expect, it } from 'vitest'
import {
  formatAge,
  formatAgo,
  formatClock,
  formatCoordinates,
  formatDateTime,
  formatHours,
  formatKm,
  formatOnOff,
  formatSpeed,
  formatStatus,
  formatVoltage,
  isStale,
} from './format.ts'

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

describe('formatStatus', () => {
  it('says how long a silent vehicle has been silent, in days and hours', () => {
    expect(formatStatus('noUpdate', ago(3 * d + 4 * h + 10 * min), now)).toBe('No Update · 3 d 4 h')
    expect(formatStatus('noUpdate', null, now)).toBe('No Update')
  })

  it('uses the plain label for every other status', () => {
    expect(formatStatus('moving', ago(2 * s), now)).toBe('Moving')
    expect(formatStatus('never', null, now)).toBe('Never reported')
  })
})

describe('formatAgo', () => {
  it('adds "ago" to an age but not to now or never', () => {
    expect(formatAgo(ago(5 * min), now)).toBe('5 min ago')
    expect(formatAgo(ago(100), now)).toBe('now')
    expect(formatAgo(null, now)).toBe('never')
  })
})

describe('units', () => {
  it('writes voltages with one decimal and a dash when absent', () => {
    expect(formatVoltage(12.64)).toBe('12.6 V')
    expect(formatVoltage(undefined)).toBe('–')
  })

  it('writes mileage and engine hours with thousands separators and one decimal', () => {
    expect(formatKm(123456.78)).toBe('123,456.8 km')
    expect(formatHours(1234.04)).toBe('1,234.0 h')
    expect(formatKm(undefined)).toBe('–')
  })

  it('writes ignition as On, Off or a dash', () => {
    expect(formatOnOff(true)).toBe('On')
    expect(formatOnOff(false)).toBe('Off')
    expect(formatOnOff(undefined)).toBe('–')
  })
})

describe('times', () => {
  it('shows wall-clock time and date in the given time zone', () => {
    expect(formatClock('2026-11-22T13:04:05Z', 'UTC')).toBe('13:04:05')
    expect(formatClock('2026-11-22T13:04:05Z', 'Europe/Vilnius')).toBe('15:04:05')
    expect(formatDateTime('2026-11-22T13:04:05Z', 'UTC')).toBe('22 Nov 2026, 13:04')
  })

  it('shows a dash for a time it cannot parse', () => {
    expect(formatClock('soon')).toBe('–')
    expect(formatDateTime('soon')).toBe('–')
  })
})

describe('isStale', () => {
  it('is stale past the threshold, and when the device never reported', () => {
    expect(isStale(ago(11 * min), now, 10 * min)).toBe(true)
    expect(isStale(ago(9 * min), now, 10 * min)).toBe(false)
    expect(isStale(null, now, 10 * min)).toBe(true)
  })
})
