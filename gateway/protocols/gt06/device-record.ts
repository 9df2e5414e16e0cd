/** Turns a GT06 observation into a DeviceRecord: units already converted, optional fields omitted. */
import { omitUndefined } from '../../lib/omit-undefined.ts'
import type { DeviceRecord } from '../../../core/record.ts'
import type { Observation } from './blocks.ts'

/**
 * A message without a device time (status, heartbeat, cell+status) is stamped with the gateway
 * clock: it reports the device's state as of its arrival. Without a GPS block the record has no
 * coordinates and is not valid; nothing is copied from an earlier fix.
 */
export function toDeviceRecord(observation: Observation, imei: string, now: Date, clockOffsetMinutes = 0): DeviceRecord {
  const { position, deviceClockMs } = observation
  const utcFromDeviceClock = deviceClockMs === undefined ? undefined : deviceClockMs - clockOffsetMinutes * 60_000
  return omitUndefined<DeviceRecord>({
    imei,
    protocol: 'gt06',
    fixTime: new Date(observation.timeMs ?? utcFromDeviceClock ?? now.getTime()).toISOString(),
    receivedAt: now.toISOString(),
    buffered: observation.buffered,
    valid: position !== undefined && observation.positioned,
    latitude: position?.latitude,
    longitude: position?.longitude,
    speedKmh: observation.speedKmh,
    course: observation.course,
    satellites: observation.satellites,
    ignition: observation.ignition,
    externalVoltageV: observation.externalVoltageV,
    externalPowerConnected: observation.externalPowerConnected,
    batteryVoltageV: observation.batteryVoltageV,
    batteryLevelPct: observation.batteryLevelPct,
    odometerKm: observation.odometerKm,
    gsmSignal: observation.gsmSignal,
    events: observation.events,
    io: observation.io,
  })
}
