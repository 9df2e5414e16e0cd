/**
 * A small typed client of a running Fleetwire's HTTP API, for the simulator: log in, find the device
 * ports, and check afterwards what the system stored (`--verify`). Every answer is validated with zod:
 * a server that answers something else is reported as not Fleetwire, not trusted.
 *
 * Authentication is the dashboard's: `POST /api/login` sets a session cookie, sent back on every call.
 */
import { z } from 'zod'
import { ALERT_TYPES, type Alert, type AlertThresholds, type AlertType, type MissingRecordsRequest, type RecordKey } from '../dashboard/shared/contract.ts'
import { PROTOCOLS, type Protocol } from '../core/record.ts'
import type { Transport } from '../gateway/protocols/types.ts'

/** Why a call failed: each with a message a tester can act on. */
export const API_ERROR_KINDS = ['unreachable', 'wrongCredentials', 'forbidden', 'notFleetwire', 'rejected'] as const
export type ApiErrorKind = (typeof API_ERROR_KINDS)[number]

export class FleetwireApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message)
    this.name = 'FleetwireApiError'
  }
}

/** Per protocol, its listening port per transport, e.g. `{ teltonika: { tcp: 5027, udp: 5027 } }`. */
export type GatewayPorts = Partial<Record<Protocol, Partial<Record<Transport, number>>>>

export interface AlertsQuery {
  /** ISO 8601 times (or dates); both ends included. */
  from?: string
  to?: string
  imei?: string
  type?: AlertType
}

export interface MissingRecordsOptions {
  /** Records per request; the server takes at most 10,000. */
  chunkSize?: number
  /** Requests in flight at once. Default 2: the database is shared with the devices being tested. */
  concurrency?: number
  /** Called after each chunk with how many records have been checked. */
  onProgress?: (checked: number, total: number) => void
}

export interface MissingRecordsResult {
  checked: number
  /** Not stored (or of a device this user does not see), in the order given. */
  missing: RecordKey[]
}

/** The parts of the client `verifyRun` uses (tests pass a fake). */
export interface VerifyApi {
  missingRecords(records: readonly RecordKey[], options?: MissingRecordsOptions): Promise<MissingRecordsResult>
  alerts(query: AlertsQuery): Promise<Alert[]>
}

export const MAX_RECORDS_PER_REQUEST = 10_000
/** `GET /api/alerts` answers at most this many per page. */
const ALERTS_PAGE = 1000

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

const me = z.object({ id: z.number(), email: z.string(), name: z.string(), permissions: z.record(z.string(), z.string()) })

const portsSchema = z.object({ tcp: z.number().int().optional(), udp: z.number().int().optional(), http: z.number().int().optional() })
/** Each protocol's counters under its name, beside other entries (`database`) that the simulator does not read. */
const protocolPorts = z.object({ ports: portsSchema }).loose().optional()
const gatewayStats = z.looseObject(Object.fromEntries(PROTOCOLS.map((protocol) => [protocol, protocolPorts])) as Record<Protocol, typeof protocolPorts>)

const recordKey = z.object({ imei: z.string(), fixTime: z.string() })
const missingAnswer = z.object({ checked: z.number().int().nonnegative(), missing: z.array(recordKey) })

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an ISO 8601 time')
const alertSchema = z
  .object({
    id: z.number(),
    type: z.enum(ALERT_TYPES),
    imei: z.string(),
    vehicleId: z.number().nullable(),
    time: isoTime,
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    delayed: z.boolean(),
    places: z.array(z.unknown()),
    details: z.record(z.string(), z.unknown()),
    clearedAt: isoTime.nullable(),
    acknowledgedAt: isoTime.nullable(),
  })
  .loose()
const alertsAnswer = z.array(alertSchema)

const thresholdsAnswer = z.object({
  bufferedLagMs: z.number(),
  noUpdateAfterMs: z.number(),
  noUpdateSweepMs: z.number(),
  idleAfterMs: z.number(),
  maxFutureMs: z.number(),
  powerResetWindowMs: z.number(),
  harshBrakingG: z.number(),
  harshAccelerationG: z.number(),
  harshCorneringG: z.number(),
  movingSpeedKmh: z.number(),
  supplyPresentV: z.number(),
}) satisfies z.ZodType<AlertThresholds>

/** A logged-in session with one Fleetwire. Make one with `login`. */
export class FleetwireClient implements VerifyApi {
  private constructor(
    /** Without a trailing slash, e.g. `http://127.0.0.1:8080`. */
    readonly baseUrl: string,
    readonly cookie: string,
    readonly user: { id: number; email: string; name: string },
  ) {}

  /**
   * Logs in as this user. Fails with `wrongCredentials` for a wrong email or password, `unreachable`
   * when nothing answers at `url`, `notFleetwire` when something else does.
   */
  static async login(url: string, email: string, password: string): Promise<FleetwireClient> {
    const baseUrl = normalizeBaseUrl(url)
    const response = await send(baseUrl, 'POST', '/api/login', undefined, { email, password })
    if (response.status === 401) throw new FleetwireApiError('wrongCredentials', `${baseUrl}: wrong email or password for ${email}`, 401)
    const user = await expectJson(response, me, baseUrl, 'POST /api/login')
    const cookie = sessionCookie(response)
    if (!cookie) throw new FleetwireApiError('notFleetwire', `${baseUrl} accepted the login but set no session cookie: is this a Fleetwire server?`, response.status)
    return new FleetwireClient(baseUrl, cookie, { id: user.id, email: user.email, name: user.name })
  }

  /** Each protocol's listening ports, from `GET /api/gateway/stats` (needs Map view). */
  async gatewayPorts(): Promise<GatewayPorts> {
    const stats = await this.#get('/api/gateway/stats', gatewayStats)
    const ports: GatewayPorts = {}
    for (const protocol of PROTOCOLS) {
      const entry = stats[protocol]
      if (entry) ports[protocol] = omitUndefined(entry.ports)
    }
    return ports
  }

  /** The server's thresholds (no-update, buffered lag, harsh forces), from `GET /api/settings/thresholds`. */
  thresholds(): Promise<AlertThresholds> {
    return this.#get('/api/settings/thresholds', thresholdsAnswer)
  }

  /**
   * Which of `records` the system has not stored, via `POST /api/positions/missing` in chunks
   * (240,000 records are 24 requests), `concurrency` at a time, answers kept in the order given.
   */
  async missingRecords(records: readonly RecordKey[], options: MissingRecordsOptions = {}): Promise<MissingRecordsResult> {
    const chunkSize = Math.min(MAX_RECORDS_PER_REQUEST, Math.max(1, options.chunkSize ?? MAX_RECORDS_PER_REQUEST))
    const concurrency = Math.max(1, options.concurrency ?? 2)
    const chunks: RecordKey[][] = []
    for (let start = 0; start < records.length; start += chunkSize) {
      chunks.push(records.slice(start, start + chunkSize).map(({ imei, fixTime }) => ({ imei, fixTime })))
    }
    const answers: RecordKey[][] = new Array(chunks.length)
    let next = 0
    let checked = 0
    const worker = async () => {
      while (next < chunks.length) {
        const index = next++
        const answer = await this.#call('POST', '/api/positions/missing', missingAnswer, { records: chunks[index]! } satisfies MissingRecordsRequest)
        if (answer.checked !== chunks[index]!.length) {
          throw new FleetwireApiError('notFleetwire', `POST /api/positions/missing checked ${answer.checked} of ${chunks[index]!.length} records`)
        }
        answers[index] = answer.missing
        checked += answer.checked
        options.onProgress?.(checked, records.length)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker))
    return { checked, missing: answers.flat() }
  }

  /** Every stored alert matching `query` (all pages of `GET /api/alerts`, `pageSize` a page), newest first, each once. */
  async alerts(query: AlertsQuery = {}, options: { pageSize?: number } = {}): Promise<Alert[]> {
    const pageSize = Math.min(ALERTS_PAGE, Math.max(1, options.pageSize ?? ALERTS_PAGE))
    const all: Alert[] = []
    const seen = new Set<number>()
    let before: number | undefined
    for (;;) {
      const params = new URLSearchParams({ limit: String(pageSize) })
      for (const key of ['from', 'to', 'imei', 'type'] as const) if (query[key] !== undefined) params.set(key, query[key])
      if (before !== undefined) params.set('before', String(before))
      const page = (await this.#get(`/api/alerts?${params}`, alertsAnswer)) as Alert[]
      for (const alert of page) {
        if (!seen.has(alert.id)) {
          seen.add(alert.id)
          all.push(alert)
        }
      }
      if (page.length < pageSize) return all
      before = page.at(-1)!.id
    }
  }

  /** Ends the session. */
  async logout(): Promise<void> {
    await send(this.baseUrl, 'POST', '/api/logout', this.cookie).catch(() => undefined)
  }

  #get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return this.#call('GET', path, schema)
  }

  async #call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const response = await send(this.baseUrl, method, path, this.cookie, body)
    return expectJson(response, schema, this.baseUrl, `${method} ${path.split('?')[0]}`)
  }
}

/** Logs in: see `FleetwireClient.login`. */
export function login(url: string, email: string, password: string): Promise<FleetwireClient> {
  return FleetwireClient.login(url, email, password)
}

/** `http://host:8080/` or `host:8080` → `http://host:8080`. */
export function normalizeBaseUrl(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`
  let parsed: URL
  try {
    parsed = new URL(withScheme)
  } catch {
    throw new FleetwireApiError('unreachable', `not a URL: ${url}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new FleetwireApiError('unreachable', `the API is http:// or https://, got ${url}`)
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`
}

async function send(baseUrl: string, method: string, path: string, cookie: string | undefined, body?: unknown): Promise<Response> {
  try {
    return await fetch(`${baseUrl}${path}`, {
      method,
      headers: { accept: 'application/json', ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    })
  } catch (err) {
    const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)
    throw new FleetwireApiError('unreachable', `cannot reach ${baseUrl} (${method} ${path.split('?')[0]}): ${cause}`)
  }
}

/** The answer's JSON, validated; an error answer becomes a FleetwireApiError naming the server's message. */
async function expectJson<T>(response: Response, schema: z.ZodType<T>, baseUrl: string, what: string): Promise<T> {
  const text = await response.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    throw new FleetwireApiError('notFleetwire', `${baseUrl} answered ${what} with ${response.status} and no JSON: is this a Fleetwire server?`, response.status)
  }
  if (response.status >= 400) {
    const error = errorBody.safeParse(json)
    if (!error.success) throw new FleetwireApiError('notFleetwire', `${baseUrl} answered ${what} with ${response.status}, not a Fleetwire error: is this a Fleetwire server?`, response.status)
    const { code, message } = error.data.error
    if (response.status === 401) throw new FleetwireApiError('wrongCredentials', `${what}: ${message} (the session ended?)`, 401)
    if (response.status === 403) throw new FleetwireApiError('forbidden', `${what}: ${message}`, 403)
    if (response.status === 404 && code === 'NOT_FOUND') {
      throw new FleetwireApiError('notFleetwire', `${baseUrl} has no ${what}: a Fleetwire older than this simulator?`, 404)
    }
    throw new FleetwireApiError('rejected', `${what}: ${response.status} ${code}: ${message}`, response.status)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new FleetwireApiError('notFleetwire', `${baseUrl} answered ${what} unexpectedly (${issue.path.join('.') || 'body'}: ${issue.message}): is this a Fleetwire server of this version?`, response.status)
  }
  return parsed.data
}

/** The `name=value` of the first cookie the answer sets (the session). */
function sessionCookie(response: Response): string | undefined {
  const header = response.headers.getSetCookie()[0]
  return header?.split(';')[0]?.trim() || undefined
}

function omitUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
