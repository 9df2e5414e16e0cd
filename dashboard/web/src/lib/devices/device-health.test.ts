import { describe, expect, it } from 'vitest'
import type { DeviceSummary } from '../../../../shared/contract.ts'
import { deviceHealth, formatFix, formatSignal, matchesDeviceFilter, problemsFirst } from './device-health.ts'

const now = Date.parse('2026-11-22T12:00:00Z')
const ago = (ms: number) => new Date(now - ms).toISOString()

function device(imei: string, fields: Partial<DeviceSummary> = {}): DeviceSummary {
  return { imei, protocol: 'teltonika', vehicleId: null, name: imei, connected: true, lastSeen: ago(5000), status: 'moving', position: null, ...fields }
}

describe('deviceHealth', () => {
  it('tells never connected, stopped reporting, not connected and reporting apart', () => {
    expect(deviceHealth(device('1', { lastSeen: null, status: 'never', connected: false }), now)).toBe('never')
    expect(deviceHealth(device('2', { lastSeen: ago(11 * 60_000) }), now)).toBe('silent')
    expect(deviceHealth(device('3', { status: 'noUpdate' }), now)).toBe('silent')
    expect(deviceHealth(device('4', { connected: false }), now)).toBe('offline')
    expect(deviceHealth(device('5'), now)).toBe('ok')
  })
})

describe('problemsFirst', () => {
  it('puts devices that never connected, then silent ones, then unconnected ones first, keeping the given order', () => {
    const sorted = problemsFirst(
      [
        device('ok-a'),
        device('offline', { connected: false }),
        device('silent', { lastSeen: ago(3_600_000) }),
        device('ok-b'),
        device('never', { lastSeen: null, status: 'never' }),
      ],
      now,
    )
    expect(sorted.map((d) => d.imei)).toEqual(['never', 'silent', 'offline', 'ok-a', 'ok-b'])
  })
})

describe('matchesDeviceFilter', () => {
  const silent = device('111', { lastSeen: ago(3_600_000), name: 'Van 7' })
  const fine = device('222', { protocol: 'gt06' })

  it('filters problems and reporting devices', () => {
    expect(matchesDeviceFilter(silent, 'problems', '', now)).toBe(true)
    expect(matchesDeviceFilter(fine, 'problems', '', now)).toBe(false)
    expect(matchesDeviceFilter(fine, 'reporting', '', now)).toBe(true)
    expect(matchesDeviceFilter(silent, 'reporting', '', now)).toBe(false)
  })

  it('searches IMEI, vehicle name and protocol', () => {
    expect(matchesDeviceFilter(silent, 'all', 'van', now)).toBe(true)
    expect(matchesDeviceFilter(fine, 'all', '22', now)).toBe(true)
    expect(matchesDeviceFilter(fine, 'all', 'GT06', now)).toBe(true)
    expect(matchesDeviceFilter(fine, 'all', 'truck', now)).toBe(false)
  })
})

describe('formatFix and formatSignal', () => {
  const position = { fixTime: ago(1000), latitude: 1, longitude: 2, valid: true }

  it('shows whether the fix is valid, and satellites when reported', () => {
    expect(formatFix({ ...position, satellites: 9 })).toBe('Valid · 9 sats')
    expect(formatFix({ ...position, satellites: 2, valid: false })).toBe('No fix · 2 sats')
    expect(formatFix(position)).toBe('Valid')
    expect(formatFix(null)).toBe('–')
  })

  it('shows signal when reported', () => {
    expect(formatSignal({ ...position, gsmSignal: 4 })).toBe('4')
    expect(formatSignal(position)).toBe('–')
  })
})
