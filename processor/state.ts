import type { DeviceRecord, Protocol } from '../gateway/record.ts'
import { omitUndefined } from '../gateway/lib/omit-undefined.ts'
import type { LivePosition, VehicleStatus } from '../dashboard/shared/contract.ts'

export interface StateSettings {
  /** Records lagging their arrival by more than this are history. */
  bufferedLagMs: number
  /** No data for longer than this: status noUpdate. */
  noUpdateAfterMs: number
  /** Speed at or above which a vehicle counts as moving when the device reports no motion flag. */
  movingSpeedKmh: number
  /** A fix further ahead of its arrival than this (a device with a wrong clock) is stored but not shown live. */
  maxFutureMs: number
}

export const DEFAULT_STATE_SETTINGS: StateSettings = {
  bufferedLagMs: 5 * 60_000,
  noUpdateAfterMs: 24 * 60 * 60_000,
  movingSpeedKmh: 5,
  maxFutureMs: 24 * 60 * 60_000,
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
  /** Device-reported motion state at the newest fix; `status` adds time (noUpdate) on top. */
  status: VehicleStatus
}

export function emptyState(imei: string, protocol: Protocol): VehicleState {
  return { imei, protocol, connected: false, lastSeen: null, position: null, status: 'never' }
}

/**
 * Teltonika has no history flag, so history is recognised by time: older than the newest fix already
 * known for the device, or lagging its arrival by more than the configured lag.
 */
export function isHistory(record: DeviceRecord, newestFixMs: number | undefined, settings: StateSettings): boolean {
  if (record.buffered) return true
  const fixMs = Date.parse(record.fixTime)
  if (newestFixMs !== undefined && fixMs < newestFixMs) return true
  return Date.parse(record.receivedAt) - fixMs > settings.bufferedLagMs
}

/** The state after one committed record. Buffered history updates lastSeen but never the live position. */
export function applyRecord(state: VehicleState, record: DeviceRecord, settings: StateSettings): VehicleState {
  const lastSeen = state.lastSeen === null || record.receivedAt > state.lastSeen ? record.receivedAt : state.lastSeen
  if (!hasCoordinates(record) || !movesLivePosition(state, record, settings)) return { ...state, lastSeen }
  const position = toLivePosition(record)
  return { ...state, lastSeen, position, status: motionStatus(record, settings) }
}

type PositionedRecord = DeviceRecord & { latitude: number; longitude: number }

function hasCoordinates(record: DeviceRecord): record is PositionedRecord {
  return record.latitude !== undefined && record.longitude !== undefined
}

function movesLivePosition(state: VehicleState, record: PositionedRecord, settings: StateSettings): boolean {
  if (record.buffered) return false
  if (Date.parse(record.fixTime) - Date.parse(record.receivedAt) > settings.maxFutureMs) return false
  return state.position === null || record.fixTime >= state.position.fixTime
}

function motionStatus(record: DeviceRecord, settings: StateSettings): VehicleStatus {
  const moving = record.speedKmh === undefined ? record.motion === true : record.speedKmh >= settings.movingSpeedKmh
  if (moving) return 'moving'
  if (record.ignition === true) return 'idle'
  return 'stopped'
}

/** Status as seen at `now`: a device silent for longer than the threshold is noUpdate. */
export function statusAt(state: VehicleState, now: number, settings: StateSettings): VehicleStatus {
  if (state.lastSeen === null) return 'never'
  if (now - Date.parse(state.lastSeen) > settings.noUpdateAfterMs) return 'noUpdate'
  return state.status
}

/** The live view of a record that has coordinates. */
export function toLivePosition(record: PositionedRecord): LivePosition {
  return omitUndefined({
    fixTime: record.fixTime,
    latitude: record.latitude,
    longitude: record.longitude,
    speedKmh: record.speedKmh,
    course: record.course,
    ignition: record.ignition,
    satellites: record.satellites,
    externalVoltageV: record.externalVoltageV,
    batteryVoltageV: record.batteryVoltageV,
  })
}
