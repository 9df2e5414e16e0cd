/**
 * The processor's steps, in order, for each committed record of a device (records of one device in arrival
 * order). The record is first observed once (`observe`: what every step reads), then folded through
 * STEPS: each step is a pure function of (previous state, observation, settings) returning the next state
 * and any alert changes; ingest.ts stores both in the records' transaction and publishes them after the
 * commit.
 *
 * Observed once:
 *  - history  — the record is history (buffered) if the device said so, if it is older than the live
 *               position, or if it lags its arrival by more than BUFFERED_LAG.
 *  - lane     — in order (not older than the newest record processed, live or in-order history) or
 *               out of order (an older backlog after newer data). The ordered steps follow each stream
 *               separately; a fix more than a day ahead of its arrival joins neither.
 *  - ignition — the device's input, else VIRTUAL_IGNITION (voltage / motion), else the last known.
 *
 * The steps:
 *  1. enterHistory    — an older backlog restarts the history stream.
 *  2. applyLive       — lastSeen; position and status (moving, idle after IDLE_AFTER, stopped) from live
 *                       records only: history never moves the vehicle backwards.
 *  3. applyCounters   — mileage and engine hours since the office user's values (device counters, else
 *                       fixes and ignition time).
 *  4. the alert steps — noUpdate cleared by any record; powerDisconnect; harsh driving; ignition wiring.
 *  5. advanceTimeline — the lane's newest fix time, interval and fix (harsh driving compares the next with
 *                       it), and the effective ignition, move on.
 *
 * A step that throws (a bug, or data no step expected) is skipped for that record and reported in
 * `failures` — ingest logs it — so one bad record or detector never stops a device's stream (the record
 * is still stored and ACKed). Observing only compares the record's fields, which no data makes throw.
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

/** What a step returns: the next state (the same object when nothing changed) and the alerts it raised or cleared. */
export interface StepResult {
  state: VehicleState
  changes: readonly AlertChange[]
}

/** One step of the pipeline; its function name names it in `failures` and the log. */
export type Step = (state: VehicleState, obs: Observation, settings: StateSettings) => StepResult

/** The alert detectors, in order. */
export const ALERT_STEPS: readonly Step[] = [clearNoUpdate, detectPowerDisconnect, detectHarshDriving, detectIgnitionWiring]

/** Every step, in the order a record goes through them. */
export const STEPS: readonly Step[] = [enterHistory, applyLive, applyCounters, ...ALERT_STEPS, advanceTimeline]

export function processRecord(previous: VehicleState, record: DeviceRecord, settings: StateSettings): Processed {
  const obs = observe(previous, record, settings)
  let state = previous
  let changes: readonly AlertChange[] = NO_CHANGES
  let failures: StepFailure[] | undefined
  for (const step of STEPS) {
    try {
      const result = step(state, obs, settings)
      state = result.state
      if (result.changes.length > 0) changes = changes.length === 0 ? result.changes : [...changes, ...result.changes]
    } catch (err) {
      ;(failures ??= []).push({ step: step.name, err })
    }
  }
  return failures === undefined ? { state, buffered: obs.buffered, changes } : { state, buffered: obs.buffered, changes, failures }
}

/** The record as every step sees it: its times, whether it is history, its lane, its effective ignition and motion. */
export function observe(previous: VehicleState, record: DeviceRecord, settings: StateSettings): Observation {
  const fixMs = Date.parse(record.fixTime)
  const receivedMs = Date.parse(record.receivedAt)
  const lane = laneOf(previous, fixMs, receivedMs, settings)
  return {
    record,
    buffered: isHistory(record, newestLiveFixMs(previous), settings, fixMs, receivedMs),
    fixMs,
    receivedMs,
    lane,
    ignition: effectiveIgnition(record, lane === null ? null : previous.tracking.ignition, settings),
    moving: isMoving(record, settings),
    fixed: record.valid && hasCoordinates(record),
  }
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
function enterHistory(state: VehicleState, obs: Observation): StepResult {
  const history = state.tracking.history
  if (obs.lane !== 'history' || history.fixMs === null || obs.fixMs >= history.fixMs) return { state, changes: NO_CHANGES }
  const restarted = emptyLane()
  restarted.cut = history.cut
  return { state: withTracking(state, withLane(state.tracking, 'history', restarted)), changes: NO_CHANGES }
}

/** Any record ends a silence: the open noUpdate alert is cleared when the record arrived. */
export function clearNoUpdate(state: VehicleState, obs: Observation): StepResult {
  const atMs = state.tracking.noUpdateAtMs
  if (atMs === null) return { state, changes: NO_CHANGES }
  const tracking = copyTracking(state.tracking)
  tracking.noUpdateAtMs = null
  return { state: withTracking(state, tracking), changes: [clearOf(state.imei, 'noUpdate', atMs, obs.record.receivedAt)] }
}

/** The lane moves on to this record: its fix time, the interval since the previous one, its fix (for harsh driving); and the ignition. */
function advanceTimeline(state: VehicleState, obs: Observation): StepResult {
  if (obs.lane === null) return { state, changes: NO_CHANGES }
  const tracking = state.tracking
  const lane = tracking[obs.lane]
  const ignition = obs.lane === 'live' && obs.ignition !== undefined ? obs.ignition : tracking.ignition
  const newer = lane.fixMs === null || obs.fixMs > lane.fixMs
  if (!newer && ignition === tracking.ignition) return { state, changes: NO_CHANGES }
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
  return { state: withTracking(state, next), changes: NO_CHANGES }
}
