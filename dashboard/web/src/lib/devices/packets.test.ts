import { describe, expect, it } from 'vitest'
import { groupHex, readRecord, recordCountLabel } from './packets.ts'

describe('readRecord', () => {
  it('keeps the fields of the right type and drops the rest', () => {
    const record = readRecord({
      fixTime: '2026-11-22T08:00:00Z',
      latitude: 54.6,
      longitude: 'east',
      speedKmh: Number.NaN,
      ignition: true,
      valid: 'yes',
      events: ['powerCut', 7],
      io: { 239: 1 },
    })
    expect(record).toEqual({ fixTime: '2026-11-22T08:00:00Z', latitude: 54.6, ignition: true, events: ['powerCut'] })
  })

  it('has no events when none were sent', () => {
    expect(readRecord({}).events).toEqual([])
  })
})

describe('labels', () => {
  it('counts records in words', () => {
    expect(recordCountLabel(0)).toBe('no record')
    expect(recordCountLabel(1)).toBe('1 record')
    expect(recordCountLabel(12)).toBe('12 records')
  })

  it('groups hex in two-byte words', () => {
    expect(groupHex('000f33353633')).toBe('000f 3335 3633')
    expect(groupHex('000f3')).toBe('000f 3')
  })
})
