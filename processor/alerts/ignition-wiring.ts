/**
 * ignitionWiring, the installer diagnostic "moving with ignition off" (a loose or mis-wired
 * ignition wire makes a vehicle look stopped while it drives). Raised when the device reports ignition
 * off on at least wiringMinFixes (3) consecutive valid fixes at >= wiringSpeedKmh (10 km/h), not
 * contradicted by its motion sensor, spanning at least wiringMinDurationMs (1 min); a fix reporting
 * ignition on breaks the streak. Once per trip: a trip ends when the vehicle has not moved for more than
 * tripEndAfterMs (5 min). Uses the reported ignition only — never virtual ignition. In-order records only.
 */
import type { Observation } from '../observation.ts'
import { withTracking, type StateSettings, type VehicleState } from '../state.ts'
import { copyTracking, type Tracking } from '../tracking.ts'
import { NO_CHANGES, raiseFrom, type AlertChange } from './changes.ts'

const NEW_TRIP: Tracking['wiring'] = Object.freeze({ fixes: 0, sinceMs: null, raised: false })

export function detectIgnitionWiring(state: VehicleState, obs: Observation, settings: StateSettings): { state: VehicleState; changes: readonly AlertChange[] } {
  if (obs.lane !== 'live') return { state, changes: NO_CHANGES }
  const tracking = state.tracking
  const { record, fixMs, moving } = obs
  let { stillSinceMs, wiring } = tracking
  let changes: readonly AlertChange[] = NO_CHANGES

  // Trips: not moving for longer than tripEndAfterMs ends one.
  if (moving === false) {
    stillSinceMs ??= fixMs
    if (fixMs - stillSinceMs > settings.tripEndAfterMs) wiring = NEW_TRIP
  } else if (moving === true) {
    if (stillSinceMs !== null && fixMs - stillSinceMs > settings.tripEndAfterMs) wiring = NEW_TRIP
    stillSinceMs = null
  }

  if (record.ignition === true) {
    if (wiring.fixes > 0) wiring = { fixes: 0, sinceMs: null, raised: wiring.raised }
  } else if (record.ignition === false && obs.fixed && (record.speedKmh ?? 0) >= settings.wiringSpeedKmh && record.motion !== false) {
    const sinceMs = wiring.sinceMs ?? fixMs
    const fixes = wiring.fixes + 1
    const due = !wiring.raised && fixes >= settings.wiringMinFixes && fixMs - sinceMs >= settings.wiringMinDurationMs
    if (due) {
      changes = [raiseFrom(state, obs, 'ignitionWiring', { speedKmh: record.speedKmh, fixes, since: new Date(sinceMs).toISOString() })]
    }
    wiring = { fixes, sinceMs, raised: wiring.raised || due }
  }

  if (stillSinceMs === tracking.stillSinceMs && wiring === tracking.wiring) return { state, changes }
  const next = copyTracking(tracking)
  next.stillSinceMs = stillSinceMs
  next.wiring = wiring
  return { state: withTracking(state, next), changes }
}
