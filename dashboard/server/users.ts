import type { PoolClient } from 'pg'
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import { ACCESS_LEVELS, MODULES, type LicenseUsage, type Permissions, type User, type VehicleVisibility } from '../shared/contract.ts'
import { hashPassword, ME_COLUMNS, permissionsOf, toMe, type MeRow } from './auth.ts'
import { ApiError } from './http.ts'
import { MIN_PASSWORD_LENGTH } from '../../core/passwords.ts'
import { newPassword } from '../../core/password-policy.ts'
import { emailAddress, idList, inTransaction, missingIds, ONE_LINE, ONE_LINE_MESSAGE, pgCode, phoneNumber, type Queryable } from './validation.ts'

/** The starred fields: a missing one is named ("name: a user needs a name"), as is a wrong one. */
const required = (message: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? message : undefined) })

/** An optional form field: absent, null or blank all mean none. */
const blankIsNull = <T extends z.ZodType<string | null>>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? null : value), schema.nullable())

const fields = {
  name: z
    .string(required('a user needs a name'))
    .trim()
    .min(1, 'a user needs a name')
    .max(200, 'a name has at most 200 characters')
    .regex(ONE_LINE, ONE_LINE_MESSAGE),
  email: z.string(required('a user needs an email address, their login')).pipe(emailAddress),
  password: newPassword(`a user needs a password of at least ${MIN_PASSWORD_LENGTH} characters`),
  phone: blankIsNull(phoneNumber),
  title: blankIsNull(z.string().trim().max(200, 'a title has at most 200 characters').regex(ONE_LINE, ONE_LINE_MESSAGE)),
  /** The whole grid; a module left out gets none. */
  permissions: z.partialRecord(z.enum(MODULES, `modules are ${MODULES.join(', ')}`), z.enum(ACCESS_LEVELS, `access is one of ${ACCESS_LEVELS.join(', ')}`)),
  visibility: z.discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('all') }),
      z.strictObject({ kind: z.literal('selected'), vehicleIds: idList('vehicle').default([]), groupIds: idList('group').default([]) }),
    ],
    'visibility is { "kind": "all" } or { "kind": "selected", "vehicleIds": [...], "groupIds": [...] }',
  ),
}

export const newUserBody = z.strictObject({
  ...fields,
  phone: fields.phone.default(null),
  title: fields.title.default(null),
  permissions: fields.permissions.default({}),
  visibility: fields.visibility.default({ kind: 'all' }),
  active: z.boolean('active is true or false').default(true),
})

/** A PUT may send any field but `active` (activate and deactivate are their own routes); a password sent is a new password. */
export const userChangesBody = z
  .strictObject(fields)
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'send at least one of name, email, password, phone, title, permissions, visibility')

type NewUser = z.infer<typeof newUserBody>
type UserChanges = z.infer<typeof userChangesBody>

interface UserRow extends MeRow {
  phone: string | null
  title: string | null
  active: boolean
  created_at: Date
}

const USER_COLUMNS = `${ME_COLUMNS}, u.phone, u.title, u.active, u.created_at`

function toUser(row: UserRow): User {
  const me = toMe(row)
  return { ...me, phone: row.phone, title: row.title, active: row.active, createdAt: row.created_at.toISOString() }
}

const fullGrid = (given: Partial<Permissions>): Permissions => permissionsOf(given)

export async function listUsers(db: Database): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u ORDER BY lower(u.name), u.id`)
  return rows.map(toUser)
}

export async function getUser(db: Queryable, id: number): Promise<User> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id])
  if (!rows[0]) throw new ApiError('USER_NOT_FOUND', `No user with id ${id}`)
  return toUser(rows[0])
}

export async function licenseUsage(db: Queryable, total: number): Promise<LicenseUsage> {
  const { rows } = await db.query<{ used: number }>('SELECT count(*) AS used FROM users WHERE active')
  return { total, used: rows[0]!.used }
}

/** Creates the user; an active one takes a licence, so creating it active with none free is refused (409 LICENSE_LIMIT). */
export async function createUser(db: Database, input: NewUser, licenses: number): Promise<User> {
  await checkVisibility(db, input.visibility)
  const passwordHash = await hashPassword(input.password)
  return inTransaction(db, async (client) => {
    await lockUsers(client)
    if (input.active) await checkLicenseFree(client, licenses, ' Or save this user inactive and activate them later.')
    const { rows } = await emailConflicts(input.email, () =>
      client.query<{ id: number }>(
        `INSERT INTO users (name, email, password_hash, phone, title, permissions, active) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [input.name, input.email, passwordHash, input.phone, input.title, JSON.stringify(fullGrid(input.permissions)), input.active],
      ),
    )
    const id = rows[0]!.id
    await writeVisibility(client, id, input.visibility)
    return getUser(client, id)
  })
}

/**
 * Changes what was sent. A user cannot take away their own edit access to Settings (nobody might be
 * left to give it back); another user with it can.
 */
export async function updateUser(db: Database, id: number, changes: UserChanges, actorId: number): Promise<User> {
  if (id === actorId && changes.permissions && fullGrid(changes.permissions).settings !== 'edit') {
    throw new ApiError('OWN_ACCESS', 'You cannot take away your own edit access to Settings; another user with edit access to Settings can')
  }
  if (changes.visibility) await checkVisibility(db, changes.visibility)
  const passwordHash = changes.password === undefined ? null : await hashPassword(changes.password)
  return inTransaction(db, async (client) => {
    const { rowCount } = await emailConflicts(changes.email ?? '', () =>
      client.query(
        `UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email), password_hash = COALESCE($4, password_hash),
                phone = CASE WHEN $5 THEN $6 ELSE phone END, title = CASE WHEN $7 THEN $8 ELSE title END,
                permissions = COALESCE($9::jsonb, permissions)
          WHERE id = $1`,
        [
          id,
          changes.name ?? null,
          changes.email ?? null,
          passwordHash,
          changes.phone !== undefined,
          changes.phone ?? null,
          changes.title !== undefined,
          changes.title ?? null,
          changes.permissions ? JSON.stringify(fullGrid(changes.permissions)) : null,
        ],
      ),
    )
    if (!rowCount) throw new ApiError('USER_NOT_FOUND', `No user with id ${id}`)
    if (changes.visibility) await writeVisibility(client, id, changes.visibility)
    return getUser(client, id)
  })
}

/** Activates the user if a licence is free (409 LICENSE_LIMIT otherwise); an active user stays as is. */
export async function activateUser(db: Database, id: number, licenses: number): Promise<User> {
  return inTransaction(db, async (client) => {
    await lockUsers(client)
    const user = await getUser(client, id)
    if (user.active) return user
    await checkLicenseFree(client, licenses)
    await client.query('UPDATE users SET active = true WHERE id = $1', [id])
    return getUser(client, id)
  })
}

/** Deactivates the user (their licence is free again, their sessions end); nobody can deactivate themself. */
export async function deactivateUser(db: Database, id: number, actorId: number): Promise<User> {
  if (id === actorId) throw new ApiError('CANNOT_DEACTIVATE_SELF', 'You cannot deactivate yourself; another user with edit access to Settings can')
  return inTransaction(db, async (client) => {
    const { rowCount } = await client.query('UPDATE users SET active = false WHERE id = $1', [id])
    if (!rowCount) throw new ApiError('USER_NOT_FOUND', `No user with id ${id}`)
    await client.query('DELETE FROM user_sessions WHERE user_id = $1', [id])
    return getUser(client, id)
  })
}

/** Licence checks and the writes they allow are serialized: two activations cannot both take the last licence. */
async function lockUsers(client: PoolClient): Promise<void> {
  await client.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE')
}

async function checkLicenseFree(client: PoolClient, licenses: number, hint = ''): Promise<void> {
  const { used } = await licenseUsage(client, licenses)
  if (used < licenses) return
  const inUse = licenses === 1 ? 'The only office user licence is in use' : `All ${licenses} office user licences are in use`
  throw new ApiError('LICENSE_LIMIT', `${inUse}. Deactivate a user or add licences.${hint}`)
}

async function checkVisibility(db: Database, visibility: VehicleVisibility): Promise<void> {
  if (visibility.kind === 'all') return
  const vehicles = await missingIds(db, 'vehicles', visibility.vehicleIds)
  if (vehicles.length > 0) throw new ApiError('UNKNOWN_VEHICLE', `No vehicle with id ${vehicles.join(', ')}`)
  const groups = await missingIds(db, 'vehicle_groups', visibility.groupIds)
  if (groups.length > 0) throw new ApiError('UNKNOWN_GROUP', `No vehicle group with id ${groups.join(', ')}`)
}

async function writeVisibility(client: PoolClient, userId: number, visibility: VehicleVisibility): Promise<void> {
  const selected = visibility.kind === 'selected' ? visibility : { vehicleIds: [], groupIds: [] }
  try {
    await client.query('UPDATE users SET all_vehicles = $2 WHERE id = $1', [userId, visibility.kind === 'all'])
    await client.query('DELETE FROM user_vehicles WHERE user_id = $1', [userId])
    await client.query('DELETE FROM user_vehicle_groups WHERE user_id = $1', [userId])
    await client.query('INSERT INTO user_vehicles (user_id, vehicle_id) SELECT $1, unnest($2::int[])', [userId, selected.vehicleIds])
    await client.query('INSERT INTO user_vehicle_groups (user_id, group_id) SELECT $1, unnest($2::int[])', [userId, selected.groupIds])
  } catch (err) {
    // A vehicle or group deleted since checkVisibility.
    if (pgCode(err) === '23503') throw new ApiError('UNKNOWN_VEHICLE', 'A chosen vehicle or group was deleted meanwhile; choose again')
    throw err
  }
}

async function emailConflicts<T>(email: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if (pgCode(err) === '23505') throw new ApiError('EMAIL_TAKEN', `Another user already has the email ${email}`)
    throw err
  }
}
