/**
 * Mileage and engine hours. An office user sets a vehicle's current values (counters_set_at); from then on
 * they grow by the device's own counters when it reports them — the increase since the first reading
 * at or after the set time — else by distance between valid fixes and by ignition-on time.
 */
import type { DeviceRecord } from '../core/record.ts'
import { distanceM } from '../core/geo.ts'
import { NO_CHANGES } from './alerts/changes.ts'
import type { Observation } from './observation.ts'
import type { StepResult } from './pipeline.ts'
import { copyState, type StateSettings, type VehicleState } from './state.ts'
import { copyCounters, copyTracking, type CounterTracking } from './tracking.ts'

const MS_PER_HOUR = 3_600_000

export function applyCounters(state: VehicleState, obs: Observation, settings: StateSettings): StepResult {
  // A fix from a clock far ahead joins no lane: as a baseline it would make every true reading after it look older.
  if (obs.lane === null) return { state, changes: NO_CHANGES }
  const counters = state.tracking.counters
  // Before the office user's reading: already part of the value they entered.
  if (counters.setAtMs !== null && obs.fixMs < counters.setAtMs) return { state, changes: NO_CHANGES }
  const odometer = odometerStep(counters, state.odometerKm, obs, settings)
  const hours = hoursStep(odometer.counters, state, obs, settings)
  if (hours.counters === counters && odometer.km === state.odometerKm && hours.h === state.engineHoursH) return { state, changes: NO_CHANGES }
  const next = copyState(state)
  next.odometerKm = odometer.km
  next.engineHoursH = hours.h
  if (hours.counters !== counters) {
    next.tracking = copyTracking(state.tracking)
    next.tracking.counters = hours.counters
  }
  return { state: next, changes: NO_CHANGES }
}

interface Reading {
  value: number | null
  atMs: number | null
}

/**
 * A device counter's increase: counted when the reading is newer and the increase plausible for the time
 * since the last one. The first reading is the baseline; a drop or an impossible jump on a newer reading
 * (counter reset, device swapped) becomes the new baseline; an older reading (history) can only be lower,
 * so it is ignored — the counter is the maximum seen.
 */
export function deviceCounterStep(last: Reading, value: number, atMs: number, maxPerMs: number, slack: number): { add: number; last: Reading } {
  if (last.value === null || last.atMs === null) return { add: 0, last: { value, atMs } }
  if (atMs < last.atMs) return { add: 0, last }
  const increase = value - last.value
  if (increase >= 0 && increase <= maxPerMs * (atMs - last.atMs) + slack) return { add: increase, last: { value, atMs } }
  return { add: 0, last: { value, atMs } }
}

function odometerStep(counters: CounterTracking, km: number, obs: Observation, settings: StateSettings): { counters: CounterTracking; km: number } {
  const { record } = obs
  if (record.odometerKm !== undefined) {
    const maxKmPerMs = settings.maxPlausibleSpeedKmh / MS_PER_HOUR
    const step = deviceCounterStep({ value: counters.deviceOdometerKm, atMs: counters.deviceOdometerAtMs }, record.odometerKm, obs.fixMs, maxKmPerMs, 1)
    const next = copyCounters(counters)
    next.usesDeviceOdometer = true
    next.deviceOdometerKm = step.last.value
    next.deviceOdometerAtMs = step.last.atMs
    return { km: km + step.add, counters: next }
  }
  if (counters.usesDeviceOdometer || obs.lane !== 'live' || !obs.fixed) return { counters, km }
  return fixDistanceStep(counters, km, obs, settings)
}

/**
 * Distance between valid fixes, measured from the last counted fix (the anchor) so that a parked vehicle's
 * jitter never adds up: a parked fix (slow, or motion/ignition off) or a move within the fix's own error
 * leaves the anchor where it is, and a move implying an impossible speed moves the anchor without counting.
 */
function fixDistanceStep(counters: CounterTracking, km: number, obs: Observation, settings: StateSettings): { counters: CounterTracking; km: number } {
  const record = obs.record as DeviceRecord & { latitude: number; longitude: number }
  const point = { latitude: record.latitude, longitude: record.longitude, fixMs: obs.fixMs }
  const anchor = counters.anchor
  if (anchor === null) return { km, counters: withAnchor(counters, point) }
  const elapsedMs = obs.fixMs - anchor.fixMs
  if (elapsedMs <= 0) return { counters, km }
  const metres = distanceM(anchor, point)
  if ((metres / 1000) / (elapsedMs / MS_PER_HOUR) > settings.maxPlausibleSpeedKmh) return { km, counters: withAnchor(counters, point) }
  if (isParked(record, obs.ignition, settings)) return { counters, km }
  const errorM = record.hdop === undefined ? 0 : record.hdop * settings.hdopMetres
  if (metres < Math.max(settings.minMoveM, errorM)) return { counters, km }
  return { km: km + metres / 1000, counters: withAnchor(counters, point) }
}

function withAnchor(counters: CounterTracking, anchor: CounterTracking['anchor']): CounterTracking {
  const next = copyCounters(counters)
  next.anchor = anchor
  return next
}

/** Slower than a walk by the fix's speed; without a speed, the motion flag, else the ignition, says so. */
export function isParked(record: DeviceRecord, ignition: boolean | undefined, settings: StateSettings): boolean {
  if (record.speedKmh !== undefined) return record.speedKmh < settings.parkedSpeedKmh
  if (record.motion !== undefined) return !record.motion
  return ignition === false
}

/** Engine hours: the device's hour meter when it has one, else time between in-order records with ignition on at both. */
function hoursStep(counters: CounterTracking, state: VehicleState, obs: Observation, settings: StateSettings): { counters: CounterTracking; h: number } {
  const h = state.engineHoursH
  const { record } = obs
  if (record.engineHoursH !== undefined) {
    const step = deviceCounterStep({ value: counters.deviceHoursH, atMs: counters.deviceHoursAtMs }, record.engineHoursH, obs.fixMs, 1 / MS_PER_HOUR, 0.1)
    const next = copyCounters(counters)
    next.usesDeviceHours = true
    next.deviceHoursH = step.last.value
    next.deviceHoursAtMs = step.last.atMs
    return { h: h + step.add, counters: next }
  }
  if (counters.usesDeviceHours || obs.lane !== 'live') return { counters, h }
  const previousMs = state.tracking.live.fixMs
  if (previousMs === null || state.tracking.ignition !== true || obs.ignition !== true) return { counters, h }
  if (counters.setAtMs !== null && previousMs < counters.setAtMs) return { counters, h }
  const elapsedMs = obs.fixMs - previousMs
  if (elapsedMs <= 0 || elapsedMs > settings.maxEngineStepMs) return { counters, h }
  return { h: h + elapsedMs / MS_PER_HOUR, counters }
}

/**
 * The office user's values in force from `atMs`: the totals become them, and the device's counters are
 * read afresh from their first reading at or after that time (a device that reports counters keeps being
 * read that way; fix distance restarts from the next fix).
 */
export function rebaseCounters(state: VehicleState, odometerKm: number, engineHoursH: number, atMs: number): VehicleState {
  const counters = copyCounters(state.tracking.counters)
  counters.setAtMs = atMs
  counters.deviceOdometerKm = null
  counters.deviceOdometerAtMs = null
  counters.deviceHoursH = null
  counters.deviceHoursAtMs = null
  counters.anchor = null
  const next = copyState(state)
  next.odometerKm = odometerKm
  next.engineHoursH = engineHoursH
  next.tracking = copyTracking(state.tracking)
  next.tracking.counters = counters
  return next
}
