import { describe, expect, it } from 'vitest'
import { makeRecord } from '../test/helpers/records.ts'
import { applyRecord, DEFAULT_STATE_SETTINGS as settings, emptyState, isHistory, statusAt } from './state.ts'

describe('vehicle state', () => {
  const start = emptyState('356307042441013', 'teltonika')

  it('takes the newest fix as the live position and derives the status from motion and ignition', () => {
    const moving = applyRecord(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', speedKmh: 40 }), settings)
    expect(moving).toMatchObject({ status: 'moving', position: { fixTime: '2026-01-01T10:00:00.000Z', speedKmh: 40 } })
    const idle = applyRecord(moving, makeRecord({ fixTime: '2026-01-01T10:01:00.000Z', speedKmh: 0, ignition: true }), settings)
    expect(idle.status).toBe('idle')
    const stopped = applyRecord(idle, makeRecord({ fixTime: '2026-01-01T10:02:00.000Z', speedKmh: 0, ignition: false }), settings)
    expect(stopped.status).toBe('stopped')
  })

  it('uses the motion flag when the device reports no speed', () => {
    const state = applyRecord(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', speedKmh: undefined, motion: true }), settings)
    expect(state.status).toBe('moving')
  })

  it('does not move the live position for buffered or older records, but counts them as seen', () => {
    const live = applyRecord(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', latitude: 55 }), settings)
    const older = makeRecord({ fixTime: '2026-01-01T09:00:00.000Z', receivedAt: '2026-01-01T10:05:00.000Z', latitude: 54 })
    const after = applyRecord(live, older, settings)
    expect(after.position?.latitude).toBe(55)
    expect(after.lastSeen).toBe('2026-01-01T10:05:00.000Z')
    const flagged = applyRecord(live, makeRecord({ fixTime: '2026-01-01T11:00:00.000Z', buffered: true }), settings)
    expect(flagged.position?.fixTime).toBe('2026-01-01T10:00:00.000Z')
  })

  it('stores but does not show live a fix more than a day ahead of its arrival (a device with a wrong clock)', () => {
    const live = applyRecord(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z' }), settings)
    const future = makeRecord({ fixTime: '2026-01-02T10:00:01.001Z', receivedAt: '2026-01-01T10:00:01.000Z' })
    const after = applyRecord(live, future, settings)
    expect(after.position?.fixTime).toBe('2026-01-01T10:00:00.000Z')
    expect(after.lastSeen).toBe('2026-01-01T10:00:01.000Z')
  })

  it('recognises history by an older fix time or by lag beyond the configured limit', () => {
    const newest = Date.parse('2026-01-01T10:00:00.000Z')
    expect(isHistory(makeRecord({ fixTime: '2026-01-01T09:59:59.000Z', receivedAt: '2026-01-01T10:00:00.000Z' }), newest, settings)).toBe(true)
    expect(isHistory(makeRecord({ fixTime: '2026-01-01T10:00:01.000Z', receivedAt: '2026-01-01T10:00:02.000Z' }), newest, settings)).toBe(false)
    expect(isHistory(makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', receivedAt: '2026-01-01T10:05:00.001Z' }), undefined, settings)).toBe(true)
    expect(isHistory(makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', receivedAt: '2026-01-01T10:04:59.000Z' }), undefined, settings)).toBe(false)
  })

  it('reports noUpdate once nothing arrived for longer than the threshold, and never before any data', () => {
    expect(statusAt(start, Date.now(), settings)).toBe('never')
    const seen = applyRecord(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z' }), settings)
    const seenAt = Date.parse('2026-01-01T10:00:00.000Z')
    expect(statusAt(seen, seenAt + settings.noUpdateAfterMs, settings)).toBe('moving')
    expect(statusAt(seen, seenAt + settings.noUpdateAfterMs + 1, settings)).toBe('noUpdate')
  })
})
