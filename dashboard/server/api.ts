import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial'
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import type { Logger } from '../../logger.ts'
import type { GatewayStats } from '../../gateway/stats.ts'
import type { VehicleStates } from '../../processor/vehicle-states.ts'
import type { DatabaseDeviceAdmission } from '../../processor/device-admission.ts'
import { PROTOCOLS } from '../../gateway/record.ts'
import type { StateSettings } from '../../processor/state.ts'
import type { Me } from '../shared/contract.ts'
import { Auth, SESSION_COOKIE } from './auth.ts'
import { ApiError, route, type ApiHandler, type ApiRequest } from './http.ts'
import { devicePositions, listDevices } from './devices.ts'

export interface ApiDeps {
  db: Database
  auth: Auth
  states: VehicleStates
  devices: DatabaseDeviceAdmission
  stats: GatewayStats
  stateSettings: StateSettings
  map: { tileUrl: string; attribution: string }
  log: Logger
}

const loginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) })
/** A tracker's IMEI or a phone's id (OsmAnd: gateway/protocols/osmand/constants.ts DEVICE_ID_PATTERN). */
const imeiParam = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a device id is 1-64 letters, digits, ".", "_" or "-"')
const newDevice = z.object({ imei: imeiParam, protocol: z.enum(PROTOCOLS) })
const positionsQuery = z.object({
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
})

export function registerApi(app: TemplatedApp, deps: ApiDeps): void {
  const { auth, log } = deps
  const authed = (handler: (request: ApiRequest, user: Me) => ReturnType<ApiHandler>): ApiHandler => async (request) => {
    const user = await auth.userForToken(request.cookies[SESSION_COOKIE])
    if (!user) throw new ApiError(401, 'UNAUTHENTICATED', 'Log in to continue')
    return handler(request, user)
  }

  route(app, 'post', '/api/login', async ({ body }) => {
    const { email, password } = loginBody.parse(body)
    const session = await auth.login(email, password)
    if (!session) throw new ApiError(401, 'INVALID_CREDENTIALS', 'Wrong email or password')
    return { body: session.user, setCookie: auth.sessionCookie(session.token) }
  }, log)

  route(app, 'post', '/api/logout', async ({ cookies }) => {
    await auth.logout(cookies[SESSION_COOKIE])
    return { status: 204, setCookie: Auth.clearedCookie() }
  }, log)

  route(app, 'get', '/api/me', authed(async (_request, user) => ({ body: user })), log)

  route(app, 'get', '/api/settings/map', authed(async () => ({ body: deps.map })), log)

  route(app, 'get', '/api/devices', authed(async () => ({ body: await listDevices(deps.db, deps.states, deps.stateSettings) })), log)

  route(app, 'post', '/api/devices', authed(async ({ body }) => {
    const { imei, protocol } = newDevice.parse(body)
    await deps.devices.register(imei, protocol)
    if (!deps.states.get(imei)) deps.states.set(deps.states.getOrEmpty(imei, protocol))
    return { status: 201, body: { imei, protocol } }
  }), log)

  route(app, 'get', '/api/devices/:imei/positions', authed(async ({ params, query }) => {
    const imei = imeiParam.parse(params.imei)
    const { from, to, limit } = positionsQuery.parse(Object.fromEntries(query))
    const end = to ?? new Date()
    const start = from ?? new Date(end.getTime() - 24 * 60 * 60_000)
    if (start > end) throw new ApiError(400, 'BAD_RANGE', '`from` must not be after `to`')
    return { body: await devicePositions(deps.db, imei, start, end, limit) }
  }), log)

  route(app, 'get', '/api/gateway/stats', authed(async () => ({ body: deps.stats.snapshot() })), log)

  app.any('/api/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'No such API route' } }))
  })
}
