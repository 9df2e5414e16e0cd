/**
 * The two HTTP targets of the fuzzer: the dashboard API (every route of the access table, signed in
 * and not) and the OsmAnd endpoint phones report to.
 */
import { API_ROUTES, type RouteKey } from '../dashboard/server/access.ts'
import { encodeJsonBody, encodeQueryTarget, JSON_CONTENT_TYPE } from '../gateway/protocols/osmand/encode.ts'
import { intBetween, pick, randomBytes, type Random } from '../simulator/random.ts'
import { hostileHeaders, hostileText, hostileValue, mutateBody, type HttpFuzzRequest } from './http-fuzz.ts'

const IMEI = '356307042441013'

/** A valid body for each route that takes one: the starting point of mutation. */
const VALID_BODIES: Partial<Record<RouteKey, Record<string, unknown>>> = {
  // Never the right password: the fuzzer's own session must not be replaced, and failures are what get throttled.
  'POST /api/login': { email: 'admin@example.com', password: 'not-the-password-1' },
  'POST /api/devices': { imei: IMEI, protocol: 'teltonika' },
  'POST /api/positions/missing': { records: [{ imei: IMEI, fixTime: '2026-06-01T08:00:00.000Z' }] },
  'POST /api/vehicles': { name: 'Van 7', deviceImei: null },
  'PUT /api/vehicles/:id': { name: 'Van 8' },
  'PUT /api/vehicles/:id/counters': { odometerKm: 1200, engineHoursH: 30 },
  'POST /api/vehicle-groups': { name: 'North', vehicleIds: [1] },
  'PUT /api/vehicle-groups/:id': { name: 'South', vehicleIds: [] },
  'POST /api/alert-rules': { description: 'Power cuts', type: 'powerDisconnect', vehicleIds: [1], emails: ['a@example.com'], phones: [], userIds: [] },
  'PUT /api/alert-rules/:id': { thresholdG: 0.5 },
  'PUT /api/settings': { customerRadiusMi: 0.1 },
  'POST /api/users': { name: 'Fuzzed', email: 'fuzzed@example.com', password: 'a-long-password-123', permissions: { map: 'view' }, visibility: { kind: 'all' } },
  'PUT /api/users/:id': { name: 'Renamed', permissions: { map: 'edit' }, visibility: { kind: 'selected', vehicleIds: [1], groupIds: [] } },
  'POST /api/customers': { name: 'Acme' },
  'POST /api/customers/:id/locations': { name: 'Depot', address: '1 Main St', latitude: 54.68, longitude: 25.28 },
}

const QUERY_KEYS = ['from', 'to', 'limit', 'type', 'vehicleId', 'imei', 'before', 'q', 'page', 'pageSize', 'status', 'format', 'filter']

export interface DashboardFuzzSession {
  /** The session cookie (`fw_session=…`) of the signed-in user the fuzzer plays. */
  cookie: string
  /** Users the fuzzer must never change, or it would lock itself out (itself and the first admin). */
  protectedUserIds: number[]
}

/** Makes hostile requests to the dashboard API. */
export function dashboardRequests(session: DashboardFuzzSession): (random: Random) => HttpFuzzRequest {
  const routes = Object.keys(API_ROUTES) as RouteKey[]
  return (random) => {
    const key = pick(random, routes)
    const [routeMethod, pattern] = key.split(' ') as [string, string]
    const method = random() < 0.85 ? routeMethod : pick(random, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'get', 'PROPFIND'])
    const path = random() < 0.05 ? `/api/${hostileText(random)}/${hostileText(random)}` : fillParams(pattern, random, session)
    const target = `${path}${query(random)}`
    const signedIn = random()
    const cookie =
      signedIn < 0.6 && !(key === 'POST /api/logout') ? session.cookie : signedIn < 0.8 ? '' : `fw_session=${pick(random, ['%', '%zz', '', hostileText(random)])}`
    const headers = hostileHeaders(random, { ...(cookie ? { cookie } : {}), 'content-type': 'application/json' })
    const body = method === 'GET' || method === 'HEAD' ? undefined : mutateBody(random, VALID_BODIES[key])
    return { method, target, headers, ...(body ? { body } : {}) }
  }
}

function fillParams(pattern: string, random: Random, session: DashboardFuzzSession): string {
  return pattern
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part
      const value = random() < 0.5 ? String(intBetween(random, 1, 30)) : part === ':imei' && random() < 0.5 ? IMEI : hostileText(random)
      // Changing its own account or the first admin's would leave the fuzzer signed out.
      if (pattern.startsWith('/api/users/') && session.protectedUserIds.includes(Number(safelyDecoded(value).trim()))) return '999'
      return value
    })
    .join('/')
}

function safelyDecoded(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function query(random: Random): string {
  if (random() < 0.4) return ''
  const pairs = Array.from({ length: intBetween(random, 1, 4) }, () => `${random() < 0.9 ? pick(random, QUERY_KEYS) : hostileText(random)}=${hostileText(random)}`)
  return `?${pairs.join('&')}`
}

const FIX = { timeMs: Date.parse('2026-06-01T08:00:00Z'), latitude: 54.68, longitude: 25.28, speedKmh: 42, course: 90 }

/** Makes hostile requests to the OsmAnd endpoint: mutated query targets and JSON bodies of phone apps. */
export function osmandRequests(random: Random): HttpFuzzRequest {
  const id = random() < 0.7 ? `phone-${intBetween(random, 1, 20)}` : hostileText(random)
  const headers = hostileHeaders(random, {})
  if (random() < 0.5) {
    const valid = encodeQueryTarget(id, FIX)
    const [path = '/', search = ''] = valid.split('?')
    const params = search.split('&').map((pair) => {
      if (random() < 0.3) return `${pair.split('=')[0]}=${hostileText(random)}`
      return pair
    })
    if (random() < 0.3) params.push(`${pick(random, ['driverUniqueId', 'batt', 'hdop', 'altitude', 'timestamp', 'accuracy', 'charge', hostileText(random)])}=${hostileText(random)}`)
    return { method: random() < 0.8 ? pick(random, ['GET', 'POST']) : pick(random, ['PUT', 'DELETE', 'OPTIONS', 'HEAD']), target: `${path}?${params.join('&')}`, headers }
  }
  const body = JSON.parse(encodeJsonBody(id, [FIX])) as Record<string, unknown>
  const mutated = mutateBody(random, body) ?? randomBytes(random, 16)
  const nested = random() < 0.3 ? Buffer.from(JSON.stringify({ ...body, location: { ...(body.location as object), [pick(random, ['timestamp', 'coords', 'battery', 'extras', 'is_moving'])]: hostileValue(random) } })) : mutated
  return { method: 'POST', target: random() < 0.9 ? '/' : `/${hostileText(random)}`, headers: { 'content-type': random() < 0.8 ? JSON_CONTENT_TYPE : hostileText(random), ...headers }, body: nested }
}
