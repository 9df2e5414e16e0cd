import type { DeviceRecord } from '../core/record.ts'
import type { StateSettings } from './state.ts'

/**
 * The ignition the steps use. The device's own input wins. Where the record has none, VIRTUAL_IGNITION
 * derives it: `voltage` — on while the external voltage is at or above VIRTUAL_IGNITION_VOLTAGE (a running
 * alternator charges above a resting battery's ~12.6 V); `motion` — on while the device reports motion
 * (or, without a motion flag, a moving speed). A record that carries none of these keeps the last known
 * value (`previous`), as a record between two readings says nothing new. `none` only carries the device's
 * last reported value over. The stored record is never changed: this is state, not data.
 */
export function effectiveIgnition(record: DeviceRecord, previous: boolean | null, settings: StateSettings): boolean | undefined {
  if (record.ignition !== undefined) return record.ignition
  const derived = virtualIgnition(record, settings)
  if (derived !== undefined) return derived
  return previous ?? undefined
}

function virtualIgnition(record: DeviceRecord, settings: StateSettings): boolean | undefined {
  switch (settings.virtualIgnition) {
    case 'none':
      return undefined
    case 'voltage':
      return record.externalVoltageV === undefined ? undefined : record.externalVoltageV >= settings.virtualIgnitionVoltageV
    case 'motion':
      if (record.motion !== undefined) return record.motion
      return record.speedKmh === undefined ? undefined : record.speedKmh >= settings.movingSpeedKmh
  }
}
