import crypto from 'node:crypto'
import { promisify } from 'node:util'
import type { Database } from '../../db/client.ts'
import { MODULES, type Me, type Permissions } from '../shared/contract.ts'

/** Until office users get their own grid, every user may do everything and see every vehicle. */
const FULL_ACCESS: Pick<Me, 'permissions' | 'visibility'> = {
  permissions: Object.fromEntries(MODULES.map((module) => [module, 'edit'])) as Permissions,
  visibility: { kind: 'all' },
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
  constructor(
    private readonly db: Database,
    private readonly sessionTtlMs: number,
  ) {}

  /** Creates the first admin at first start; returns the generated password when none was configured. */
  async ensureAdmin(email: string, password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
    const { rows } = await this.db.query('SELECT 1 FROM users LIMIT 1')
    if (rows.length > 0) return { created: false }
    const chosen = password ?? crypto.randomBytes(12).toString('base64url')
    await this.db.query('INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)', [email.toLowerCase(), 'Administrator', await hashPassword(chosen)])
    return password ? { created: true } : { created: true, generatedPassword: chosen }
  }

  /** Returns a new session token for valid credentials, or null. */
  async login(email: string, password: string): Promise<{ token: string; user: Me } | null> {
    const { rows } = await this.db.query<{ id: number; email: string; name: string; password_hash: string }>(
      'SELECT id, email, name, password_hash FROM users WHERE email = $1 AND active',
      [email.toLowerCase()],
    )
    const user = rows[0]
    if (!user || !(await verifyPassword(password, user.password_hash))) return null
    const token = crypto.randomBytes(32).toString('base64url')
    await this.db.query('INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
      tokenHash(token),
      user.id,
      new Date(Date.now() + this.sessionTtlMs),
    ])
    return { token, user: { id: user.id, email: user.email, name: user.name, ...FULL_ACCESS } }
  }

  async userForToken(token: string | undefined): Promise<Me | null> {
    if (!token) return null
    const { rows } = await this.db.query<Pick<Me, 'id' | 'email' | 'name'>>(
      `SELECT u.id, u.email, u.name FROM user_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active`,
      [tokenHash(token)],
    )
    return rows[0] ? { ...rows[0], ...FULL_ACCESS } : null
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await this.db.query('DELETE FROM user_sessions WHERE token_hash = $1', [tokenHash(token)])
  }

  sessionCookie(token: string): string {
    return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${Math.floor(this.sessionTtlMs / 1000)}`
  }

  static clearedCookie(): string {
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`
  }
}
