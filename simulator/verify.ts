/**
 * After a run (`--verify`): ask the system whether every record it ACKed is stored and every scripted
 * alert was raised. This is how a tester checks a firmware change, or a Fleetwire change, end to end:
 * what the gateway confirmed to the devices must be in the database, and what the scenario should have
 * raised must be among the stored alerts.
 */
import { ALERT_TYPES, type Alert, type AlertType, type RecordKey } from '../dashboard/shared/contract.ts'
import type { VerifyApi } from './api-client.ts'
import type { AckedRecord } from './device.ts'

/**
 * An alert the scenario should have raised: met by a stored alert of this device and type whose `time`
 * lies in [fromMs, toMs] (epoch ms, both included). Each stored alert meets one expectation at most.
 */
export interface ExpectedAlert {
  imei: string
  type: AlertType
  fromMs: number
  toMs: number
  /** Why it is expected, for the report: e.g. "powerCut at 12:00:05 (device 3)". */
  why: string
}

export interface VerifyInput {
  /** Every record the gateway ACKed (the summary's `perDevice[].ackedRecords`). */
  records: readonly AckedRecord[]
  expectedAlerts: readonly ExpectedAlert[]
  /**
   * Alerts timed outside this window are not looked at. Default: from the earliest to the latest of the
   * records' fix times and the expectations' bounds.
   */
  window?: { fromMs: number; toMs: number }
}

export type MissingRecord = RecordKey & Partial<Pick<AckedRecord, 'history' | 'event'>>

export interface VerifyReport {
  /** Nothing missing: every ACKed record stored, every expected alert raised. */
  ok: boolean
  /** The alerts looked at: ISO 8601, both included. */
  window: { from: string; to: string } | null
  recordsChecked: number
  /** ACKed but not stored (or of a device the API user does not see), in the order given. */
  recordsMissing: MissingRecord[]
  alertsExpected: number
  /** Expectations met. */
  alertsFound: number
  alertsMissing: ExpectedAlert[]
  /** Stored alerts of the run's devices in the window that met no expectation, by type (not a failure). */
  unexpectedAlerts: Partial<Record<AlertType, number>>
}

/** The stored alert fields the matching reads. */
export type StoredAlert = Pick<Alert, 'imei' | 'type' | 'time'>

export interface AlertMatch {
  /** The expectations met, each with the stored alert that met it. */
  met: Array<{ expected: ExpectedAlert; alert: StoredAlert }>
  missing: ExpectedAlert[]
  /** Stored alerts that met no expectation. */
  unexpected: StoredAlert[]
}

/**
 * Matches expectations to stored alerts, per device and type. Greedy by time: expectations are taken by
 * the end of their window (earliest first), each met by the earliest unused alert inside its window.
 * For intervals and points this meets as many expectations as any matching can.
 */
export function matchAlerts(expected: readonly ExpectedAlert[], alerts: readonly StoredAlert[]): AlertMatch {
  const groupKey = (imei: string, type: string) => `${imei}\u0000${type}`
  const groups = new Map<string, Array<{ alert: StoredAlert; ms: number; used: boolean }>>()
  for (const alert of alerts) {
    const key = groupKey(alert.imei, alert.type)
    let group = groups.get(key)
    if (!group) groups.set(key, (group = []))
    group.push({ alert, ms: Date.parse(alert.time), used: false })
  }
  for (const group of groups.values()) group.sort((a, b) => a.ms - b.ms)

  const met: AlertMatch['met'] = []
  const metSet = new Set<ExpectedAlert>()
  const order = [...expected].sort((a, b) => a.toMs - b.toMs || a.fromMs - b.fromMs)
  for (const expectation of order) {
    const group = groups.get(groupKey(expectation.imei, expectation.type))
    if (!group) continue
    // The first alert at or after fromMs, then the first unused one not after toMs.
    let lo = 0
    let hi = group.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (group[mid]!.ms < expectation.fromMs) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < group.length && group[i]!.ms <= expectation.toMs; i++) {
      const candidate = group[i]!
      if (candidate.used) continue
      candidate.used = true
      met.push({ expected: expectation, alert: candidate.alert })
      metSet.add(expectation)
      break
    }
  }
  const unexpected = [...groups.values()].flatMap((group) => group.filter((entry) => !entry.used).map((entry) => entry.alert))
  return { met, missing: expected.filter((expectation) => !metSet.has(expectation)), unexpected }
}

/** The window `verifyRun` looks at alerts in by default: every record's fix time and every expectation's bounds. */
export function runWindow(records: readonly Pick<AckedRecord, 'fixTime'>[], expectedAlerts: readonly Pick<ExpectedAlert, 'fromMs' | 'toMs'>[]): { fromMs: number; toMs: number } | null {
  let fromMs = Infinity
  let toMs = -Infinity
  for (const record of records) {
    const ms = Date.parse(record.fixTime)
    if (ms < fromMs) fromMs = ms
    if (ms > toMs) toMs = ms
  }
  for (const expectation of expectedAlerts) {
    if (expectation.fromMs < fromMs) fromMs = expectation.fromMs
    if (expectation.toMs > toMs) toMs = expectation.toMs
  }
  return fromMs <= toMs ? { fromMs, toMs } : null
}

/**
 * Asks the system what it stored: which ACKed records are missing, and which expected alerts were not
 * raised. Alerts are those of the run's devices (the records' and expectations' IMEIs) timed within the
 * window; other devices on the same server are not looked at.
 */
export async function verifyRun(api: VerifyApi, input: VerifyInput): Promise<VerifyReport> {
  const { records, expectedAlerts } = input
  const window = input.window ?? runWindow(records, expectedAlerts)

  const { checked, missing } = await api.missingRecords(records)
  const byKey = new Map<string, AckedRecord>()
  for (const record of records) byKey.set(`${record.imei} ${record.fixTime}`, record)
  const recordsMissing = missing.map((key): MissingRecord => {
    const record = byKey.get(`${key.imei} ${key.fixTime}`)
    return { imei: key.imei, fixTime: key.fixTime, ...(record ? { history: record.history, ...(record.event ? { event: record.event } : {}) } : {}) }
  })

  const imeis = new Set([...records.map((record) => record.imei), ...expectedAlerts.map((expectation) => expectation.imei)])
  let stored: Alert[] = []
  if (window && imeis.size > 0) {
    const query = { from: new Date(window.fromMs).toISOString(), to: new Date(window.toMs).toISOString() }
    // One device: let the server filter; many: one listing of the window, filtered here.
    stored = imeis.size === 1 ? await api.alerts({ ...query, imei: [...imeis][0]! }) : (await api.alerts(query)).filter((alert) => imeis.has(alert.imei))
  }
  const match = matchAlerts(expectedAlerts, stored)
  const unexpectedAlerts: Partial<Record<AlertType, number>> = {}
  for (const alert of match.unexpected) unexpectedAlerts[alert.type] = (unexpectedAlerts[alert.type] ?? 0) + 1

  return {
    ok: recordsMissing.length === 0 && match.missing.length === 0,
    window: window ? { from: new Date(window.fromMs).toISOString(), to: new Date(window.toMs).toISOString() } : null,
    recordsChecked: checked,
    recordsMissing,
    alertsExpected: expectedAlerts.length,
    alertsFound: match.met.length,
    alertsMissing: match.missing,
    unexpectedAlerts,
  }
}

/** Alerts a device's earlier history can hold back: a trip that already had one, a cut still open. */
const STATEFUL_ALERTS: readonly AlertType[] = ['ignitionWiring', 'powerDisconnect']

/** Missing items listed one per line before "... and N more". */
export const LISTED_MISSING = 10

/** The report as lines for a terminal. */
export function formatVerifyReport(report: VerifyReport, listed = LISTED_MISSING): string[] {
  const lines: string[] = []
  const stored = report.recordsChecked - report.recordsMissing.length
  lines.push(`records: ${stored} of ${report.recordsChecked} ACKed records stored${report.recordsMissing.length > 0 ? `, ${report.recordsMissing.length} MISSING` : ''}`)
  for (const record of report.recordsMissing.slice(0, listed)) {
    const notes = [record.history ? 'history' : '', record.event ?? ''].filter(Boolean).join(', ')
    lines.push(`  missing record: ${record.imei} at ${record.fixTime}${notes ? ` (${notes})` : ''}`)
  }
  if (report.recordsMissing.length > listed) lines.push(`  ... and ${report.recordsMissing.length - listed} more`)

  lines.push(`alerts: ${report.alertsFound} of ${report.alertsExpected} expected alerts raised${report.alertsMissing.length > 0 ? `, ${report.alertsMissing.length} MISSING` : ''}`)
  for (const expectation of report.alertsMissing.slice(0, listed)) {
    lines.push(`  missing alert: ${expectation.type} of ${expectation.imei} between ${new Date(expectation.fromMs).toISOString()} and ${new Date(expectation.toMs).toISOString()} (${expectation.why})`)
  }
  if (report.alertsMissing.length > listed) lines.push(`  ... and ${report.alertsMissing.length - listed} more`)
  if (report.alertsMissing.some((expectation) => STATEFUL_ALERTS.includes(expectation.type))) {
    lines.push('  (the system remembers each device: a loose-wire alert comes once per trip, a power cut while none is open;')
    lines.push('   if these IMEIs ran minutes ago, run again with --imei-offset)')
  }

  const unexpected = ALERT_TYPES.filter((type) => (report.unexpectedAlerts[type] ?? 0) > 0).map((type) => `${report.unexpectedAlerts[type]} ${type}`)
  if (unexpected.length > 0) lines.push(`other alerts of these devices in the run: ${unexpected.join(', ')}`)
  if (report.window) lines.push(`(alerts looked at from ${report.window.from} to ${report.window.to})`)
  lines.push(report.ok ? 'verify: OK, nothing missing' : 'verify: FAILED, see what is missing above')
  return lines
}
