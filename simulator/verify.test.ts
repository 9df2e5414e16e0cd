import { describe, expect, it } from 'vitest'
import type { Alert, AlertType } from '../dashboard/shared/contract.ts'
import { makeAlert } from '../test/helpers/alerts.ts'
import type { AlertsQuery, MissingRecordsResult, VerifyApi } from './api-client.ts'
import type { AckedRecord } from './device.ts'
import { formatVerifyReport, matchAlerts, runWindow, verifyRun, type ExpectedAlert, type StoredAlert, type VerifyReport } from './verify.ts'

const T0 = Date.parse('2026-06-01T08:00:00.000Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()
const A = '356307042440008'
const B = '356307042440016'

const stored = (imei: string, type: AlertType, s: number): StoredAlert => ({ imei, type, time: at(s) })
const expecting = (imei: string, type: AlertType, fromS: number, toS: number, why = 'test'): ExpectedAlert => ({ imei, type, fromMs: T0 + fromS * 1000, toMs: T0 + toS * 1000, why })

describe('matchAlerts', () => {
  it('meets an expectation with an alert of that device and type timed inside its window, ends included', () => {
    const match = matchAlerts(
      [expecting(A, 'powerDisconnect', 10, 20), expecting(A, 'harshBraking', 10, 20), expecting(B, 'powerDisconnect', 0, 5)],
      [stored(A, 'powerDisconnect', 20), stored(A, 'harshBraking', 21), stored(B, 'powerDisconnect', 0), stored(B, 'harshBraking', 3)],
    )
    expect(match.met.map((m) => [m.expected.imei, m.expected.type, m.alert.time])).toEqual([
      [B, 'powerDisconnect', at(0)],
      [A, 'powerDisconnect', at(20)],
    ])
    expect(match.missing).toEqual([expecting(A, 'harshBraking', 10, 20)])
    expect(match.unexpected).toEqual(expect.arrayContaining([stored(A, 'harshBraking', 21), stored(B, 'harshBraking', 3)]))
    expect(match.unexpected).toHaveLength(2)
  })

  it('lets one stored alert meet one expectation only', () => {
    const match = matchAlerts([expecting(A, 'powerDisconnect', 0, 30, 'first'), expecting(A, 'powerDisconnect', 0, 30, 'second')], [stored(A, 'powerDisconnect', 10)])
    expect(match.met).toHaveLength(1)
    expect(match.missing.map((e) => e.why)).toEqual(['second'])
    expect(match.unexpected).toEqual([])
  })

  it('meets overlapping expectations whenever some matching can: the one whose window ends first takes the earliest alert', () => {
    // Taken in the order given, "wide" would take the alert at 5 and leave "narrow" unmet.
    const wide = expecting(A, 'harshBraking', 0, 100, 'wide')
    const narrow = expecting(A, 'harshBraking', 0, 6, 'narrow')
    const match = matchAlerts([wide, narrow], [stored(A, 'harshBraking', 5), stored(A, 'harshBraking', 50)])
    expect(match.missing).toEqual([])
    expect(Object.fromEntries(match.met.map((m) => [m.expected.why, m.alert.time]))).toEqual({ narrow: at(5), wide: at(50) })
  })

  it('reports every expectation missing when nothing is stored, and every alert unexpected when nothing is expected', () => {
    expect(matchAlerts([expecting(A, 'noUpdate', 0, 1)], [])).toEqual({ met: [], missing: [expecting(A, 'noUpdate', 0, 1)], unexpected: [] })
    expect(matchAlerts([], [stored(A, 'noUpdate', 0)])).toEqual({ met: [], missing: [], unexpected: [stored(A, 'noUpdate', 0)] })
  })

  it('skips used alerts among many of one device and type', () => {
    const alerts = Array.from({ length: 100 }, (_, i) => stored(A, 'harshCornering', i))
    const expected = Array.from({ length: 100 }, (_, i) => expecting(A, 'harshCornering', 0, 99, `#${i}`))
    const match = matchAlerts(expected, alerts)
    expect(match.met).toHaveLength(100)
    expect(new Set(match.met.map((m) => m.alert.time)).size).toBe(100)
  })
})

describe('runWindow', () => {
  it('spans the records and the expectations', () => {
    expect(runWindow([{ fixTime: at(10) }, { fixTime: at(3) }], [{ fromMs: T0 + 5000, toMs: T0 + 40_000 }])).toEqual({ fromMs: T0 + 3000, toMs: T0 + 40_000 })
    expect(runWindow([], [])).toBeNull()
  })
})

/** An API answering from fixed lists, recording what it was asked. */
class FakeApi implements VerifyApi {
  readonly alertQueries: AlertsQuery[] = []
  constructor(
    private readonly stored: Set<string>,
    private readonly storedAlerts: Alert[],
  ) {}

  async missingRecords(records: readonly { imei: string; fixTime: string }[]): Promise<MissingRecordsResult> {
    return { checked: records.length, missing: records.filter((r) => !this.stored.has(`${r.imei} ${r.fixTime}`)).map(({ imei, fixTime }) => ({ imei, fixTime })) }
  }

  async alerts(query: AlertsQuery): Promise<Alert[]> {
    this.alertQueries.push(query)
    return this.storedAlerts.filter((alert) => (!query.imei || alert.imei === query.imei) && (!query.from || alert.time >= query.from) && (!query.to || alert.time <= query.to))
  }
}

const alert = (id: number, imei: string, type: AlertType, s: number): Alert => makeAlert({ id, type, imei, vehicleId: null, time: at(s) })
const acked = (imei: string, s: number, extra: Partial<AckedRecord> = {}): AckedRecord =>
  ({ imei, fixTime: at(s), latitude: 54.7, longitude: 25.3, history: false, ...extra }) as AckedRecord

describe('verifyRun', () => {
  const records = [acked(A, 0), acked(A, 1, { event: 'powerCut' }), acked(A, 2, { history: true }), acked(B, 0), acked(B, 1)]

  it('reports nothing missing when every record is stored and every expected alert raised; counts the other alerts of the run\'s devices in its window', async () => {
    const api = new FakeApi(
      new Set(records.map((r) => `${r.imei} ${r.fixTime}`)),
      [alert(1, A, 'powerDisconnect', 1), alert(2, B, 'harshBraking', 1), alert(3, '999999999999999', 'harshBraking', 1), alert(4, B, 'noUpdate', 500)],
    )
    const report = await verifyRun(api, { records, expectedAlerts: [expecting(A, 'powerDisconnect', 1, 3, 'powerCut')] })
    expect(report).toEqual({
      ok: true,
      window: { from: at(0), to: at(3) },
      recordsChecked: 5,
      recordsMissing: [],
      alertsExpected: 1,
      alertsFound: 1,
      alertsMissing: [],
      unexpectedAlerts: { harshBraking: 1 },
    } satisfies VerifyReport)
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
    expect(api.alertQueries).toEqual([{ from: at(0), to: at(3) }])
  })

  it('lists the records not stored with what the device knew of them, and the expectations not met', async () => {
    const api = new FakeApi(new Set([`${A} ${at(0)}`, `${B} ${at(0)}`, `${B} ${at(1)}`]), [alert(1, A, 'powerDisconnect', 1)])
    const unmet = expecting(A, 'harshBraking', 0, 2, 'harshBraking at 2')
    const report = await verifyRun(api, { records, expectedAlerts: [expecting(A, 'powerDisconnect', 1, 3), unmet] })
    expect(report).toMatchObject({
      ok: false,
      recordsChecked: 5,
      recordsMissing: [{ imei: A, fixTime: at(1), history: false, event: 'powerCut' }, { imei: A, fixTime: at(2), history: true }],
      alertsExpected: 2,
      alertsFound: 1,
      alertsMissing: [unmet],
      unexpectedAlerts: {},
    })
  })

  it('asks the server for one device\'s alerts only when the run had one device', async () => {
    const api = new FakeApi(new Set(), [])
    await verifyRun(api, { records: [acked(A, 0)], expectedAlerts: [], window: { fromMs: T0, toMs: T0 + 60_000 } })
    expect(api.alertQueries).toEqual([{ from: at(0), to: at(60), imei: A }])
  })
})

describe('formatVerifyReport', () => {
  it('lists at most ten missing items of each kind, then how many more', () => {
    const report: VerifyReport = {
      ok: false,
      window: { from: at(0), to: at(60) },
      recordsChecked: 100,
      recordsMissing: Array.from({ length: 12 }, (_, i) => ({ imei: A, fixTime: at(i), history: i === 0 })),
      alertsExpected: 2,
      alertsFound: 1,
      alertsMissing: [expecting(B, 'harshBraking', 5, 10, 'harshBraking scheduled at 5 s')],
      unexpectedAlerts: { powerDisconnect: 2 },
    }
    const lines = formatVerifyReport(report)
    expect(lines[0]).toBe('records: 88 of 100 ACKed records stored, 12 MISSING')
    expect(lines[1]).toBe(`  missing record: ${A} at ${at(0)} (history)`)
    expect(lines.filter((line) => line.startsWith('  missing record:'))).toHaveLength(10)
    expect(lines).toContain('  ... and 2 more')
    expect(lines).toContain('alerts: 1 of 2 expected alerts raised, 1 MISSING')
    expect(lines).toContain(`  missing alert: harshBraking of ${B} between ${at(5)} and ${at(10)} (harshBraking scheduled at 5 s)`)
    expect(lines).toContain('other alerts of these devices in the run: 2 powerDisconnect')
    expect(lines.join('\n')).not.toMatch(/--imei-offset/)
    expect(lines.at(-1)).toBe('verify: FAILED, see what is missing above')
  })

  it('points at the devices\' memory when a loose-wire or power-cut alert is missing', () => {
    const lines = formatVerifyReport({
      ok: false, window: null, recordsChecked: 0, recordsMissing: [], alertsExpected: 1, alertsFound: 0,
      alertsMissing: [expecting(B, 'ignitionWiring', 5, 5, 'loose ignition wire')], unexpectedAlerts: {},
    })
    expect(lines.join('\n')).toMatch(/once per trip.*\n.*run again with --imei-offset/)
  })

  it('says OK when nothing is missing', () => {
    const lines = formatVerifyReport({ ok: true, window: null, recordsChecked: 3, recordsMissing: [], alertsExpected: 0, alertsFound: 0, alertsMissing: [], unexpectedAlerts: {} })
    expect(lines).toEqual(['records: 3 of 3 ACKed records stored', 'alerts: 0 of 0 expected alerts raised', 'verify: OK, nothing missing'])
  })
})
