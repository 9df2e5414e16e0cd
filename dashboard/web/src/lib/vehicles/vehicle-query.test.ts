import { describe, expect, it } from 'vitest'
import type { DeviceSummary } from '../../../../shared/contract.ts'
import { byDisplayName, countByStatus, displayName, matchesFilter } from './vehicle-query.ts'

function device(imei: string, name: string, status: DeviceSummary['status'] = 'moving'): DeviceSummary {
  return { imei, name, status, protocol: 'teltonika', vehicleId: null, connected: true, lastSeen: null, position: null }
}

describe('displayName', () => {
  it('uses the name, or the IMEI when the device has no name', () => {
    expect(displayName(device('356307042441013', 'Van 7'))).toBe('Van 7')
    expect(displayName(device('356307042441013', '  '))).toBe('356307042441013')
  })
})

describe('byDisplayName', () => {
  it('sorts names with numbers in natural order, ignoring case', () => {
    const sorted = [device('3', 'van 10'), device('1', 'Van 2'), device('2', 'truck')].sort(byDisplayName)
    expect(sorted.map(displayName)).toEqual(['truck', 'Van 2', 'van 10'])
  })
})

describe('countByStatus', () => {
  it('counts every status, including those with no vehicle', () => {
    const counts = countByStatus([device('1', 'a'), device('2', 'b', 'idle'), device('3', 'c')])
    expect(counts).toEqual({ moving: 2, idle: 1, stopped: 0, noUpdate: 0, never: 0 })
  })
})

describe('matchesFilter', () => {
  const van = device('356307042441013', 'Delivery Van', 'idle')

  it('matches a search in the name regardless of case, or in the IMEI', () => {
    expect(matchesFilter(van, { search: 'van', status: null })).toBe(true)
    expect(matchesFilter(van, { search: '4244', status: null })).toBe(true)
    expect(matchesFilter(van, { search: 'truck', status: null })).toBe(false)
  })

  it('keeps only the chosen status', () => {
    expect(matchesFilter(van, { search: '', status: 'idle' })).toBe(true)
    expect(matchesFilter(van, { search: '', status: 'moving' })).toBe(false)
  })
})
