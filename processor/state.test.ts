import { describe, expect, it } from 'vitest'
import { makeRecord } from '../test/helpers/records.ts'
import { observe } from './pipeline.ts'
import { applyLive, DEFAULT_STATE_SETTINGS as settings, emptyState, isHistory, statusAt } from './state.ts'
import { at, drive, recordAt, START_MS } from '../test/helpers/processor-drive.ts'

describe('vehicle state', () => {
  const start = emptyState('356307042441013', 'teltonika')
  const liveStep = (state: typeof start, record: ReturnType<typeof makeRecord>, buffered: boolean, ignition: boolean | undefined) =>
    applyLive(state, { ...observe(state, record, settings), buffered, ignition }, settings).state
  const live = (state: typeof start, record: ReturnType<typeof makeRecord>) => liveStep(state, record, false, record.ignition)

  it('takes the newest fix as the live position and derives moving and stopped from motion and ignition', () => {
    const moving = live(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', speedKmh: 40 }))
    expect(moving).toMatchObject({ status: 'moving', position: { fixTime: '2026-01-01T10:00:00.000Z', speedKmh: 40 } })
    const stopped = live(moving, makeRecord({ fixTime: '2026-01-01T10:02:00.000Z', speedKmh: 0, ignition: false }))
    expect(stopped.status).toBe('stopped')
  })

  it('shows on the live position whether the fix is valid and the GSM signal the device reported', () => {
    const fixed = live(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', valid: true, satellites: 9, gsmSignal: 4 }))
    expect(fixed.position).toMatchObject({ valid: true, satellites: 9, gsmSignal: 4 })
    const lost = live(fixed, makeRecord({ fixTime: '2026-01-01T10:01:00.000Z', valid: false, satellites: 0, gsmSignal: undefined }))
    expect(lost.position).toMatchObject({ valid: false, satellites: 0 })
    expect(lost.position).not.toHaveProperty('gsmSignal')
  })

  it('uses the motion flag when the device reports no speed', () => {
    const state = live(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', speedKmh: undefined, motion: true }))
    expect(state.status).toBe('moving')
  })

  it('keeps the previous status while ignition is on without moving, and turns idle only after IDLE_AFTER', () => {
    const { states } = drive([
      recordAt(0, { speedKmh: 40 }),
      recordAt(30, { speedKmh: 0 }),
      recordAt(150, { speedKmh: 0 }),
      recordAt(151, { speedKmh: 0 }),
    ])
    expect(states.map((state) => state.status)).toEqual(['moving', 'moving', 'moving', 'idle'])
    expect(states[3]!.tracking.idleSinceMs).toBe(START_MS + 30_000)
  })

  it('restarts the idle clock when the vehicle moves or the ignition goes off in between', () => {
    const { states } = drive([
      recordAt(0, { speedKmh: 0 }),
      recordAt(100, { speedKmh: 30 }),
      recordAt(110, { speedKmh: 0 }),
      recordAt(200, { speedKmh: 0, ignition: false }),
      recordAt(210, { speedKmh: 0, ignition: true }),
      recordAt(300, { speedKmh: 0, ignition: true }),
      recordAt(331, { speedKmh: 0, ignition: true }),
    ])
    expect(states.map((state) => state.status)).toEqual(['idle', 'moving', 'moving', 'stopped', 'stopped', 'stopped', 'idle'])
  })

  it('shows idle by time when ignition stayed on without moving and no record came since', () => {
    const { state } = drive([recordAt(0, { speedKmh: 50 }), recordAt(10, { speedKmh: 0 })])
    expect(state.status).toBe('moving')
    expect(statusAt(state, START_MS + 10_000 + settings.idleAfterMs, settings)).toBe('moving')
    expect(statusAt(state, START_MS + 10_001 + settings.idleAfterMs, settings)).toBe('idle')
  })

  it('does not move the live position for buffered or older records, but counts them as seen', () => {
    const first = live(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z', latitude: 55 }))
    const older = makeRecord({ fixTime: '2026-01-01T09:00:00.000Z', receivedAt: '2026-01-01T10:05:00.000Z', latitude: 54 })
    const after = live(first, older)
    expect(after.position?.latitude).toBe(55)
    expect(after.lastSeen).toBe('2026-01-01T10:05:00.000Z')
    expect(after.tracking.lastSeenMs).toBe(Date.parse('2026-01-01T10:05:00.000Z'))
    const flagged = liveStep(first, makeRecord({ fixTime: '2026-01-01T11:00:00.000Z' }), true, true)
    expect(flagged.position?.fixTime).toBe('2026-01-01T10:00:00.000Z')
  })

  it('stores but does not show live a fix more than a day ahead of its arrival (a device with a wrong clock)', () => {
    const first = live(start, makeRecord({ fixTime: '2026-01-01T10:00:00.000Z' }))
    const future = makeRecord({ fixTime: '2026-01-02T10:00:01.001Z', receivedAt: '2026-01-01T10:00:01.000Z' })
    const after = live(first, future)
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
    const seen = live(start, makeRecord({ fixTime: at(0) }))
    expect(statusAt(seen, START_MS + settings.noUpdateAfterMs, settings)).toBe('moving')
    expect(statusAt(seen, START_MS + settings.noUpdateAfterMs + 1, settings)).toBe('noUpdate')
  })
})
