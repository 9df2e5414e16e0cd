/**
 * The processor's steps, in order, for each committed record of a device (records of one device in arrival
 * order). Each step is a pure function of (previous state, record, settings) returning the next state, and
 * the alert steps also the alert changes; ingest.ts stores both in the records' transaction and publishes
 * them after the commit.
 *
 *  1. history     — the record is history (buffered) if the device said so, if it is older than the live
 *                   position, or if it lags its arrival by more than BUFFERED_LAG.
 *  2. lane        — in order (not older than the newest record processed, live or in-order history) or
 *                   out of order (an older backlog after newer data). The ordered steps follow each stream
 *                   separately; a fix more than a day ahead of its arrival joins neither.
 *  3. ignition    — the device's input, else VIRTUAL_IGNITION (voltage / motion), else the last known.
 *  4. live        — lastSeen; position and status (moving, idle after IDLE_AFTER, stopped) from live
 *                   records only: history never moves the vehicle backwards.
 *  5. counters    — mileage and engine hours since the office user's values (device counters, else fixes
 *                   and ignition time).
 *  6. alerts      — noUpdate cleared by any record; powerDisconnect; harsh driving; ignition wiring.
 *  7. timeline    — the lane's newest fix time, interval and fix (harsh driving compares the next with
 *                   it), and the effective ignition, move on.
 *
 * A step that throws (a bug, or data no step expected) is skipped for that record and reported in
 * `failures` — ingest logs it — so one bad record or detector never stops a device's stream (the record
 * is still stored and ACKed).
 */
import type { DeviceRecord } from '../core/record.ts'
import { NO_CHANGES, clearOf, type AlertChange } from './alerts/changes.ts'
import { detectHarshDriving, fixPointOf } from './alerts/harsh-driving.ts'
import { detectIgnitionWiring } from './alerts/ignition-wiring.ts'
import { detectPowerDisconnect } from './alerts/power-disconnect.ts'
import { applyCounters } from './counters.ts'
import type { LaneName, Observation } from './observation.ts'
import { applyLive, hasCoordinates, isHistory, isMoving, withTracking, type StateSettings, type VehicleState } from './state.ts'
import { copyLane, copyTracking, emptyLane, withLane } from './tracking.ts'
import { effectiveIgnition } from './virtual-ignition.ts'

export interface Processed {
  state: VehicleState
  /** Whether the record is history: ingest stores it so. */
  buffered: boolean
  changes: readonly AlertChange[]
  /** Steps that threw and were skipped for this record. */
  failures?: StepFailure[]
}

export interface StepFailure {
  step: string
  err: unknown
}

type AlertStep = (state: VehicleState, obs: Observation, settings: StateSettings) => { state: VehicleState; changes: readonly AlertChange[] }

/** The alert detectors, in order. */
export const ALERT_STEPS: readonly AlertStep[] = [clearNoUpdate, detectPowerDisconnect, detectHarshDriving, detectIgnitionWiring]

export function processRecord(previous: VehicleState, record: DeviceRecord, settings: StateSettings): Processed {
  const fixMs = Date.parse(record.fixTime)
  const receivedMs = Date.parse(record.receivedAt)
  // 1. history
  const buffered = isHistory(record, newestLiveFixMs(previous), settings, fixMs, receivedMs)
  // 2. lane
  const lane = laneOf(previous, fixMs, receivedMs, settings)
  let state = lane === 'history' ? enterHistory(previous, fixMs) : previous
  let failures: StepFailure[] | undefined
  // 3. ignition
  let ignition = record.ignition
  try {
    ignition = effectiveIgnition(record, lane === null ? null : state.tracking.ignition, settings)
  } catch (err) {
    ;(failures ??= []).push({ step: 'ignition', err })
  }
  const obs: Observation = {
    record,
    buffered,
    fixMs,
    receivedMs,
    lane,
    ignition,
    moving: isMoving(record, settings),
    fixed: record.valid && hasCoordinates(record),
  }
  // 4. live
  try {
    state = applyLive(state, record, buffered, ignition, settings, fixMs, receivedMs)
  } catch (err) {
    ;(failures ??= []).push({ step: 'live', err })
  }
  // 5. counters
  try {
    state = applyCounters(state, obs, settings)
  } catch (err) {
    ;(failures ??= []).push({ step: 'counters', err })
  }
  // 6. alerts
  let changes: readonly AlertChange[] = NO_CHANGES
  for (const step of ALERT_STEPS) {
    try {
      const result = step(state, obs, settings)
      state = result.state
      if (result.changes.length > 0) changes = changes.length === 0 ? result.changes : [...changes, ...result.changes]
    } catch (err) {
      ;(failures ??= []).push({ step: step.name, err })
    }
  }
  // 7. timeline
  try {
    state = advanceTimeline(state, obs)
  } catch (err) {
    ;(failures ??= []).push({ step: 'timeline', err })
  }
  return failures === undefined ? { state, buffered, changes } : { state, buffered, changes, failures }
}

function newestLiveFixMs(state: VehicleState): number | undefined {
  return state.position ? Date.parse(state.position.fixTime) : undefined
}

export function laneOf(state: VehicleState, fixMs: number, receivedMs: number, settings: StateSettings): LaneName | null {
  if (fixMs - receivedMs > settings.maxFutureMs) return null
  const newest = state.tracking.live.fixMs
  return newest === null || fixMs >= newest ? 'live' : 'history'
}

/** A record older than the history stream's newest starts another pass over the past: that stream restarts (an open cut stays open). */
function enterHistory(state: VehicleState, fixMs: number): VehicleState {
  const history = state.tracking.history
  if (history.fixMs === null || fixMs >= history.fixMs) return state
  const restarted = emptyLane()
  restarted.cut = history.cut
  return withTracking(state, withLane(state.tracking, 'history', restarted))
}

/** Any record ends a silence: the open noUpdate alert is cleared when the record arrived. */
export function clearNoUpdate(state: VehicleState, obs: Observation): { state: VehicleState; changes: readonly AlertChange[] } {
  const atMs = state.tracking.noUpdateAtMs
  if (atMs === null) return { state, changes: NO_CHANGES }
  const tracking = copyTracking(state.tracking)
  tracking.noUpdateAtMs = null
  return { state: withTracking(state, tracking), changes: [clearOf(state.imei, 'noUpdate', atMs, obs.record.receivedAt)] }
}

/** The lane moves on to this record: its fix time, the interval since the previous one, its fix (for harsh driving); and the ignition. */
function advanceTimeline(state: VehicleState, obs: Observation): VehicleState {
  if (obs.lane === null) return state
  const tracking = state.tracking
  const lane = tracking[obs.lane]
  const ignition = obs.lane === 'live' && obs.ignition !== undefined ? obs.ignition : tracking.ignition
  const newer = lane.fixMs === null || obs.fixMs > lane.fixMs
  if (!newer && ignition === tracking.ignition) return state
  const next = copyTracking(tracking)
  next.ignition = ignition
  if (newer) {
    const moved = copyLane(lane)
    moved.fixMs = obs.fixMs
    if (lane.fixMs !== null) moved.intervalMs = obs.fixMs - lane.fixMs
    moved.fix = fixPointOf(obs) ?? lane.fix
    if (obs.lane === 'live') next.live = moved
    else next.history = moved
  }
  return withTracking(state, next)
}
