import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import type { VehicleGroup } from '../shared/contract.ts'
import { ApiError } from './http.ts'
import { idList, inTransaction, missingIds, ONE_LINE, ONE_LINE_MESSAGE, pgCode, type Queryable } from './validation.ts'

const fields = {
  name: z.string().trim().min(1, 'a group needs a name').max(100, 'a group name has at most 100 characters').regex(ONE_LINE, ONE_LINE_MESSAGE),
  vehicleIds: idList('vehicle'),
}
export const newGroupBody = z.strictObject({ ...fields, vehicleIds: fields.vehicleIds.default([]) })
export const groupChangesBody = z
  .strictObject(fields)
  .partial()
  .refine((body) => body.name !== undefined || body.vehicleIds !== undefined, 'send a name, vehicleIds (the new members) or both')

const SELECT_GROUPS = `
SELECT g.id, g.name, COALESCE(array_agg(m.vehicle_id ORDER BY m.vehicle_id) FILTER (WHERE m.vehicle_id IS NOT NULL), '{}') AS vehicle_ids
  FROM vehicle_groups g LEFT JOIN vehicle_group_members m ON m.group_id = g.id`

interface GroupRow {
  id: number
  name: string
  vehicle_ids: number[]
}

const toGroup = (row: GroupRow): VehicleGroup => ({ id: row.id, name: row.name, vehicleIds: row.vehicle_ids })

export async function listGroups(db: Database): Promise<VehicleGroup[]> {
  const { rows } = await db.query<GroupRow>(`${SELECT_GROUPS} GROUP BY g.id ORDER BY lower(g.name), g.id`)
  return rows.map(toGroup)
}

export async function getGroup(db: Queryable, id: number): Promise<VehicleGroup> {
  const { rows } = await db.query<GroupRow>(`${SELECT_GROUPS} WHERE g.id = $1 GROUP BY g.id`, [id])
  if (!rows[0]) throw groupNotFound(id)
  return toGroup(rows[0])
}

export async function createGroup(db: Database, input: z.infer<typeof newGroupBody>): Promise<VehicleGroup> {
  await checkVehicles(db, input.vehicleIds)
  return inTransaction(db, async (client) => {
    const { rows } = await nameConflicts(input.name, () =>
      client.query<{ id: number }>('INSERT INTO vehicle_groups (name) VALUES ($1) RETURNING id', [input.name]),
    )
    const id = rows[0]!.id
    await setMembers(client, id, input.vehicleIds)
    return getGroup(client, id)
  })
}

export async function updateGroup(db: Database, id: number, changes: z.infer<typeof groupChangesBody>): Promise<VehicleGroup> {
  if (changes.vehicleIds) await checkVehicles(db, changes.vehicleIds)
  return inTransaction(db, async (client) => {
    const { rowCount } = await nameConflicts(changes.name ?? '', () =>
      client.query('UPDATE vehicle_groups SET name = COALESCE($2, name) WHERE id = $1', [id, changes.name ?? null]),
    )
    if (!rowCount) throw groupNotFound(id)
    if (changes.vehicleIds) {
      await client.query('DELETE FROM vehicle_group_members WHERE group_id = $1', [id])
      await setMembers(client, id, changes.vehicleIds)
    }
    return getGroup(client, id)
  })
}

/** Deletes the group; users who chose it no longer see its vehicles through it. */
export async function deleteGroup(db: Database, id: number): Promise<void> {
  const { rowCount } = await db.query('DELETE FROM vehicle_groups WHERE id = $1', [id])
  if (!rowCount) throw groupNotFound(id)
}

async function setMembers(client: Queryable, id: number, vehicleIds: number[]): Promise<void> {
  try {
    await client.query('INSERT INTO vehicle_group_members (group_id, vehicle_id) SELECT $1, unnest($2::int[])', [id, vehicleIds])
  } catch (err) {
    if (pgCode(err) === '23503') throw new ApiError('UNKNOWN_VEHICLE', 'A chosen vehicle was deleted meanwhile; choose again')
    throw err
  }
}

async function checkVehicles(db: Database, vehicleIds: number[]): Promise<void> {
  const missing = await missingIds(db, 'vehicles', vehicleIds)
  if (missing.length > 0) throw new ApiError('UNKNOWN_VEHICLE', `No vehicle with id ${missing.join(', ')}`)
}

async function nameConflicts<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if (pgCode(err) === '23505') throw new ApiError('GROUP_NAME_TAKEN', `There is already a vehicle group named "${name}"`)
    throw err
  }
}

const groupNotFound = (id: number) => new ApiError('GROUP_NOT_FOUND', `No vehicle group with id ${id}`)
