import { z } from 'zod'
import type { Database } from '../../db/client.ts'
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

interface VehicleRow {
  id: number
  name: string
  device_imei: string | null
  odometer_km: number
  engine_hours_h: number
  counters_set_at: Date | null
}

const COLUMNS = 'id, name, device_imei, odometer_km, engine_hours_h, counters_set_at'

function toVehicle(row: VehicleRow): Vehicle {
  return {
    id: row.id,
    name: row.name,
    deviceImei: row.device_imei,
    hasDevice: row.device_imei !== null,
    odometerKm: row.odometer_km,
    engineHoursH: row.engine_hours_h,
    countersSetAt: row.counters_set_at?.toISOString() ?? null,
  }
}

export async function listVehicles(db: Database): Promise<Vehicle[]> {
  const { rows } = await db.query<VehicleRow>(`SELECT ${COLUMNS} FROM vehicles ORDER BY lower(name), id`)
  return rows.map(toVehicle)
}

export async function getVehicle(db: Database, id: number): Promise<Vehicle> {
  const { rows } = await db.query<VehicleRow>(`SELECT ${COLUMNS} FROM vehicles WHERE id = $1`, [id])
  if (!rows[0]) throw vehicleNotFound(id)
  return toVehicle(rows[0])
}

export async function createVehicle(db: Database, input: z.infer<typeof newVehicleBody>): Promise<Vehicle> {
  const imei = input.deviceImei ?? null
  if (imei !== null) await checkDeviceFree(db, imei, null)
  const { rows } = await withDeviceConflicts(imei, () =>
    db.query<VehicleRow>(`INSERT INTO vehicles (name, device_imei) VALUES ($1, $2) RETURNING ${COLUMNS}`, [input.name, imei]),
  )
  return toVehicle(rows[0]!)
}

/** Renames and/or assigns a device (`deviceImei: null` unassigns). Returns the vehicle and the device it had before. */
export async function updateVehicle(
  db: Database,
  id: number,
  changes: z.infer<typeof vehicleChangesBody>,
): Promise<{ vehicle: Vehicle; previousImei: string | null }> {
  const before = await getVehicle(db, id)
  const imei = changes.deviceImei === undefined ? before.deviceImei : changes.deviceImei
  if (imei !== null && imei !== before.deviceImei) await checkDeviceFree(db, imei, id)
  const { rows } = await withDeviceConflicts(imei, () =>
    db.query<VehicleRow>(`UPDATE vehicles SET name = $2, device_imei = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [id, changes.name ?? before.name, imei]),
  )
  if (!rows[0]) throw vehicleNotFound(id)
  return { vehicle: toVehicle(rows[0]), previousImei: before.deviceImei }
}

/** Deletes the vehicle; its device becomes unassigned, its alerts stay (without the vehicle). Returns the device it had. */
export async function deleteVehicle(db: Database, id: number): Promise<{ previousImei: string | null }> {
  const { rows } = await db.query<{ device_imei: string | null }>('DELETE FROM vehicles WHERE id = $1 RETURNING device_imei', [id])
  if (!rows[0]) throw vehicleNotFound(id)
  return { previousImei: rows[0].device_imei }
}

/** Sets the current mileage and engine hours; accumulation starts again from them now. */
export async function setVehicleCounters(db: Database, id: number, counters: VehicleCounters, at: Date): Promise<Vehicle> {
  const { rows } = await db.query<VehicleRow>(
    `UPDATE vehicles SET odometer_km = $2, engine_hours_h = $3, counters_set_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, counters.odometerKm, counters.engineHoursH, at],
  )
  if (!rows[0]) throw vehicleNotFound(id)
  return toVehicle(rows[0])
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
    throw new ApiError(409, 'DEVICE_TAKEN', `Device ${imei} is already assigned to vehicle "${holder.vehicle_name}" (id ${holder.vehicle_id}); unassign it there first`)
  }
}

/** The same answers when a concurrent write won the race past `checkDeviceFree`. */
async function withDeviceConflicts<T>(imei: string | null, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if (pgCode(err) === '23505') throw new ApiError(409, 'DEVICE_TAKEN', `Device ${imei} is already assigned to another vehicle`)
    if (pgCode(err) === '23503' && imei !== null) throw deviceNotFound(imei)
    throw err
  }
}

const vehicleNotFound = (id: number) => new ApiError(404, 'VEHICLE_NOT_FOUND', `No vehicle with id ${id}`)
const deviceNotFound = (imei: string) =>
  new ApiError(404, 'DEVICE_NOT_FOUND', `No device ${imei}: it is listed once it has connected, or after POST /api/devices`)
