import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial'
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import type { Logger } from '../../logger.ts'
import type { GatewayStats } from '../../gateway/stats.ts'
import type { VehicleStates } from '../../processor/vehicle-states.ts'
import type { DatabaseDeviceAdmission } from '../../processor/device-admission.ts'
import { PROTOCOLS } from '../../gateway/record.ts'
import type { StateSettings } from '../../processor/state.ts'
import type { NotificationStats } from '../../processor/notify/notifier.ts'
import type { AlertRuleIndex } from '../../processor/notify/rules.ts'
import type { Me } from '../shared/contract.ts'
import { Auth, SESSION_COOKIE } from './auth.ts'
import { ApiError, route, type ApiHandler, type ApiRequest } from './http.ts'
import { devicePositions, listDevices } from './devices.ts'
import { bodyOf, imeiParam, parseId } from './validation.ts'
import { countersBody, createVehicle, deleteVehicle, getVehicle, listVehicles, newVehicleBody, setVehicleCounters, updateVehicle, vehicleChangesBody } from './vehicles.ts'
import { createCustomer, createLocation, getCustomer, listCustomers, listLocations, newCustomerBody, newLocationBody } from './customers.ts'
import { getSettings, settingsBody, updateSettings } from './settings.ts'
import { createRule, deleteRule, getRule, listRules, newRuleBody, ruleChangesBody, updateRule } from './alert-rules.ts'
import { acknowledgeAlert, alertsQuery, listAlerts } from './alerts.ts'

export interface ApiDeps {
  db: Database
  auth: Auth
  states: VehicleStates
  devices: DatabaseDeviceAdmission
  stats: GatewayStats
  stateSettings: StateSettings
  alertRules: AlertRuleIndex
  /** Called after a vehicle write with the devices whose vehicle changed. */
  vehiclesChanged(imeis: (string | null)[]): Promise<void>
  /** The email and SMS notifier, where it runs in this process (`GET /api/notifications/stats`). */
  notifications?: { stats(): NotificationStats }
  map: { tileUrl: string; attribution: string }
  log: Logger
}

const loginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) })
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

  registerVehicleRoutes(app, deps, authed)
  registerCustomerRoutes(app, deps, authed)
  registerAlertRoutes(app, deps, authed)

  app.any('/api/*', (res) => {
    res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/json')
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'No such API route' } }))
  })
}

type Authed = (handler: (request: ApiRequest, user: Me) => ReturnType<ApiHandler>) => ApiHandler

function registerVehicleRoutes(app: TemplatedApp, deps: ApiDeps, authed: Authed): void {
  const { db, log } = deps
  const { states } = deps
  route(app, 'get', '/api/vehicles', authed(async () => ({ body: await listVehicles(db, states) })), log)

  route(app, 'post', '/api/vehicles', authed(async ({ body }) => {
    const vehicle = await createVehicle(db, states, bodyOf(newVehicleBody, body))
    await deps.vehiclesChanged([vehicle.deviceImei])
    return { status: 201, body: vehicle }
  }), log)

  route(app, 'get', '/api/vehicles/:id', authed(async ({ params }) => ({ body: await getVehicle(db, states, parseId(params.id)) })), log)

  route(app, 'put', '/api/vehicles/:id', authed(async ({ params, body }) => {
    const id = parseId(params.id)
    const { vehicle, previousImei } = await updateVehicle(db, states, id, bodyOf(vehicleChangesBody, body))
    await deps.vehiclesChanged([previousImei, vehicle.deviceImei])
    return { body: vehicle }
  }), log)

  route(app, 'del', '/api/vehicles/:id', authed(async ({ params }) => {
    const { previousImei } = await deleteVehicle(db, parseId(params.id))
    await deps.vehiclesChanged([previousImei])
    await deps.alertRules.reload() // rules drop the vehicle with it
    return { status: 204 }
  }), log)

  route(app, 'put', '/api/vehicles/:id/counters', authed(async ({ params, body }) => {
    const id = parseId(params.id)
    return { body: await setVehicleCounters(db, states, id, bodyOf(countersBody, body)) }
  }), log)
}

function registerCustomerRoutes(app: TemplatedApp, deps: ApiDeps, authed: Authed): void {
  const { db, log } = deps
  route(app, 'get', '/api/customers', authed(async () => ({ body: await listCustomers(db) })), log)
  route(app, 'post', '/api/customers', authed(async ({ body }) => ({ status: 201, body: await createCustomer(db, bodyOf(newCustomerBody, body)) })), log)
  route(app, 'get', '/api/customers/:id', authed(async ({ params }) => ({ body: await getCustomer(db, parseId(params.id)) })), log)
  route(app, 'get', '/api/customers/:id/locations', authed(async ({ params }) => ({ body: await listLocations(db, parseId(params.id)) })), log)
  route(app, 'post', '/api/customers/:id/locations', authed(async ({ params, body }) => {
    const id = parseId(params.id)
    return { status: 201, body: await createLocation(db, id, bodyOf(newLocationBody, body)) }
  }), log)

  route(app, 'get', '/api/settings', authed(async () => ({ body: await getSettings(db) })), log)
  route(app, 'put', '/api/settings', authed(async ({ body }) => {
    // Read by the processor each time it stores an alert: nothing to tell it.
    return { body: await updateSettings(db, bodyOf(settingsBody, body)) }
  }), log)
}

function registerAlertRoutes(app: TemplatedApp, deps: ApiDeps, authed: Authed): void {
  const { db, log } = deps
  route(app, 'get', '/api/alerts', authed(async ({ query }) => ({ body: await listAlerts(db, alertsQuery.parse(Object.fromEntries(query))) })), log)
  route(app, 'post', '/api/alerts/:id/acknowledge', authed(async ({ params }, user) => ({ body: await acknowledgeAlert(db, parseId(params.id), user.id) })), log)

  route(app, 'get', '/api/alert-rules', authed(async () => ({ body: await listRules(db) })), log)
  route(app, 'get', '/api/alert-rules/:id', authed(async ({ params }) => ({ body: await getRule(db, parseId(params.id)) })), log)
  route(app, 'post', '/api/alert-rules', authed(async ({ body }) => {
    const rule = await createRule(db, bodyOf(newRuleBody, body))
    await deps.alertRules.reload()
    return { status: 201, body: rule }
  }), log)
  route(app, 'put', '/api/alert-rules/:id', authed(async ({ params, body }) => {
    const id = parseId(params.id)
    const rule = await updateRule(db, id, bodyOf(ruleChangesBody, body))
    await deps.alertRules.reload()
    return { body: rule }
  }), log)
  route(app, 'del', '/api/alert-rules/:id', authed(async ({ params }) => {
    await deleteRule(db, parseId(params.id))
    await deps.alertRules.reload()
    return { status: 204 }
  }), log)

  route(app, 'get', '/api/notifications/stats', authed(async () => {
    if (!deps.notifications) throw new ApiError(404, 'NOT_FOUND', 'Notifications do not run in this process')
    return { body: deps.notifications.stats() }
  }), log)
}
