import { describe, expect, it } from 'vitest'
import { ALERT_STEPS, STEPS, laneOf, processRecord } from './pipeline.ts'
import { emptyState } from './state.ts'
import { compactTracking, reviveTracking } from './tracking.ts'
import { at, drive, raisedOf, recordAt, settingsWith } from '../test/helpers/processor-drive.ts'

const settings = settingsWith()

describe('processor pipeline', () => {
  it('lists the alert detectors in order: no-update clear, power, harsh driving, ignition wiring', () => {
    expect(ALERT_STEPS.map((step) => step.name)).toEqual(['clearNoUpdate', 'detectPowerDisconnect', 'detectHarshDriving', 'detectIgnitionWiring'])
  })

  it('runs every record through one ordered list of steps', () => {
    expect(STEPS.map((step) => step.name)).toEqual([
      'enterHistory', 'applyLive', 'applyCounters', 'clearNoUpdate', 'detectPowerDisconnect', 'detectHarshDriving', 'detectIgnitionWiring', 'advanceTimeline',
    ])
  })

  it('marks history and flags the alerts it raises as delayed, while live records raise them undelayed', () => {
    const { buffered, changes } = drive([
      recordAt(0, { events: ['harshBraking'] }),
      recordAt(60, { events: ['harshCornering'], receivedAt: at(700) }),
      recordAt(30, { events: ['harshAcceleration'], receivedAt: at(701) }),
    ])
    expect(buffered).toEqual([false, true, true])
    expect(changes.map((change) => change.kind === 'raise' && [change.type, change.delayed])).toEqual([
      ['harshBraking', false],
      ['harshCornering', true],
      ['harshAcceleration', true],
    ])
  })

  it('follows records older than what was already processed in a separate history stream', () => {
    const { state } = drive([recordAt(100), recordAt(110), { ...recordAt(50), buffered: true, receivedAt: at(111) }, { ...recordAt(60), buffered: true, receivedAt: at(111) }])
    expect(state.tracking.live.fixMs).toBe(Date.parse(at(110)))
    expect(state.tracking.history.fixMs).toBe(Date.parse(at(60)))
    expect(state.position?.fixTime).toBe(at(110))
    expect(laneOf(state, Date.parse(at(200)), Date.parse(at(200)), settings)).toBe('live')
    expect(laneOf(state, Date.parse(at(20)), Date.parse(at(200)), settings)).toBe('history')
    expect(laneOf(state, Date.parse(at(200)) + settings.maxFutureMs + 1, Date.parse(at(200)), settings)).toBeNull()
  })

  it('keeps a fix from a wrong clock out of every timeline, so the next correct fix is still in order', () => {
    const { state, changes } = drive([
      recordAt(0),
      recordAt(200_000, { receivedAt: at(10), events: ['harshBraking'] }),
      recordAt(20, { events: ['harshAcceleration'] }),
    ])
    expect(state.tracking.live.fixMs).toBe(Date.parse(at(20)))
    expect(raisedOf(changes)).toEqual([{ type: 'harshAcceleration', time: at(20) }])
  })

  it('stores a fix more than the skew ahead of its arrival without moving the live state, and the next true fix moves it', () => {
    const skewed = settingsWith({ maxFutureMs: 10 * 60_000 })
    const aheadS = 10 * 60 + 1
    const { states, buffered } = drive(
      [
        recordAt(0, { latitude: 54.1, longitude: 25.1, speedKmh: 0 }),
        recordAt(10 + aheadS, { receivedAt: at(10), latitude: 48.85, longitude: 2.35, speedKmh: 80, odometerKm: 9_000 }),
        recordAt(20, { latitude: 54.2, longitude: 25.2, speedKmh: 50, odometerKm: 1_000 }),
        recordAt(30, { latitude: 54.3, longitude: 25.3, speedKmh: 50, odometerKm: 1_001 }),
      ],
      skewed,
    )
    expect(buffered[1], 'stored as it came, not as history').toBe(false)
    expect(states[1]!.position).toEqual(states[0]!.position)
    expect(states[1]!.status).toBe(states[0]!.status)
    expect(states[1]!.lastSeen, 'the device was heard from').toBe(at(10))
    expect(states[2]!.position).toMatchObject({ fixTime: at(20), latitude: 54.2 })
    expect(states[2]!.status).toBe('moving')
    expect(states[3]!.odometerKm - states[2]!.odometerKm, 'counters follow the true fixes, not the future one').toBeCloseTo(1, 6)
    expect(buffered.slice(2)).toEqual([false, false])
  })

  it('lets a fix within the skew move the live state as usual', () => {
    const { state } = drive([recordAt(0), recordAt(10 + 9 * 60, { receivedAt: at(10), latitude: 54.5 })], settingsWith({ maxFutureMs: 10 * 60_000 }))
    expect(state.position).toMatchObject({ fixTime: at(10 + 9 * 60), latitude: 54.5 })
  })

  it('carries the tracking state through a restart: an open cut is not raised again and its restore clears it', () => {
    const before = drive([recordAt(0, { externalVoltageV: 12.5, batteryVoltageV: 4 }), recordAt(10, { externalVoltageV: 0, batteryVoltageV: 4, events: ['powerCut'] })])
    const persisted = JSON.parse(JSON.stringify(compactTracking(before.state.tracking))) as unknown
    const restarted = { ...emptyState(before.state.imei, 'teltonika'), ...before.state, tracking: reviveTracking(persisted, before.state.lastSeen) }
    const after = drive(
      [recordAt(20, { externalVoltageV: 0, batteryVoltageV: 4, events: ['powerCut'] }), recordAt(30, { externalVoltageV: 12.5, batteryVoltageV: 4 })],
      settings,
      restarted,
    )
    expect(after.changes).toEqual([expect.objectContaining({ kind: 'clear', type: 'powerDisconnect', time: at(10), clearedAt: at(30) })])
  })

  it('persists tracking compactly (only what differs from empty) and reads it back the same', () => {
    const { state } = drive([
      recordAt(0, { odometerKm: 5, externalVoltageV: 14, batteryVoltageV: 4 }),
      recordAt(1, { odometerKm: 5.01, externalVoltageV: 0, batteryVoltageV: 4, speedKmh: 0, events: ['harshBraking'] }),
      { ...recordAt(0.5), buffered: true, receivedAt: at(2) },
    ])
    const compact = compactTracking(state.tracking)
    expect(compact).not.toHaveProperty('lastSeenMs')
    expect(compact).not.toHaveProperty('wiring')
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(state.tracking).length)
    expect(reviveTracking(JSON.parse(JSON.stringify(compact)), state.lastSeen)).toEqual(state.tracking)
  })

  it('revives an empty or older tracking document with every part in place', () => {
    const tracking = reviveTracking({ live: { fixMs: 5 }, stray: 1 }, at(0))
    expect(tracking.live).toMatchObject({ fixMs: 5, cut: null, harshMs: { harshBraking: null } })
    expect(tracking).not.toHaveProperty('stray')
    expect(tracking.lastSeenMs).toBe(Date.parse(at(0)))
    expect(reviveTracking({}, null).counters.anchor).toBeNull()
  })

  it('changes nothing but lastSeen for a retried record the state has already seen', () => {
    const first = processRecord(emptyState('356307042441013', 'teltonika'), recordAt(0, { events: ['powerCut'], externalVoltageV: 0, batteryVoltageV: 4 }), settings)
    const retried = processRecord(first.state, { ...recordAt(0, { events: ['powerCut'], externalVoltageV: 0, batteryVoltageV: 4 }), receivedAt: at(5) }, settings)
    expect(retried.changes).toEqual([])
    expect(retried.state.tracking.live).toEqual(first.state.tracking.live)
    expect(retried.state.odometerKm).toBe(first.state.odometerKm)
  })

  it('skips a step that throws on a malformed record, reports it, and still updates the live state', () => {
    const malformed = { ...recordAt(10), events: undefined } as unknown as ReturnType<typeof recordAt>
    const processed = processRecord(drive([recordAt(0)]).state, malformed, settings)
    expect(processed.failures?.map((failure) => failure.step)).toEqual(['detectPowerDisconnect', 'detectHarshDriving'])
    expect(processed.state.position?.fixTime).toBe(at(10))
    expect(processed.state.tracking.live.fixMs).toBe(Date.parse(at(10)))
  })
})
