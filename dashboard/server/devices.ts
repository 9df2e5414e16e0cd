import type { Database } from '../../db/client.ts'
import type { VehicleStateView } from '../../processor/vehicle-states.ts'
import { statusAt, type StateSettings, type VehicleState } from '../../processor/state.ts'
import type { DeviceSummary, StoredPosition } from '../shared/contract.ts'
import { omitUndefined } from '../../gateway/lib/omit-undefined.ts'

export interface VehicleRef {
  id: number
  name: string
}

/** Vehicle names by assigned device IMEI. */
export async function vehiclesByImei(db: Database): Promise<Map<string, VehicleRef>> {
  const { rows } = await db.query<{ id: number; name: string; device_imei: string }>(
    'SELECT id, name, device_imei FROM vehicles WHERE device_imei IS NOT NULL',
  )
  return new Map(rows.map((row) => [row.device_imei, { id: row.id, name: row.name }]))
}

export function toDeviceSummary(state: VehicleState, vehicle: VehicleRef | undefined, now: number, settings: StateSettings): DeviceSummary {
  return {
    imei: state.imei,
    protocol: state.protocol,
    vehicleId: vehicle?.id ?? null,
    name: vehicle?.name ?? state.imei,
    connected: state.connected,
    lastSeen: state.lastSeen,
    status: statusAt(state, now, settings),
    position: state.position,
    odometerKm: state.odometerKm,
    engineHoursH: state.engineHoursH,
  }
}

export async function listDevices(db: Database, states: VehicleStateView, settings: StateSettings): Promise<DeviceSummary[]> {
  const vehicles = await vehiclesByImei(db)
  const now = Date.now()
  return [...states.all()].map((state) => toDeviceSummary(state, vehicles.get(state.imei), now, settings))
}

export async function devicePositions(db: Database, imei: string, from: Date, to: Date, limit: number): Promise<StoredPosition[]> {
  const { rows } = await db.query<{
    fix_time: Date
    received_at: Date
    buffered: boolean
    valid: boolean
    latitude: number | null
    longitude: number | null
    speed_kmh: number | null
    course: number | null
    ignition: boolean | null
    satellites: number | null
    external_voltage_v: number | null
    battery_voltage_v: number | null
  }>(
    `SELECT fix_time, received_at, buffered, valid, latitude, longitude, speed_kmh, course, ignition, satellites,
            external_voltage_v, battery_voltage_v
       FROM positions WHERE imei = $1 AND fix_time >= $2 AND fix_time <= $3
      ORDER BY fix_time LIMIT $4`,
    [imei, from, to, limit],
  )
  return rows.map((row) =>
    omitUndefined({
      fixTime: row.fix_time.toISOString(),
      receivedAt: row.received_at.toISOString(),
      buffered: row.buffered,
      valid: row.valid,
      latitude: row.latitude ?? undefined,
      longitude: row.longitude ?? undefined,
      speedKmh: row.speed_kmh ?? undefined,
      course: row.course ?? undefined,
      ignition: row.ignition ?? undefined,
      satellites: row.satellites ?? undefined,
      externalVoltageV: row.external_voltage_v ?? undefined,
      batteryVoltageV: row.battery_voltage_v ?? undefined,
    }),
  )
}
