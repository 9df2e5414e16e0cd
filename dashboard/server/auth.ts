import crypto from 'node:crypto'
import { promisify } from 'node:util'
import type { Database } from '../../db/client.ts'
import { ACCESS_LEVELS, MODULES, type AccessLevel, type Me, type Permissions, type VehicleVisibility } from '../shared/contract.ts'

/** Every module at edit: the first admin. */
export const FULL_PERMISSIONS: Permissions = Object.fromEntries(MODULES.map((module) => [module, 'edit'])) as Permissions

/** The columns `toMe` reads, from `users u`. */
export const ME_COLUMNS = `u.id, u.email, u.name, u.permissions, u.all_vehicles,
  ARRAY(SELECT uv.vehicle_id FROM user_vehicles uv WHERE uv.user_id = u.id ORDER BY uv.vehicle_id) AS vehicle_ids,
  ARRAY(SELECT ug.group_id FROM user_vehicle_groups ug WHERE ug.user_id = u.id ORDER BY ug.group_id) AS group_ids`

export interface MeRow {
  id: number
  email: string
  name: string
  permissions: unknown
  all_vehicles: boolean
  vehicle_ids: number[]
  group_ids: number[]
}

export function toMe(row: MeRow): Me {
  return { id: row.id, email: row.email, name: row.name, permissions: permissionsOf(row.permissions), visibility: visibilityOf(row) }
}

/** The stored grid, read defensively: a module missing (added since) or unreadable is `none`. */
export function permissionsOf(stored: unknown): Permissions {
  const grid = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {}
  const level = (value: unknown): AccessLevel => ((ACCESS_LEVELS as readonly unknown[]).includes(value) ? (value as AccessLevel) : 'none')
  return Object.fromEntries(MODULES.map((module) => [module, level(grid[module])])) as Permissions
}

function visibilityOf(row: Pick<MeRow, 'all_vehicles' | 'vehicle_ids' | 'group_ids'>): VehicleVisibility {
  return row.all_vehicles ? { kind: 'all' } : { kind: 'selected', vehicleIds: row.vehicle_ids, groupIds: row.group_ids }
}

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>
export const SESSION_COOKIE = 'fw_session'

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16)
  const key = await scrypt(password, salt, 32)
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length)
  return crypto.timingSafeEqual(actual, expected)
}

const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

/** Users and their login sessions. Only a hash of each session token is stored. */
export class Auth {
  /** Checked against when no user has the email, so an unknown email costs the same scrypt as a wrong password. */
  readonly #decoyHash: Promise<string> = hashPassword(crypto.randomBytes(16).toString('base64url'))

  constructor(
    private readonly db: Database,
    private readonly sessionTtlMs: number,
  ) {}

  /** Creates the first admin at first start (every module at edit, every vehicle); returns the generated password when none was configured. */
  async ensureAdmin(email: string, password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
    const { rows } = await this.db.query('SELECT 1 FROM users LIMIT 1')
    if (rows.length > 0) return { created: false }
    const chosen = password ?? crypto.randomBytes(12).toString('base64url')
    await this.db.query('INSERT INTO users (email, name, password_hash, permissions, all_vehicles) VALUES ($1, $2, $3, $4, true)', [
      email.toLowerCase(),
      'Administrator',
      await hashPassword(chosen),
      JSON.stringify(FULL_PERMISSIONS),
    ])
    return password ? { created: true } : { created: true, generatedPassword: chosen }
  }

  /** Returns a new session token for valid credentials of an active user, or null. */
  async login(email: string, password: string): Promise<{ token: string; user: Me } | null> {
    const { rows } = await this.db.query<MeRow & { password_hash: string }>(
      `SELECT ${ME_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1 AND u.active`,
      [email.toLowerCase()],
    )
    const user = rows[0]
    const matches = await verifyPassword(password, user?.password_hash ?? (await this.#decoyHash))
    if (!user || !matches) return null
    const token = crypto.randomBytes(32).toString('base64url')
    await this.db.query('INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
      tokenHash(token),
      user.id,
      new Date(Date.now() + this.sessionTtlMs),
    ])
    return { token, user: toMe(user) }
  }

  /** The signed-in user with their permissions and visibility as stored now; null for no, an expired or a deactivated user's session. */
  async userForToken(token: string | undefined): Promise<Me | null> {
    if (!token) return null
    const { rows } = await this.db.query<MeRow>(
      `SELECT ${ME_COLUMNS} FROM user_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active`,
      [tokenHash(token)],
    )
    return rows[0] ? toMe(rows[0]) : null
  }

  /** Ends every session of the user but `keep` (the one that changed its own password), if given. */
  async endSessions(userId: number, keep?: string): Promise<void> {
    await this.db.query('DELETE FROM user_sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2', [userId, keep === undefined ? null : tokenHash(keep)])
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await this.db.query('DELETE FROM user_sessions WHERE token_hash = $1', [tokenHash(token)])
  }

  /** `secure` when the browser came over https: the cookie is then never sent over plain http. */
  sessionCookie(token: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${Math.floor(this.sessionTtlMs / 1000)}${secure ? '; Secure' : ''}`
  }

  static clearedCookie(secure: boolean): string {
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0${secure ? '; Secure' : ''}`
  }
}
