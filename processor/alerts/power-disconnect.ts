/**
 * powerDisconnect: somebody removed the device from its power source.
 *
 * Raised by the device's `powerCut` event (source `deviceEvent`), or by the external voltage dropping
 * from a present supply (>= supplyPresentV, 9 V) to near zero (< supplyAbsentV, 1 V) while the device
 * keeps reporting on its internal battery (the record carries a battery voltage or level) — source
 * `voltageDrop`. One alert per cut: while a cut is open, further cut events, near-zero readings and the
 * device's retries raise nothing, and a retried or re-uploaded record inside an already closed cut
 * neither. Cleared (cleared_at = the restoring record's fix time) by a `powerRestored` event, or by a
 * present supply (voltage back >= 9 V, or the record's `externalPowerConnected`) after the supply was seen absent.
 *
 * A cut restored within powerResetWindowMs (2 min), right after a reboot sign, is flagged
 * `probableDeviceReset` (a device reset after an automated diagnostic looks like a cut), not
 * hidden. Reboot signs: a `deviceReset` event, or a gap in the device's data (>= rebootGapMs and >= 3x
 * its previous interval) — within the window before the cut, or while it is open.
 */
import type { DeviceRecord } from '../../core/record.ts'
import type { Observation } from '../observation.ts'
import { withTracking, type StateSettings, type VehicleState } from '../state.ts'
import { copyLane, withLane, type Lane, type OpenCut, type Tracking } from '../tracking.ts'
import { NO_CHANGES, clearOf, raiseFrom, type AlertChange } from './changes.ts'

export function detectPowerDisconnect(state: VehicleState, obs: Observation, settings: StateSettings): { state: VehicleState; changes: readonly AlertChange[] } {
  if (obs.lane === null) return { state, changes: NO_CHANGES }
  const tracking = state.tracking
  const lane = tracking[obs.lane]
  const { record, fixMs } = obs
  const reboot = isRebootSign(record, lane, fixMs, settings)
  const voltage = voltageSupply(record, settings)
  const supply = voltage ?? flaggedSupply(record)
  let cut = lane.cut
  let lastCut = tracking.lastCut
  let changes: readonly AlertChange[] = NO_CHANGES

  if (cut === null) {
    const byEvent = record.events.includes('powerCut')
    const byDrop = !byEvent && voltage === 'absent' && lane.supply === 'present' && hasBattery(record)
    if ((byEvent || byDrop) && !record.events.includes('powerRestored') && !isKnownCut(tracking, obs)) {
      const rebootMs = reboot ? fixMs : lane.rebootMs
      cut = {
        atMs: fixMs,
        source: byEvent ? 'deviceEvent' : 'voltageDrop',
        rebootMs: rebootMs !== null && fixMs - rebootMs <= settings.powerResetWindowMs ? rebootMs : null,
        absentSeen: supply === 'absent',
      }
      changes = [raiseFrom(state, obs, 'powerDisconnect', cutDetails(record, cut))]
    }
  } else if (fixMs > cut.atMs) {
    if (reboot) cut = { ...cut, rebootMs: fixMs }
    const restored = record.events.includes('powerRestored') || (supply === 'present' && (cut.source === 'voltageDrop' || cut.absentSeen))
    if (restored) {
      const probableDeviceReset = cut.rebootMs !== null && fixMs - cut.atMs <= settings.powerResetWindowMs
      changes = [clearOf(record.imei, 'powerDisconnect', cut.atMs, record.fixTime, probableDeviceReset ? { probableDeviceReset: true } : undefined)]
      if (lastCut === null || fixMs > lastCut.toMs) lastCut = { fromMs: cut.atMs, toMs: fixMs }
      cut = null
    } else if (supply === 'absent' && !cut.absentSeen) cut = { ...cut, absentSeen: true }
  }

  const laneSupply = voltage ?? lane.supply
  const rebootMs = reboot ? fixMs : lane.rebootMs
  if (cut === lane.cut && laneSupply === lane.supply && rebootMs === lane.rebootMs && lastCut === tracking.lastCut) return { state, changes }
  const nextLane = copyLane(lane)
  nextLane.cut = cut
  nextLane.supply = laneSupply
  nextLane.rebootMs = rebootMs
  const nextTracking = withLane(tracking, obs.lane, nextLane)
  nextTracking.lastCut = lastCut
  return { state: withTracking(state, nextTracking), changes }
}

function cutDetails(record: DeviceRecord, cut: OpenCut): Record<string, unknown> {
  const details: Record<string, unknown> = { source: cut.source }
  if (record.externalVoltageV !== undefined) details.externalVoltageV = record.externalVoltageV
  if (record.batteryVoltageV !== undefined) details.batteryVoltageV = record.batteryVoltageV
  return details
}

/** The supply by external voltage: present, absent, or undefined (not reported, or in between). */
export function voltageSupply(record: DeviceRecord, settings: StateSettings): 'present' | 'absent' | undefined {
  const volts = record.externalVoltageV
  if (volts === undefined) return undefined
  if (volts >= settings.supplyPresentV) return 'present'
  if (volts < settings.supplyAbsentV) return 'absent'
  return undefined
}

/** The supply by a device's connected flag, for records without a voltage. */
function flaggedSupply(record: DeviceRecord): 'present' | 'absent' | undefined {
  if (record.externalPowerConnected === undefined) return undefined
  return record.externalPowerConnected ? 'present' : 'absent'
}

/** Still reporting on the internal battery. */
function hasBattery(record: DeviceRecord): boolean {
  return (record.batteryVoltageV !== undefined && record.batteryVoltageV > 0) || record.batteryLevelPct !== undefined
}

/** The device has just restarted: a reset event, or a gap far beyond its rhythm. */
export function isRebootSign(record: DeviceRecord, lane: Lane, fixMs: number, settings: StateSettings): boolean {
  if (record.events.includes('deviceReset')) return true
  if (lane.fixMs === null || lane.intervalMs === null) return false
  const gap = fixMs - lane.fixMs
  return gap >= settings.rebootGapMs && gap >= 3 * lane.intervalMs
}

/** A record inside a cut already raised: the closed one before, or (for history) the live one still open. */
function isKnownCut(tracking: Tracking, obs: Observation): boolean {
  const { lastCut } = tracking
  if (lastCut !== null && obs.fixMs >= lastCut.fromMs && obs.fixMs <= lastCut.toMs) return true
  const liveCut = tracking.live.cut
  return obs.lane === 'history' && liveCut !== null && obs.fixMs >= liveCut.atMs
}
