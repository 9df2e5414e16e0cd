/**
 * Alert evaluation costs, measured in this process (pure CPU, no database):
 *  (a) the no-update sweep over `vehicles` in-memory states where nothing changes — ms per sweep;
 *  (b) the processor pipeline (history, lanes, virtual ignition, live status, counters, every alert
 *      detector) per record, beside the same loop doing only what ingest did before alerts existed
 *      (history marking and the live position/status) — ns per record each, and their ratio.
 */
import type { DeviceRecord, RecordEvent } from '../core/record.ts'
import { sweepNoUpdate } from '../processor/no-update-sweep.ts'
import { processRecord } from '../processor/pipeline.ts'
import { DEFAULT_STATE_SETTINGS, applyLive, emptyState, isHistory, isMoving, type VehicleState } from '../processor/state.ts'

export interface AlertsBenchOptions {
  /** States swept (default 100,000). */
  vehicles?: number
  /** Records evaluated per round (default 200,000), spread over `devices` (default 1,000). */
  records?: number
  devices?: number
  /** Measured rounds after one warm-up; the fastest counts (default 5). */
  rounds?: number
}

export interface AlertsBenchResult {
  vehicles: number
  /** Milliseconds per sweep over `vehicles` states. */
  sweepMs: number
  records: number
  /** Nanoseconds per record through the whole pipeline. */
  pipelineNsPerRecord: number
  /** Nanoseconds per record for history marking and the live state only. */
  baselineNsPerRecord: number
  /** pipeline / baseline: what alert and state evaluation costs on top. */
  ratio: number
  /** Alert changes the pipeline produced per round (a sanity check that detectors ran). */
  alertChanges: number
}

export function alertsBench(options: AlertsBenchOptions = {}): AlertsBenchResult {
  const vehicles = options.vehicles ?? 100_000
  const recordCount = options.records ?? 200_000
  const devices = options.devices ?? 1_000
  const rounds = options.rounds ?? 5
  const settings = DEFAULT_STATE_SETTINGS

  // (a) the sweep: every vehicle seen a minute ago, so a pass changes nothing.
  const now = Date.now()
  const states = new Map<string, VehicleState>()
  for (let i = 0; i < vehicles; i++) {
    const imei = String(350000000000000 + i)
    const base = emptyState(imei, 'teltonika')
    const lastSeenMs = now - 60_000 - (i % 1000)
    states.set(imei, { ...base, lastSeen: new Date(lastSeenMs).toISOString(), status: 'stopped', tracking: { ...base.tracking, lastSeenMs } })
  }
  const sweepMs = fastest(rounds, () => {
    const passes = 10
    const start = performance.now()
    for (let pass = 0; pass < passes; pass++) {
      if (sweepNoUpdate(states.values(), now, settings).states.length !== 0) throw new Error('a sweep changed a state')
    }
    return (performance.now() - start) / passes
  })

  // (b) per-record evaluation.
  const records = syntheticRecords(recordCount, devices, now - 24 * 3_600_000)
  let alertChanges = 0
  const pipeline = () => {
    const next = new Map<string, VehicleState>()
    let changes = 0
    const start = performance.now()
    for (const record of records) {
      const state = next.get(record.imei) ?? emptyState(record.imei, record.protocol)
      const processed = processRecord(state, record, settings)
      next.set(record.imei, processed.state)
      changes += processed.changes.length
    }
    const ns = ((performance.now() - start) * 1e6) / records.length
    alertChanges = changes
    return ns
  }
  const baseline = () => {
    const next = new Map<string, VehicleState>()
    const start = performance.now()
    for (const record of records) {
      const state = next.get(record.imei) ?? emptyState(record.imei, record.protocol)
      const newestFixMs = state.position ? Date.parse(state.position.fixTime) : undefined
      const fixMs = Date.parse(record.fixTime)
      const receivedMs = Date.parse(record.receivedAt)
      const buffered = isHistory(record, newestFixMs, settings, fixMs, receivedMs)
      const obs = { record, buffered, fixMs, receivedMs, lane: null, ignition: record.ignition, moving: isMoving(record, settings), fixed: record.valid }
      next.set(record.imei, applyLive(state, obs, settings).state)
    }
    return ((performance.now() - start) * 1e6) / records.length
  }
  const baselineNsPerRecord = fastest(rounds, baseline)
  const pipelineNsPerRecord = fastest(rounds, pipeline)
  return {
    vehicles,
    sweepMs,
    records: records.length,
    pipelineNsPerRecord,
    baselineNsPerRecord,
    ratio: pipelineNsPerRecord / baselineNsPerRecord,
    alertChanges,
  }
}

/** One warm-up, then the fastest of `rounds`. */
function fastest(rounds: number, measure: () => number): number {
  measure()
  let best = Infinity
  for (let round = 0; round < rounds; round++) best = Math.min(best, measure())
  return best
}

/**
 * Records as devices send them: each device drives at 1 Hz along its own line with speed changes,
 * ignition, voltages, an odometer on every second device; now and then a harsh event, a power cut and
 * its restore.
 */
export function syntheticRecords(count: number, devices: number, startMs: number): DeviceRecord[] {
  const perDevice = Math.ceil(count / devices)
  const records: DeviceRecord[] = []
  for (let step = 0; step < perDevice && records.length < count; step++) {
    for (let device = 0; device < devices && records.length < count; device++) {
      const fixTime = new Date(startMs + step * 1000).toISOString()
      const cut = step % 600 >= 300 && step % 600 < 310
      const events: RecordEvent[] = step % 977 === device % 977 ? ['harshBraking'] : []
      if (step % 600 === 300) events.push('powerCut')
      if (step % 600 === 310) events.push('powerRestored')
      const speedKmh = 30 + ((step * 7 + device) % 40)
      records.push({
        imei: String(357000000000000 + device),
        protocol: 'teltonika',
        fixTime,
        receivedAt: fixTime,
        buffered: false,
        valid: true,
        latitude: 54 + device * 0.01 + step * 0.0001,
        longitude: 25 + step * 0.00005,
        speedKmh,
        course: (step * 3) % 360,
        satellites: 10,
        ignition: true,
        motion: true,
        externalVoltageV: cut ? 0 : 13.9,
        batteryVoltageV: 4.05,
        ...(device % 2 === 0 ? { odometerKm: 10_000 + step * 0.01 } : {}),
        events,
        io: {},
      })
    }
  }
  return records
}
