import type { DeviceRecord, Protocol } from '../core/record.ts'
import type { LivePosition, VehicleStatus, VirtualIgnition } from '../core/vehicle.ts'
import { copyTracking, emptyTracking, type Tracking } from './tracking.ts'
import { NO_CHANGES } from './alerts/changes.ts'
import type { Observation } from './observation.ts'
import type { StepResult } from './pipeline.ts'

/** Everything the processor steps read; each has a default below and the configurable ones come from config.ts. */
export interface StateSettings {
  /** Records lagging their arrival by more than this are history. */
  bufferedLagMs: number
  /** No data for longer than this: status noUpdate, and one noUpdate alert. */
  noUpdateAfterMs: number
  /** Speed at or above which a vehicle counts as moving when the device reports no motion flag. */
  movingSpeedKmh: number
  /**
   * A fix further ahead of its arrival than this (a device with a wrong clock) is stored but never moves
   * the live state: were it the live position, every true fix after it would look older (history) until
   * the device's clock caught up, freezing the vehicle on the map.
   */
  maxFutureMs: number
  /** Ignition on and not moving for longer than this: idle (before that the previous status stays). */
  idleAfterMs: number
  /** Not moving for longer than this ends a trip (the ignition-wiring diagnostic is raised once per trip). */
  tripEndAfterMs: number
  virtualIgnition: VirtualIgnition
  /** With virtual ignition by voltage: ignition on at or above this external voltage (the alternator running). */
  virtualIgnitionVoltageV: number

  // Counters (distance between fixes when the device reports no odometer)
  /** Below this speed a fix is parked: its distance from the last counted fix is not counted (jitter). */
  parkedSpeedKmh: number
  /** Smallest move counted, metres; a fix's own error (hdop x hdopMetres) raises it. */
  minMoveM: number
  hdopMetres: number
  /** A move or device-counter increase implying more than this speed is a jump, not counted. */
  maxPlausibleSpeedKmh: number
  /** Longest interval between two ignition-on records counted as engine time. */
  maxEngineStepMs: number

  // Power disconnect
  /** External voltage at or above this is a present supply ("normal level"). */
  supplyPresentV: number
  /** External voltage below this is an absent supply ("near zero"). */
  supplyAbsentV: number
  /** A cut restored within this window, right after a reboot sign, is flagged probableDeviceReset. */
  powerResetWindowMs: number
  /** A gap of at least this, and three times the device's previous interval, is a reboot sign. */
  rebootGapMs: number

  // Harsh driving computed from fixes
  harshBrakingG: number
  harshAccelerationG: number
  harshCorneringG: number
  /** Two fixes further apart than this say nothing about a manoeuvre; closer than the minimum, GPS noise dominates. */
  harshMaxIntervalMs: number
  harshMinIntervalMs: number
  /** Course below this speed is noise: no cornering computed. */
  corneringMinSpeedKmh: number
  /** A second alert of the same harsh type within this is the same manoeuvre. */
  harshDebounceMs: number

  // Ignition wiring
  /** Speed that is surely driving, for "moving with ignition off". */
  wiringSpeedKmh: number
  wiringMinFixes: number
  wiringMinDurationMs: number
}

export const DEFAULT_STATE_SETTINGS: StateSettings = {
  bufferedLagMs: 5 * 60_000,
  noUpdateAfterMs: 24 * 60 * 60_000,
  movingSpeedKmh: 5,
  maxFutureMs: 10 * 60_000,
  idleAfterMs: 2 * 60_000,
  tripEndAfterMs: 5 * 60_000,
  virtualIgnition: 'none',
  virtualIgnitionVoltageV: 13.2,
  parkedSpeedKmh: 3,
  minMoveM: 10,
  hdopMetres: 5,
  maxPlausibleSpeedKmh: 300,
  maxEngineStepMs: 60 * 60_000,
  supplyPresentV: 9,
  supplyAbsentV: 1,
  powerResetWindowMs: 2 * 60_000,
  rebootGapMs: 60_000,
  harshBrakingG: 0.45,
  harshAccelerationG: 0.35,
  harshCorneringG: 0.4,
  harshMaxIntervalMs: 5_000,
  harshMinIntervalMs: 1_000,
  corneringMinSpeedKmh: 20,
  harshDebounceMs: 10_000,
  wiringSpeedKmh: 10,
  wiringMinFixes: 3,
  wiringMinDurationMs: 60_000,
}

/** One device's live state, kept in memory and persisted with every committed batch. */
export interface VehicleState {
  imei: string
  protocol: Protocol
  connected: boolean
  /** Gateway time of the last message with data. */
  lastSeen: string | null
  /** The newest fix (never moved backwards by buffered history). */
  position: LivePosition | null
  /** Motion state at the newest fix; `statusAt` adds time (idle, noUpdate) on top. */
  status: VehicleStatus
  /** Current mileage and engine hours: the values an office user set, accumulated since. */
  odometerKm: number
  engineHoursH: number
  /** The steps' bookkeeping (timeline, counters' baselines, alert state machines). */
  tracking: Tracking
}

/** A copy to change (fields by hand: a spread costs ~10x more, and steps copy states per record; see tracking.ts). */
export function copyState(s: VehicleState): VehicleState {
  return {
    imei: s.imei,
    protocol: s.protocol,
    connected: s.connected,
    lastSeen: s.lastSeen,
    position: s.position,
    status: s.status,
    odometerKm: s.odometerKm,
    engineHoursH: s.engineHoursH,
    tracking: s.tracking,
  }
}

/** A copy of the state with its tracking replaced. */
export function withTracking(state: VehicleState, tracking: Tracking): VehicleState {
  const next = copyState(state)
  next.tracking = tracking
  return next
}

export function emptyState(imei: string, protocol: Protocol): VehicleState {
  return {
    imei,
    protocol,
    connected: false,
    lastSeen: null,
    position: null,
    status: 'never',
    odometerKm: 0,
    engineHoursH: 0,
    tracking: emptyTracking(),
  }
}

/**
 * A record the device marked `buffered` is history; so is one that is older than the newest fix already
 * known for the device, or that lags its arrival by more than the configured lag (not every device marks it).
 */
export function isHistory(
  record: DeviceRecord,
  newestFixMs: number | undefined,
  settings: StateSettings,
  fixMs = Date.parse(record.fixTime),
  receivedMs = Date.parse(record.receivedAt),
): boolean {
  if (record.buffered) return true
  if (newestFixMs !== undefined && fixMs < newestFixMs) return true
  return receivedMs - fixMs > settings.bufferedLagMs
}

/** Moving by speed, else by the motion flag; undefined when the record says neither. */
export function isMoving(record: DeviceRecord, settings: StateSettings): boolean | undefined {
  if (record.speedKmh !== undefined) return record.speedKmh >= settings.movingSpeedKmh
  return record.motion
}

/**
 * The live step: lastSeen, and for a record that may move the live position (not history, not from a
 * wrong clock, not older) the position and status. The ignition is the effective one (virtual-ignition.ts).
 * Idle needs ignition on without moving for more than idleAfterMs; until then the previous status stays.
 */
export function applyLive(state: VehicleState, obs: Observation, settings: StateSettings): StepResult {
  const { record, fixMs, receivedMs } = obs
  const newer = state.lastSeen === null || record.receivedAt > state.lastSeen
  const lastSeen = newer ? record.receivedAt : state.lastSeen
  const lastSeenMs = newer ? receivedMs : state.tracking.lastSeenMs
  const moves = hasCoordinates(record) && movesLivePosition(state, record, obs.buffered, fixMs - receivedMs, settings)
  if (!moves && !newer) return { state, changes: NO_CHANGES }
  const next = copyState(state)
  const tracking = copyTracking(state.tracking)
  next.lastSeen = lastSeen
  next.tracking = tracking
  tracking.lastSeenMs = lastSeenMs
  if (!moves) return { state: next, changes: NO_CHANGES }
  let status: VehicleStatus
  let idleSinceMs: number | null = null
  if (obs.moving === true) status = 'moving'
  else if (obs.ignition === true) {
    idleSinceMs = state.tracking.idleSinceMs ?? fixMs
    const previous = state.status === 'never' ? 'idle' : state.status
    status = fixMs - idleSinceMs > settings.idleAfterMs ? 'idle' : previous
  } else status = 'stopped'
  next.position = toLivePosition(record as PositionedRecord)
  next.status = status
  tracking.idleSinceMs = idleSinceMs
  return { state: next, changes: NO_CHANGES }
}

type PositionedRecord = DeviceRecord & { latitude: number; longitude: number }

export function hasCoordinates(record: DeviceRecord): record is PositionedRecord {
  return record.latitude !== undefined && record.longitude !== undefined
}

function movesLivePosition(state: VehicleState, record: PositionedRecord, buffered: boolean, aheadMs: number, settings: StateSettings): boolean {
  if (buffered) return false
  if (aheadMs > settings.maxFutureMs) return false
  return state.position === null || record.fixTime >= state.position.fixTime
}

/**
 * Status as seen at `now`: a device silent for longer than the threshold is noUpdate; one with ignition on
 * and still since more than idleAfterMs is idle even if no record came to say so.
 */
export function statusAt(state: VehicleState, now: number, settings: StateSettings): VehicleStatus {
  if (state.lastSeen === null) return 'never'
  const lastSeenMs = state.tracking.lastSeenMs ?? Date.parse(state.lastSeen)
  if (now - lastSeenMs > settings.noUpdateAfterMs) return 'noUpdate'
  return idleDue(state, now, settings) ? 'idle' : state.status
}

/** Ignition on without moving for long enough, while the stored status still says otherwise. */
export function idleDue(state: VehicleState, now: number, settings: StateSettings): boolean {
  const since = state.tracking.idleSinceMs
  return since !== null && state.status !== 'idle' && now - since > settings.idleAfterMs
}

/** The live view of a record that has coordinates (optional fields only when reported; built by hand, it runs per record). */
export function toLivePosition(record: PositionedRecord): LivePosition {
  const position: LivePosition = { fixTime: record.fixTime, latitude: record.latitude, longitude: record.longitude, valid: record.valid }
  if (record.speedKmh !== undefined) position.speedKmh = record.speedKmh
  if (record.course !== undefined) position.course = record.course
  if (record.ignition !== undefined) position.ignition = record.ignition
  if (record.satellites !== undefined) position.satellites = record.satellites
  if (record.externalVoltageV !== undefined) position.externalVoltageV = record.externalVoltageV
  if (record.batteryVoltageV !== undefined) position.batteryVoltageV = record.batteryVoltageV
  if (record.gsmSignal !== undefined) position.gsmSignal = record.gsmSignal
  return position
}
