/**
 * The alerts a run should have raised, worked out from what the gateway ACKed and what the scenario did,
 * by the rules the processor applies (processor/alerts/): one power-disconnect per cut, one harsh alert
 * per manoeuvre, the loose-ignition diagnostic once the wire has read off for long enough while driving,
 * a no-update alert for a device silent longer than the server's threshold. `--verify` checks them.
 */
import type { AlertThresholds } from '../dashboard/shared/contract.ts'
import { HARSH_ALERT_TYPES } from '../dashboard/shared/contract.ts'
import { DEFAULT_STATE_SETTINGS, type StateSettings } from '../processor/state.ts'
import type { AckedRecord } from './device.ts'
import type { SimulationPlan } from './plan.ts'
import type { DeviceSummary, SimulationSummary } from './run.ts'
import type { ExpectedAlert } from './verify.ts'

type Rules = Pick<StateSettings, 'harshDebounceMs' | 'wiringSpeedKmh' | 'wiringMinFixes' | 'wiringMinDurationMs'>
type Thresholds = Pick<AlertThresholds, 'noUpdateAfterMs' | 'noUpdateSweepMs'>

/** Slack for the server noticing a silence: its sweep runs on its own clock. */
const SWEEP_SLACK_MS = 2000

export function expectedAlerts(summary: SimulationSummary, thresholds: Thresholds, rules: Rules = DEFAULT_STATE_SETTINGS): ExpectedAlert[] {
  const runFromMs = Math.min(Date.parse(summary.startedAt), Date.parse(summary.startTime))
  const runToMs = Math.max(Date.parse(summary.endedAt), Date.parse(summary.startTime) + summary.durationSec * 1000)
  return summary.perDevice.flatMap((device) => {
    const records = [...device.ackedRecords].sort((a, b) => Date.parse(a.fixTime) - Date.parse(b.fixTime))
    return [
      ...powerCuts(device, records),
      ...harshManoeuvres(device, records, rules),
      ...looseIgnition(device, rules),
      ...silences(device, thresholds, runFromMs, runToMs),
    ]
  })
}

const at = (record: AckedRecord) => Date.parse(record.fixTime)
const expectation = (device: DeviceSummary, type: ExpectedAlert['type'], fromMs: number, toMs: number, why: string): ExpectedAlert => ({
  imei: device.imei,
  type,
  fromMs,
  toMs,
  why: `${why} (${device.fleet} ${device.imei})`,
})

/** A cut opens with a powerCut and closes with a powerRestored; cuts reported while one is open are the same cut. */
function powerCuts(device: DeviceSummary, records: readonly AckedRecord[]): ExpectedAlert[] {
  const expected: ExpectedAlert[] = []
  let open = false
  for (const record of records) {
    if (record.event === 'powerCut' && !open) {
      open = true
      expected.push(expectation(device, 'powerDisconnect', at(record), at(record), `power cut at ${record.fixTime}`))
    }
    if (record.event === 'powerRestored') open = false
  }
  return expected
}

function harshManoeuvres(device: DeviceSummary, records: readonly AckedRecord[], rules: Rules): ExpectedAlert[] {
  const expected: ExpectedAlert[] = []
  const last = new Map<string, number>()
  for (const record of records) {
    const type = HARSH_ALERT_TYPES.find((t) => t === record.event)
    if (type === undefined) continue
    const previous = last.get(type)
    last.set(type, at(record))
    if (previous !== undefined && at(record) - previous <= rules.harshDebounceMs) continue
    expected.push(expectation(device, type, at(record), at(record), `${type} at ${record.fixTime}`))
  }
  return expected
}

/**
 * Within each loose stretch: fixes reading ignition off while surely driving, taken as the processor takes
 * them — in arrival order, live ones only (not older than the newest fix seen so far; a backlog uploaded
 * oldest first after a gap is live too). The alert comes on the fix that makes the streak long enough.
 */
function looseIgnition(device: DeviceSummary, rules: Rules): ExpectedAlert[] {
  if (device.looseIgnition.length === 0) return []
  let newestMs = -Infinity
  const live = device.ackedRecords.filter((r) => {
    const isLive = at(r) >= newestMs
    newestMs = Math.max(newestMs, at(r))
    return isLive
  })
  return device.looseIgnition.flatMap(({ fromMs, toMs }) => {
    const driving = live.filter((r) => !r.ignition && r.speedKmh >= rules.wiringSpeedKmh && at(r) >= fromMs && at(r) <= toMs)
    const first = driving[0]
    const due = driving.find((r, i) => i + 1 >= rules.wiringMinFixes && at(r) - at(first!) >= rules.wiringMinDurationMs)
    return due ? [expectation(device, 'ignitionWiring', at(due), at(due), `loose ignition wire from ${new Date(fromMs).toISOString()}`)] : []
  })
}

/** A silence surely longer than the threshold plus a sweep: a no-update alert some time during the run. */
function silences(device: DeviceSummary, thresholds: Thresholds, runFromMs: number, runToMs: number): ExpectedAlert[] {
  return device.silencesMs
    .filter((ms) => ms >= thresholds.noUpdateAfterMs + thresholds.noUpdateSweepMs + SWEEP_SLACK_MS)
    .map((ms) => expectation(device, 'noUpdate', runFromMs, runToMs, `silent for ${(ms / 1000).toFixed(0)} s`))
}

/**
 * A warning when the run's fix times will go further ahead of the wall clock than the server lets a fix
 * move the live state and raise alerts (FUTURE_FIX_SKEW, `maxFutureMs`): with `--rate` above 1,
 * simulated time outruns real time, and such records are stored but raise nothing, so --verify would
 * report their alerts missing.
 */
export function futureFixWarning(plan: Pick<SimulationPlan, 'durationSec' | 'rate' | 'startTime'>, maxFutureMs: number, nowMs: number): string | undefined {
  const startMs = plan.startTime?.getTime() ?? nowMs
  const aheadMs = startMs - nowMs + plan.durationSec * 1000 * (1 - 1 / plan.rate)
  if (aheadMs <= maxFutureMs) return undefined
  const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`
  return (
    `warning: fix times will run up to ${hours(aheadMs)} ahead of the clock (--rate ${plan.rate}); the server keeps fixes more than ` +
    `${hours(maxFutureMs)} ahead off the live map and out of the alerts. Start it with FUTURE_FIX_SKEW=${Math.ceil(aheadMs / 60_000) * 60_000} ` +
    `(and MAX_FUTURE_FIX at least that), or use a lower --rate or an earlier --start.`
  )
}
