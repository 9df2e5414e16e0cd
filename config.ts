import { z } from 'zod'
import { VIRTUAL_IGNITION_MODES } from './core/vehicle.ts'
import { newPassword } from './core/password-policy.ts'
import { isAddressOrSubnet } from './gateway/address-limit.ts'
import { gt06 } from './gateway/protocols/gt06/index.ts'
import { osmand } from './gateway/protocols/osmand/index.ts'
import { queclink } from './gateway/protocols/queclink/index.ts'
import { teltonika } from './gateway/protocols/teltonika/index.ts'

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback)
const DURATION_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION_FORMS = 'a duration like 90s, 5m, 24h, 1d or milliseconds'
/** A bare number is milliseconds; a unit may follow (`90s`, `1.5m`, `24h`, `1d`, `300000ms`). */
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/

function parseDurationMs(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim())
  if (!match) return undefined
  const ms = Number(match[1]) * DURATION_UNIT_MS[match[2] ?? 'ms']!
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined
}

const durationMs = (fallback: number) =>
  z
    .string()
    .transform((text, context) => parseDurationMs(text) ?? (context.addIssue({ code: 'custom', message: DURATION_FORMS }), z.NEVER))
    .default(fallback)
const gForce = (fallback: number) => z.coerce.number().positive().max(10).default(fallback)

/** Every setting comes from an environment variable; this is the one place that names them. */
export const configSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  HTTP_PORT: port(8080),
  // Each protocol's usual port is its descriptor's: the simulator aims at the same one.
  TELTONIKA_PORT: port(teltonika.defaultPort),
  GT06_PORT: port(gt06.defaultPort),
  QUECLINK_PORT: port(queclink.defaultPort),
  OSMAND_PORT: port(osmand.defaultPort),
  /** Listen address for the device ports and the dashboard. */
  HOST: z.string().min(1).default('0.0.0.0'),
  ADMIN_EMAIL: z.string().email().default('admin@fleetwire.local'),
  ADMIN_PASSWORD: newPassword().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Leaflet tile URL template; empty for no tile layer (offline, tests). */
  MAP_TILE_URL: z.string().default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
  MAP_TILE_ATTRIBUTION: z.string().default('&copy; OpenStreetMap contributors'),
  /** A record whose fix time lags its arrival by more than this is history (buffered). */
  BUFFERED_LAG: durationMs(5 * 60_000),
  /** No data from a device for longer than this: status noUpdate (orange on the map) and one noUpdate alert. */
  NO_UPDATE_AFTER: durationMs(24 * 60 * 60_000),
  /** Ignition on and not moving for longer than this: idle. */
  IDLE_AFTER: durationMs(2 * 60_000),
  /** Ignition for devices that report none: `none`, `voltage` (external voltage >= VIRTUAL_IGNITION_VOLTAGE) or `motion`. */
  VIRTUAL_IGNITION: z.enum(VIRTUAL_IGNITION_MODES).default('none'),
  VIRTUAL_IGNITION_VOLTAGE: z.coerce.number().positive().max(100).default(13.2),
  /** Harsh driving computed from consecutive fixes (devices without their own harsh events): thresholds in g. */
  HARSH_BRAKING_G: gForce(0.45),
  HARSH_ACCELERATION_G: gForce(0.35),
  HARSH_CORNERING_G: gForce(0.4),
  /** A power cut restored within this, right after a device reboot, is flagged as a probable device reset. */
  POWER_RESET_WINDOW: durationMs(2 * 60_000),
  /** Close a device connection that sent nothing for this long. */
  DEVICE_IDLE_TIMEOUT: durationMs(10 * 60_000),
  /** Close a device connection that has not identified itself (IMEI handshake, login) within this. */
  DEVICE_IDENTIFY_TIMEOUT: durationMs(30_000),
  /** Device connections open at once from one address, over all protocols; more are refused (TOO_MANY_CONNECTIONS). */
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
  /** Addresses and subnets the per-address cap does not apply to, comma-separated; `none` for none. */
  CONNECTION_CAP_EXEMPT: z
    .string()
    .default('127.0.0.0/8,::1')
    .transform((text) => (text.trim() === 'none' ? [] : text.split(',').map((entry) => entry.trim()).filter(Boolean)))
    .refine((entries) => entries.every(isAddressOrSubnet), 'must be addresses or subnets (127.0.0.0/8), comma-separated, or none'),
  /** A record whose fix time is further ahead of the gateway's clock than this is refused and quarantined (a clock gone wrong). */
  MAX_FUTURE_FIX: durationMs(24 * 60 * 60_000),
  /** A fix time further ahead of its arrival than this is stored but never moves the vehicle's live position or status. */
  FUTURE_FIX_SKEW: durationMs(10 * 60_000),
  /** Largest device message accepted, in bytes. */
  MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
  /** `open`: a new IMEI is accepted and listed as an unassigned device; `closed`: unknown IMEIs are refused. */
  DEVICE_REGISTRATION: z.enum(['open', 'closed']).default('open'),
  /** Checksum policy: strict rejects (and does not ACK) a message with a bad CRC. */
  CRC_MODE: z.enum(['strict', 'lenient']).default('strict'),
  /** The dashboard's address as browsers reach it (`https://fleet.example.com`): writes and live connections from any other origin are refused, and https makes the session cookie Secure. Unset: the request's own Host, over http. */
  PUBLIC_URL: z.string().url().regex(/^https?:\/\/[^/]+\/?$/, 'an origin: http(s)://host[:port], no path').optional(),
  /** Behind a reverse proxy: `true` believes its X-Forwarded-Proto (https: Secure cookies) and X-Forwarded-For (login throttling by client address). */
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 7),
  /** How many office users may be active at once (the licences bought); activating one more is refused. */
  OFFICE_USER_LICENSES: z.coerce.number().int().min(1).max(100_000).default(5),
  /** Alert emails go through this SMTP server (`smtp://user:pass@host:587`, `smtps://...`); unset = no email. */
  SMTP_URL: z.string().url().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  SMTP_FROM: z.string().min(3).default('Fleetwire <alerts@fleetwire.local>'),
  /** Alert SMS: each text is POSTed here as JSON `{ to, text }` (a provider's webhook or a small relay); unset = no SMS. */
  SMS_WEBHOOK_URL: z.string().url().regex(/^https?:\/\//, 'must start with http:// or https://').optional(),
})

export type Config = z.infer<typeof configSchema>

/** In DATA_DIR: the admin password generated at first start (owner-only), for tools on the same machine. */
export const ADMIN_PASSWORD_FILE = 'admin-password'

export class ConfigError extends Error {}

/** URLs and passwords may carry secrets: an error names the variable, never prints a credential. */
function shown(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return value
  if (name.includes('PASSWORD')) return '***'
  if (name.endsWith('_URL')) return value.replace(/\/\/[^@/]*@/, '//***@')
  return value
}

/** Reads the configuration, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", except MAP_TILE_URL where empty means "no tile layer".
  const defined = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => value !== undefined && (value !== '' || key === 'MAP_TILE_URL')),
  )
  const parsed = configSchema.safeParse(defined)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0])
    return `${name}: ${issue.message} (got ${JSON.stringify(shown(name, env[name]))})`
  })
  throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`)
}
