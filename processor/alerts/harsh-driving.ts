/**
 * harshBraking, harshAcceleration, harshCornering.
 *
 * From the device's events first (source `deviceEvent`; `details.g` the force the device measured, the
 * record's `harshForceG`, when it gave one). Once a device has reported any harsh event it is trusted
 * for all three and fixes are no longer used. Otherwise computed from two consecutive valid fixes between harshMinIntervalMs and
 * harshMaxIntervalMs apart (1-5 s): longitudinal g = speed change / time / 9.80665 (braking when
 * <= -HARSH_BRAKING_G, acceleration when >= HARSH_ACCELERATION_G), lateral g = mean speed x course change
 * (radians) / time / 9.80665 when both speeds are >= corneringMinSpeedKmh (cornering when
 * >= HARSH_CORNERING_G) — source `fixes`, `details.g` the measured magnitude (2 decimals). A second alert
 * of a type within harshDebounceMs is the same manoeuvre. Per-rule thresholds filter on `details.g`.
 */
import { courseChangeDeg } from '../../core/geo.ts'
import type { Observation } from '../observation.ts'
import { withTracking, type StateSettings, type VehicleState } from '../state.ts'
import { HARSH_TYPES, copyLane, withLane, type FixPoint, type HarshType } from '../tracking.ts'
import { NO_CHANGES, raiseFrom, type AlertChange } from './changes.ts'

const STANDARD_GRAVITY = 9.80665

export function detectHarshDriving(state: VehicleState, obs: Observation, settings: StateSettings): { state: VehicleState; changes: readonly AlertChange[] } {
  if (obs.lane === null) return { state, changes: NO_CHANGES }
  const tracking = state.tracking
  const lane = tracking[obs.lane]
  const { record, fixMs } = obs
  let harshMs = lane.harshMs
  let fromDevice = tracking.harshFromDevice
  let changes: AlertChange[] | undefined

  let found: [HarshType, Record<string, unknown>][] | undefined
  if (record.events.length > 0) {
    for (const type of HARSH_TYPES) {
      if (!record.events.includes(type)) continue
      fromDevice = true
      const g = record.harshForceG
      ;(found ??= []).push([type, g === undefined ? { source: 'deviceEvent' } : { source: 'deviceEvent', g }])
    }
  }
  const point = fixPointOf(obs)
  if (!fromDevice && point !== null && lane.fix !== null) {
    for (const [type, g] of computedForces(lane.fix, point, settings)) (found ??= []).push([type, { source: 'fixes', g }])
  }
  if (found !== undefined) {
    for (const [type, details] of found) {
      const last = harshMs[type]
      if (last !== null && fixMs >= last && fixMs - last < settings.harshDebounceMs) continue
      harshMs = { ...harshMs, [type]: fixMs }
      ;(changes ??= []).push(raiseFrom(state, obs, type, details))
    }
  }

  // The lane's previous fix moves on in the timeline step (pipeline.ts).
  if (harshMs === lane.harshMs && fromDevice === tracking.harshFromDevice) return { state, changes: changes ?? NO_CHANGES }
  const nextLane = copyLane(lane)
  nextLane.harshMs = harshMs
  const nextTracking = withLane(tracking, obs.lane, nextLane)
  nextTracking.harshFromDevice = fromDevice
  return { state: withTracking(state, nextTracking), changes: changes ?? NO_CHANGES }
}

/** The forces two fixes imply, as (type, g) pairs above their thresholds; none when the fixes are too close or too far apart. */
export function computedForces(previous: FixPoint, current: FixPoint, settings: StateSettings): [HarshType, number][] {
  const elapsedMs = current.fixMs - previous.fixMs
  if (elapsedMs < settings.harshMinIntervalMs || elapsedMs > settings.harshMaxIntervalMs) return []
  const seconds = elapsedMs / 1000
  const found: [HarshType, number][] = []
  const longitudinalG = (current.speedKmh - previous.speedKmh) / 3.6 / seconds / STANDARD_GRAVITY
  if (-longitudinalG >= settings.harshBrakingG) found.push(['harshBraking', round2(-longitudinalG)])
  else if (longitudinalG >= settings.harshAccelerationG) found.push(['harshAcceleration', round2(longitudinalG)])
  if (previous.course !== null && current.course !== null && Math.min(previous.speedKmh, current.speedKmh) >= settings.corneringMinSpeedKmh) {
    const turnRad = Math.abs(courseChangeDeg(previous.course, current.course)) * (Math.PI / 180)
    const lateralG = ((previous.speedKmh + current.speedKmh) / 2 / 3.6) * (turnRad / seconds) / STANDARD_GRAVITY
    if (lateralG >= settings.harshCorneringG) found.push(['harshCornering', round2(lateralG)])
  }
  return found
}

/** A valid fix with a speed, as the next one is compared with. */
export function fixPointOf(obs: Observation): FixPoint | null {
  const { record } = obs
  if (!obs.fixed || record.speedKmh === undefined) return null
  return { fixMs: obs.fixMs, speedKmh: record.speedKmh, course: record.course ?? null }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
