import { describe, expect, it, vi } from 'vitest'
import { pino } from 'pino'
import { processRecord } from './pipeline.ts'
import { startNoUpdateSweep, sweepIntervalMs, sweepNoUpdate } from './no-update-sweep.ts'
import { emptyState, type VehicleState } from './state.ts'
import { at, drive, recordAt, settingsWith, START_MS } from '../test/helpers/processor-drive.ts'

const settings = settingsWith({ noUpdateAfterMs: 60 * 60_000 })
const HOUR = 60 * 60_000

describe('no-update sweep', () => {
  const seen = drive([recordAt(0, { latitude: 54.1, longitude: 25.1 })], settings).state

  it('raises one alert when a vehicle crosses NO_UPDATE_AFTER, timed at the crossing, at its last position', () => {
    expect(sweepNoUpdate([seen], START_MS + HOUR, settings).raised).toEqual([])
    const swept = sweepNoUpdate([seen], START_MS + HOUR + 5_000, settings)
    expect(swept.raised).toEqual([
      { kind: 'raise', type: 'noUpdate', imei: seen.imei, time: at(3600), latitude: 54.1, longitude: 25.1, delayed: false, details: { lastSeen: at(0) } },
    ])
    expect(swept.states[0]!.tracking.noUpdateAtMs).toBe(START_MS + HOUR)
    expect(sweepNoUpdate(swept.states, START_MS + 3 * HOUR, settings).raised).toEqual([])
  })

  it('is cleared by the next record, when that record arrived, and can be raised again after a new silence', () => {
    const silent = sweepNoUpdate([seen], START_MS + 2 * HOUR, settings).states[0]!
    const back = processRecord(silent, recordAt(7300, { receivedAt: at(7300) }), settings)
    expect(back.changes).toEqual([{ kind: 'clear', type: 'noUpdate', imei: seen.imei, time: at(3600), clearedAt: at(7300) }])
    expect(back.state.tracking.noUpdateAtMs).toBeNull()
    expect(sweepNoUpdate([back.state], START_MS + 7300_000 + HOUR + 1, settings).raised).toHaveLength(1)
  })

  it('also clears on history uploaded late, and on a record without a position', () => {
    const silent = sweepNoUpdate([seen], START_MS + 2 * HOUR, settings).states[0]!
    const history = processRecord(silent, recordAt(60, { buffered: true, receivedAt: at(7200) }), settings)
    expect(history.changes.map((change) => change.kind)).toEqual(['clear'])
    const heartbeat = processRecord(silent, recordAt(7200, { latitude: undefined, longitude: undefined, valid: false }), settings)
    expect(heartbeat.changes.map((change) => change.kind)).toEqual(['clear'])
  })

  it('skips devices that never reported and devices whose records are being committed with the sweep', () => {
    const never = emptyState('356307042449999', 'teltonika')
    expect(sweepNoUpdate([never, seen], START_MS + 2 * HOUR, settings, new Set([seen.imei])).raised).toEqual([])
  })

  it('shows a vehicle idle by time when ignition stayed on without moving and no record came since', () => {
    const stillIgnitionOn = drive([recordAt(0, { speedKmh: 40 }), recordAt(10, { speedKmh: 0 })], settings).state
    expect(sweepNoUpdate([stillIgnitionOn], START_MS + 10_000 + settings.idleAfterMs, settings).states).toEqual([])
    const swept = sweepNoUpdate([stillIgnitionOn], START_MS + 10_001 + settings.idleAfterMs, settings)
    expect(swept.states.map((state) => state.status)).toEqual(['idle'])
    expect(swept.raised).toEqual([])
  })

  it('sweeps 100,000 vehicles, raising exactly those that crossed the threshold and nothing on the next pass', () => {
    const states = new Map<string, VehicleState>()
    for (let i = 0; i < 100_000; i++) {
      const imei = String(350000000000000 + i)
      const base = emptyState(imei, 'teltonika')
      const lastSeenMs = START_MS - (i % 2 === 0 ? 2 * HOUR : 10 * 60_000)
      states.set(imei, { ...base, lastSeen: new Date(lastSeenMs).toISOString(), status: 'stopped', tracking: { ...base.tracking, lastSeenMs } })
    }
    const first = sweepNoUpdate(states.values(), START_MS, settings)
    expect(first.raised).toHaveLength(50_000)
    expect(first.states).toHaveLength(50_000)
    for (const state of first.states) states.set(state.imei, state)
    const second = sweepNoUpdate(states.values(), START_MS + 60_000, settings)
    expect(second.raised).toHaveLength(0)
    expect(second.states).toHaveLength(0)
  })

  it('runs every min(60 s, NO_UPDATE_AFTER / 10) on the injected clock, one pass at a time', async () => {
    expect(sweepIntervalMs({ noUpdateAfterMs: 24 * HOUR })).toBe(60_000)
    expect(sweepIntervalMs({ noUpdateAfterMs: 5_000 })).toBe(500)
    vi.useFakeTimers()
    try {
      const calls: number[] = []
      let release: () => void = () => {}
      const target = { sweep: (now: number) => (calls.push(now), new Promise<void>((resolve) => (release = resolve))) }
      let clock = 1_000
      const stop = startNoUpdateSweep(target, { intervalMs: 500, now: () => clock, log: pino({ level: 'silent' }) })
      await vi.advanceTimersByTimeAsync(500)
      clock = 2_000
      await vi.advanceTimersByTimeAsync(500)
      expect(calls).toEqual([1_000])
      release()
      await vi.advanceTimersByTimeAsync(500)
      expect(calls).toEqual([1_000, 2_000])
      stop()
    } finally {
      vi.useRealTimers()
    }
  })
})
