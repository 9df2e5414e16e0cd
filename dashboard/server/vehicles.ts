import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import type { VehicleCommands } from '../../processor/processor.ts'
import type { VehicleStateView } from '../../processor/vehicle-states.ts'
import type { Vehicle, VehicleCounters } from '../shared/contract.ts'
import { ApiError } from './http.ts'
import { imeiParam, ONE_LINE, ONE_LINE_MESSAGE, pgCode } from './validation.ts'

const name = z.string().trim().min(1, 'a vehicle needs a name').max(100, 'a vehicle name has at most 100 characters').regex(ONE_LINE, ONE_LINE_MESSAGE)
export const newVehicleBody = z.strictObject({ name, deviceImei: imeiParam.nullable().optional() })
export const vehicleChangesBody = z
  .strictObject({ name: name.optional(), deviceImei: imeiParam.nullable().optional() })
  .refine((body) => body.name !== undefined || body.deviceImei !== undefined, 'send a name, a deviceImei (null to unassign) or both')
export const countersBody = z.strictObject({
  odometerKm: z.number().finite().min(0, 'mileage cannot be negative').max(10_000_000, 'mileage is at most 10,000,000 km'),
  engineHoursH: z.number().finite().min(0, 'engine hours cannot be negative').max(1_000_000, 'engine hours are at most 1,000,000 h'),
})

/**
 * The processor's side of the counters: a device's mileage and engine hours as accumulated (read), and
 * the command that starts them again from given values.
 */
export type LiveCounters = Pick<VehicleStateView, 'countersOf'> & Pick<VehicleCommands, 'startCountersFrom'>

interface VehicleRow {
  id: number
  name: string
  device_imei: string | null
  odometer_km: number
  engine_hours_h: number
  counters_set_at: Date | null
}

const COLUMNS = 'id, name, device_imei, odometer_km, engine_hours_h, counters_set_at'

/** The vehicle with its current counters: its device's live totals when it has one that reported, else the stored values. */
function toVehicle(row: VehicleRow, live: LiveCounters): Vehicle {
  const current = row.device_imei === null ? undefined : live.countersOf(row.device_imei)
  return {
    id: row.id,
    name: row.name,
    deviceImei: row.device_imei,
    hasDevice: row.device_imei !== null,
    odometerKm: current?.odometerKm ?? row.odometer_km,
    engineHoursH: current?.engineHoursH ?? row.engine_hours_h,
    countersSetAt: row.counters_set_at?.toISOString() ?? null,
  }
}

export async function listVehicles(db: Database, live: LiveCounters): Promise<Vehicle[]> {
  const { rows } = await db.query<VehicleRow>(`SELECT ${COLUMNS} FROM vehicles ORDER BY lower(name), id`)
  return rows.map((row) => toVehicle(row, live))
}

export async function getVehicle(db: Database, live: LiveCounters, id: number): Promise<Vehicle> {
  const { rows } = await db.query<VehicleRow>(`SELECT ${COLUMNS} FROM vehicles WHERE id = $1`, [id])
  if (!rows[0]) throw vehicleNotFound(id)
  return toVehicle(rows[0], live)
}

/** A new vehicle's counters start at zero; with a device, they grow from zero from now on. */
export async function createVehicle(db: Database, live: LiveCounters, input: z.infer<typeof newVehicleBody>): Promise<Vehicle> {
  const imei = input.deviceImei ?? null
  if (imei !== null) await checkDeviceFree(db, imei, null)
  const at = imei === null ? null : new Date()
  const { rows } = await withDeviceConflicts(imei, () =>
    db.query<VehicleRow>(`INSERT INTO vehicles (name, device_imei, counters_set_at) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`, [input.name, imei, at]),
  )
  if (imei !== null) await live.startCountersFrom(imei, { odometerKm: 0, engineHoursH: 0 }, at!)
  return toVehicle(rows[0]!, live)
}

/**
 * Renames and/or assigns a device (`deviceImei: null` unassigns). The vehicle keeps its mileage and
 * engine hours across a device change: the totals it had are stored, and a newly assigned device grows
 * them from now on (a swapped tracker does not reset or inherit anyone's counters). Returns the vehicle
 * and the device it had before.
 */
export async function updateVehicle(
  db: Database,
  live: LiveCounters,
  id: number,
  changes: z.infer<typeof vehicleChangesBody>,
): Promise<{ vehicle: Vehicle; previousImei: string | null }> {
  const before = await getVehicle(db, live, id)
  const imei = changes.deviceImei === undefined ? before.deviceImei : changes.deviceImei
  const name = changes.name ?? before.name
  if (imei === before.deviceImei) {
    const { rows } = await db.query<VehicleRow>(`UPDATE vehicles SET name = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, name])
    if (!rows[0]) throw vehicleNotFound(id)
    return { vehicle: toVehicle(rows[0], live), previousImei: before.deviceImei }
  }
  if (imei !== null) await checkDeviceFree(db, imei, id)
  const at = new Date()
  const { rows } = await withDeviceConflicts(imei, () =>
    db.query<VehicleRow>(
      `UPDATE vehicles SET name = $2, device_imei = $3, odometer_km = $4, engine_hours_h = $5,
              counters_set_at = CASE WHEN $3::text IS NULL THEN counters_set_at ELSE $6 END
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, name, imei, before.odometerKm, before.engineHoursH, at],
    ),
  )
  if (!rows[0]) throw vehicleNotFound(id)
  if (imei !== null) await live.startCountersFrom(imei, before, at)
  return { vehicle: toVehicle(rows[0], live), previousImei: before.deviceImei }
}

/** Deletes the vehicle; its device becomes unassigned, its alerts stay (without the vehicle). Returns the device it had. */
export async function deleteVehicle(db: Database, id: number): Promise<{ previousImei: string | null }> {
  const { rows } = await db.query<{ device_imei: string | null }>('DELETE FROM vehicles WHERE id = $1 RETURNING device_imei', [id])
  if (!rows[0]) throw vehicleNotFound(id)
  return { previousImei: rows[0].device_imei }
}

/** Sets the current mileage and engine hours; the vehicle's device (if any) accumulates from them from now on. */
export async function setVehicleCounters(db: Database, live: LiveCounters, id: number, counters: VehicleCounters): Promise<Vehicle> {
  const at = new Date()
  const { rows } = await db.query<VehicleRow>(
    `UPDATE vehicles SET odometer_km = $2, engine_hours_h = $3, counters_set_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, counters.odometerKm, counters.engineHoursH, at],
  )
  if (!rows[0]) throw vehicleNotFound(id)
  if (rows[0].device_imei !== null) await live.startCountersFrom(rows[0].device_imei, counters, at)
  return toVehicle(rows[0], live)
}

/** Answers 404 for an unknown device and 409 for one another vehicle has, naming that vehicle. */
async function checkDeviceFree(db: Database, imei: string, vehicleId: number | null): Promise<void> {
  const { rows } = await db.query<{ vehicle_id: number | null; vehicle_name: string | null }>(
    'SELECT v.id AS vehicle_id, v.name AS vehicle_name FROM devices d LEFT JOIN vehicles v ON v.device_imei = d.imei WHERE d.imei = $1',
    [imei],
  )
  if (!rows[0]) throw deviceNotFound(imei)
  const holder = rows[0]
  if (holder.vehicle_id !== null && holder.vehicle_id !== vehicleId) {
    throw new ApiError('DEVICE_TAKEN', `Device ${imei} is already assigned to vehicle "${holder.vehicle_name}" (id ${holder.vehicle_id}); unassign it there first`)
  }
}

/** The same answers when a concurrent write won the race past `checkDeviceFree`. */
async function withDeviceConflicts<T>(imei: string | null, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if (pgCode(err) === '23505') throw new ApiError('DEVICE_TAKEN', `Device ${imei} is already assigned to another vehicle`)
    if (pgCode(err) === '23503' && imei !== null) throw deviceNotFound(imei)
    throw err
  }
}

const vehicleNotFound = (id: number) => new ApiError('VEHICLE_NOT_FOUND', `No vehicle with id ${id}`)
const deviceNotFound = (imei: string) =>
  new ApiError('DEVICE_NOT_FOUND', `No device ${imei}: it is listed once it has connected, or after POST /api/devices`)
