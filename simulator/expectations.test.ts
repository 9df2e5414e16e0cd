import { describe, expect, it } from 'vitest'
import type { AckedRecord } from './device.ts'
import { expectedAlerts, futureFixWarning } from './expectations.ts'
import type { DeviceSummary, SimulationSummary } from './run.ts'

const T0 = Date.UTC(2026, 10, 22, 8)
const IMEI = '356307042440006'
const thresholds = { noUpdateAfterMs: 60_000, noUpdateSweepMs: 6_000 }

/** A record `sec` seconds after T0; driving with the ignition on unless told otherwise. */
const rec = (sec: number, extra: Partial<AckedRecord> = {}): AckedRecord => ({
  imei: IMEI, fixTime: new Date(T0 + sec * 1000).toISOString(), latitude: 54.7, longitude: 25.3, speedKmh: 40, ignition: true, history: false, ...extra,
})

function summaryOf(ackedRecords: AckedRecord[], device: Partial<DeviceSummary> = {}): SimulationSummary {
  const perDevice = {
    imei: IMEI, fleet: 'vans', protocol: 'teltonika', route: 'r', ackedRecords, looseIgnition: [], silencesMs: [], ...device,
  } as unknown as DeviceSummary
  return {
    startTime: new Date(T0).toISOString(), startedAt: new Date(T0).toISOString(), endedAt: new Date(T0 + 600_000).toISOString(), durationSec: 600, perDevice: [perDevice],
  } as unknown as SimulationSummary
}

const kinds = (summary: SimulationSummary) => expectedAlerts(summary, thresholds).map((e) => [e.type, (e.fromMs - T0) / 1000])

describe('alerts a run should raise', () => {
  it('one power-disconnect per cut: a cut reported again before the restore is the same cut', () => {
    const records = [rec(0), rec(5, { event: 'powerCut' }), rec(6, { event: 'powerCut' }), rec(10, { event: 'powerRestored' }), rec(20, { event: 'powerCut' })]
    expect(kinds(summaryOf(records))).toEqual([['powerDisconnect', 5], ['powerDisconnect', 20]])
  })

  it('one harsh alert per manoeuvre: the same type again within 10 s is the same one', () => {
    const records = [rec(1, { event: 'harshBraking' }), rec(8, { event: 'harshBraking' }), rec(9, { event: 'harshCornering' }), rec(30, { event: 'harshBraking' })]
    expect(kinds(summaryOf(records))).toEqual([['harshBraking', 1], ['harshCornering', 9], ['harshBraking', 30]])
  })

  it('the loose-ignition diagnostic on the fix that makes three live driving fixes span a minute; a backlog uploaded in order counts', () => {
    const loose = [{ fromMs: T0 + 10_000, toMs: T0 + 200_000 }]
    const off = (sec: number, extra: Partial<AckedRecord> = {}) => rec(sec, { ignition: false, ...extra })
    // Uploaded in this order: live, a backlog from a gap (in order, so live too), an older retry (not live).
    const records = [rec(5), off(10), off(20, { speedKmh: 5 }), off(40, { history: true }), off(60, { history: true }), off(30), off(70), off(80)]
    expect(kinds(summaryOf(records, { looseIgnition: loose }))).toEqual([['ignitionWiring', 70]])
    expect(kinds(summaryOf(records.slice(0, 5), { looseIgnition: loose }))).toEqual([])
  })

  it('a no-update alert for a silence surely longer than the server threshold plus a sweep', () => {
    expect(kinds(summaryOf([rec(0)], { silencesMs: [68_000] }))).toEqual([['noUpdate', 0]])
    expect(kinds(summaryOf([rec(0)], { silencesMs: [67_000] }))).toEqual([])
  })
})

describe('a run whose fix times outrun the clock', () => {
  const NOW = Date.parse('2026-03-01T08:00:00Z')
  it('warns when fixes will be further ahead than the server lets them move the map, naming the setting to raise', () => {
    const warning = futureFixWarning({ durationSec: 8 * 3600, rate: 60 }, 600_000, NOW)
    expect(warning).toMatch(/7\.9 h ahead/)
    expect(warning).toMatch(/FUTURE_FIX_SKEW=28320000/)
  })

  it('stays quiet at real time, within the skew, or for a run that starts in the past', () => {
    expect(futureFixWarning({ durationSec: 8 * 3600, rate: 1 }, 600_000, NOW)).toBeUndefined()
    expect(futureFixWarning({ durationSec: 600, rate: 5 }, 600_000, NOW)).toBeUndefined()
    expect(futureFixWarning({ durationSec: 8 * 3600, rate: 60, startTime: new Date(NOW - 8 * 3600_000) }, 600_000, NOW)).toBeUndefined()
  })
})
