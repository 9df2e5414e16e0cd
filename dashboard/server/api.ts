import type { TemplatedApp } from '@trufflesuite/uws-js-unofficial'
import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import type { DatabaseHealth } from '../../db/health.ts'
import type { Logger } from '../../logger.ts'
import type { GatewayStats } from '../../gateway/stats.ts'
import type { VehicleStateView } from '../../processor/vehicle-states.ts'
import type { VehicleCommands } from '../../processor/processor.ts'
import { PROTOCOLS } from '../../core/record.ts'
import type { StateSettings } from '../../processor/state.ts'
import type { NotificationStats } from '../../processor/notify/notifier.ts'
import type { AlertRuleIndex } from '../../processor/notify/rules.ts'
import type { GatewayStatsAnswer, Me, QuarantinedRecord } from '../shared/contract.ts'
import { accessDenied, API_ROUTES, type PublicRouteKey, type RouteKey, type UserRouteKey } from './access.ts'
import { Auth, SESSION_COOKIE } from './auth.ts'
import { ApiError, MAX_BODY_BYTES, MAX_LOGIN_BODY_BYTES, route, writeSecurityHeaders, type ApiHandler, type ApiRequest, type ApiResponse, type HttpContext, type RouteOptions } from './http.ts'
import { LoginThrottle } from './login-throttle.ts'
import { devicePositions, listDevices } from './devices.ts'
import { packetsQuery, toPacket, type PacketSource } from './packets.ts'
import { bodyOf, imeiParam, instant, parseId } from './validation.ts'
import type { WebSecurity } from './web-security.ts'
import { countersBody, createVehicle, deleteVehicle, getVehicle, listVehicles, newVehicleBody, setVehicleCounters, updateVehicle, vehicleChangesBody, type LiveCounters } from './vehicles.ts'
import { getSettings, settingsBody, thresholdsOf, updateSettings } from './settings.ts'
import { missingRecords, parseMissingRecordsBody } from './missing-records.ts'
import { createRule, deleteRule, getRule, listRules, newRuleBody, ruleChangesBody, updateRule } from './alert-rules.ts'
import { acknowledgeAlert, alertsQuery, listAlerts } from './alerts.ts'
import { activateUser, createUser, deactivateUser, getUser, licenseUsage, listUsers, newUserBody, updateUser, userChangesBody } from './users.ts'
import { createGroup, deleteGroup, getGroup, groupChangesBody, listGroups, newGroupBody, updateGroup } from './vehicle-groups.ts'
import { seesVehicle, type Visibility } from './visibility.ts'
import { registerCustomerRoutes } from '../../office/customers/routes.ts'

export interface ApiDeps {
  db: Database
  auth: Auth
  /** The processor's vehicle states, read-only: it alone changes them, through `commands`. */
  states: VehicleStateView
  commands: VehicleCommands
  stats: GatewayStats
  /** Whether the database is up: shown as `database` beside the protocols in `GET /api/gateway/stats`. */
  database: Pick<DatabaseHealth, 'status'>
  stateSettings: StateSettings
  alertRules: AlertRuleIndex
  /** Which vehicles each user sees, and which vehicle each device belongs to. */
  visibility: Visibility
  /** The gateway's log of the messages of watched devices (installers). */
  packets: PacketSource
  /** The records the gateway refused to store, per device (gateway/quarantine.ts). */
  quarantine: { recent(imei: string): QuarantinedRecord[] }
  /** How many office users may be active at once (`OFFICE_USER_LICENSES`). */
  licenses: number
  /** Called after a vehicle write with the devices whose vehicle changed. */
  vehiclesChanged(imeis: (string | null)[]): Promise<void>
  /** Called after a write that changes what users see (their permissions or vehicles; groups): the live rooms follow. */
  accessChanged(userIds?: number[]): void
  /** Called after a user's sessions end (deactivated, or a new password): the live sockets opened with them close, but `keptSession`'s. */
  sessionsEnded(userId: number, keptSession?: string): void
  /** Called after a session is signed out: the sockets opened with it close. */
  signedOut(session: string): void
  /** The email and SMS notifier, where it runs in this process (`GET /api/notifications/stats`). */
  notifications?: { stats(): NotificationStats }
  map: { tileUrl: string; attribution: string }
  /** The dashboard's origin and the headers of every response. */
  security: WebSecurity
  log: Logger
}

const loginBody = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1024) })
const newDevice = z.object({ imei: imeiParam, protocol: z.enum(PROTOCOLS) })
const positionsQuery = z.object({
  from: instant('from').optional(),
  to: instant('to').optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
})

type UserHandler = (request: ApiRequest, user: Me) => Promise<ApiResponse>

/** What a module's routes file registers its signed-in routes with. */
export interface ApiRoutes {
  user(key: UserRouteKey, handler: UserHandler): void
}

/** Registers the routes of `API_ROUTES`, each behind the access it declares there. */
class Routes implements ApiRoutes {
  readonly #registered = new Set<RouteKey>()

  constructor(
    private readonly app: TemplatedApp,
    private readonly auth: Auth,
    private readonly http: HttpContext,
  ) {}

  /** A route for anyone (logging in and out): the only bodies read before authentication, so they are small or none. */
  public(key: PublicRouteKey, maxBodyBytes: number, handler: ApiHandler): void {
    this.#register(key, { authorize: async () => undefined, maxBodyBytes }, (request) => handler(request))
  }

  /** A signed-in user's route: 401 without a session, 403 without the module access the table names, before the body is parsed. */
  user(key: UserRouteKey, handler: UserHandler): void {
    const access = API_ROUTES[key]
    const authorize = async ({ cookies }: { cookies: Record<string, string> }): Promise<Me> => {
      const user = await this.auth.userForToken(cookies[SESSION_COOKIE])
      if (!user) throw new ApiError('UNAUTHENTICATED', 'Log in to continue')
      if (access !== 'signedIn') {
        const denied = accessDenied(user.permissions, access)
        if (denied) throw denied
      }
      return user
    }
    this.#register(key, { authorize, maxBodyBytes: MAX_BODY_BYTES }, handler)
  }

  /** Every row of the table has its route: a row without one would be a route nobody checks the permission test against. */
  checkComplete(): void {
    const missing = (Object.keys(API_ROUTES) as RouteKey[]).filter((key) => !this.#registered.has(key))
    if (missing.length > 0) throw new Error(`API routes in the access table without a handler: ${missing.join(', ')}`)
  }

  #register<Context>(key: RouteKey, options: RouteOptions<Context>, handler: (request: ApiRequest, context: Context) => Promise<ApiResponse>): void {
    const [verb, pattern] = key.split(' ') as [string, string]
    const method = ({ GET: 'get', POST: 'post', PUT: 'put', DELETE: 'del' } as const)[verb as 'GET' | 'POST' | 'PUT' | 'DELETE']
    this.#registered.add(key)
    route(this.app, method, pattern, options, handler, this.http)
  }
}

export function registerApi(app: TemplatedApp, deps: ApiDeps): void {
  const { auth, log, security } = deps
  const routes = new Routes(app, auth, { security, log })
  const throttle = new LoginThrottle()

  routes.public('POST /api/login', MAX_LOGIN_BODY_BYTES, async ({ body, remote, https }) => {
    const { email, password } = loginBody.parse(body)
    throttle.check(email, remote)
    const session = await auth.login(email, password)
    if (!session) {
      throttle.failed(email, remote)
      throw new ApiError('INVALID_CREDENTIALS', 'Wrong email or password')
    }
    throttle.succeeded(email)
    return { body: session.user, setCookie: auth.sessionCookie(session.token, https) }
  })

  routes.public('POST /api/logout', 0, async ({ cookies, https }) => {
    const session = cookies[SESSION_COOKIE]
    await auth.logout(session)
    if (session !== undefined) deps.signedOut(session)
    return { status: 204, setCookie: Auth.clearedCookie(https) }
  })

  routes.user('GET /api/me', async (_request, user) => ({ body: user }))
  routes.user('GET /api/settings/map', async () => ({ body: deps.map }))
  routes.user('GET /api/settings/thresholds', async () => ({ body: thresholdsOf(deps.stateSettings) }))
  routes.user('GET /api/gateway/stats', async () => ({ body: { ...deps.stats.snapshot(), database: deps.database.status() } satisfies GatewayStatsAnswer }))

  registerDeviceRoutes(routes, deps)
  registerVehicleRoutes(routes, deps)
  registerCustomerRoutes(routes, deps.db)
  registerSettingsRoutes(routes, deps)
  registerAlertRoutes(routes, deps)
  registerUserRoutes(routes, deps)
  routes.checkComplete()

  app.any('/api/*', (res) => {
    res.cork(() => {
      res.writeStatus('404 Not Found')
      writeSecurityHeaders(res, security)
      res.writeHeader('Content-Type', 'application/json')
      res.end(JSON.stringify(new ApiError('NOT_FOUND', 'No such API route').response().body))
    })
  })
}

function registerDeviceRoutes(routes: Routes, deps: ApiDeps): void {
  const { visibility } = deps
  /** A device the user may not see answers as one that does not exist: its existence does not leak. */
  const visibleImei = async (user: Me, param: string | undefined): Promise<string> => {
    const imei = imeiParam.parse(param)
    if (!visibility.seesDevice(await visibility.visibleVehicleIds(user.id), imei)) {
      throw new ApiError('DEVICE_NOT_FOUND', `No device ${imei}`)
    }
    return imei
  }

  routes.user('GET /api/devices', async (_request, user) => {
    const visible = await visibility.visibleVehicleIds(user.id)
    const devices = await listDevices(deps.db, deps.states, deps.stateSettings)
    return { body: devices.filter((device) => seesVehicle(visible, device.vehicleId)) }
  })

  routes.user('POST /api/devices', async ({ body }) => {
    const { imei, protocol } = newDevice.parse(body)
    // An IMEI registered already keeps its protocol: a device is bound to the protocol it registered with.
    const registered = await deps.commands.registerDevice(imei, protocol)
    return { status: 201, body: { imei, protocol: registered } }
  })

  routes.user('GET /api/devices/:imei/positions', async ({ params, query }, user) => {
    const imei = await visibleImei(user, params.imei)
    const { from, to, limit } = positionsQuery.parse(Object.fromEntries(query))
    const end = to ?? new Date()
    const start = from ?? new Date(end.getTime() - 24 * 60 * 60_000)
    if (start > end) throw new ApiError('BAD_RANGE', '`from` must not be after `to`')
    return { body: await devicePositions(deps.db, imei, start, end, limit) }
  })

  /** Which of these records are not stored (a tester's check of what the gateway ACKed); hidden devices' records count as missing. */
  routes.user('POST /api/positions/missing', async ({ body }, user) => {
    const records = parseMissingRecordsBody(body)
    const visible = await visibility.visibleVehicleIds(user.id)
    return { body: await missingRecords(deps.db, records, visible, (imei) => visibility.seesDevice(visible, imei)) }
  })

  /** The device's recent messages, newest first; asking starts (or extends) logging them, and the socket `watch` streams new ones. */
  routes.user('GET /api/devices/:imei/packets', async ({ params, query }, user) => {
    const imei = await visibleImei(user, params.imei)
    const { limit } = packetsQuery.parse(Object.fromEntries(query))
    deps.packets.watch(imei)
    return { body: deps.packets.recent(imei, limit).map(toPacket) }
  })

  /** The device's records the gateway refused (they could never be stored), newest first, with the message each came in. */
  routes.user('GET /api/devices/:imei/quarantine', async ({ params }, user) => {
    const imei = await visibleImei(user, params.imei)
    return { body: deps.quarantine.recent(imei) }
  })
}

function registerVehicleRoutes(routes: Routes, deps: ApiDeps): void {
  const { db, visibility } = deps
  const live: LiveCounters = { countersOf: (imei) => deps.states.countersOf(imei), startCountersFrom: deps.commands.startCountersFrom }
  // Visibility restricts what Map users see; vehicle writes are Settings (edit access there administers vehicles).
  routes.user('GET /api/vehicles', async (_request, user) => {
    const visible = await visibility.visibleVehicleIds(user.id)
    return { body: (await listVehicles(db, live)).filter((vehicle) => seesVehicle(visible, vehicle.id)) }
  })

  routes.user('GET /api/vehicles/:id', async ({ params }, user) => {
    const id = parseId(params.id)
    if (!seesVehicle(await visibility.visibleVehicleIds(user.id), id)) throw new ApiError('VEHICLE_NOT_FOUND', `No vehicle with id ${id}`)
    return { body: await getVehicle(db, live, id) }
  })

  routes.user('POST /api/vehicles', async ({ body }) => {
    const vehicle = await createVehicle(db, live, bodyOf(newVehicleBody, body))
    await deps.vehiclesChanged([vehicle.deviceImei])
    return { status: 201, body: vehicle }
  })

  routes.user('PUT /api/vehicles/:id', async ({ params, body }) => {
    const id = parseId(params.id)
    const { vehicle, previousImei } = await updateVehicle(db, live, id, bodyOf(vehicleChangesBody, body))
    await deps.vehiclesChanged([previousImei, vehicle.deviceImei])
    return { body: vehicle }
  })

  routes.user('DELETE /api/vehicles/:id', async ({ params }) => {
    const { previousImei } = await deleteVehicle(db, parseId(params.id))
    await deps.vehiclesChanged([previousImei])
    await deps.alertRules.reload() // rules drop the vehicle with it
    return { status: 204 }
  })

  routes.user('PUT /api/vehicles/:id/counters', async ({ params, body }) => {
    const id = parseId(params.id)
    return { body: await setVehicleCounters(db, live, id, bodyOf(countersBody, body)) }
  })

  /** Group membership decides what restricted users see: every cached visibility and live room follows a write. */
  const groupsChanged = () => {
    visibility.invalidate()
    deps.accessChanged()
  }
  routes.user('GET /api/vehicle-groups', async () => ({ body: await listGroups(db) }))
  routes.user('GET /api/vehicle-groups/:id', async ({ params }) => ({ body: await getGroup(db, parseId(params.id)) }))
  routes.user('POST /api/vehicle-groups', async ({ body }) => {
    const group = await createGroup(db, bodyOf(newGroupBody, body))
    groupsChanged()
    return { status: 201, body: group }
  })
  routes.user('PUT /api/vehicle-groups/:id', async ({ params, body }) => {
    const id = parseId(params.id)
    const group = await updateGroup(db, id, bodyOf(groupChangesBody, body))
    groupsChanged()
    return { body: group }
  })
  routes.user('DELETE /api/vehicle-groups/:id', async ({ params }) => {
    await deleteGroup(db, parseId(params.id))
    groupsChanged()
    return { status: 204 }
  })
}

function registerSettingsRoutes(routes: Routes, deps: ApiDeps): void {
  const { db } = deps
  routes.user('GET /api/settings', async () => ({ body: await getSettings(db) }))
  routes.user('PUT /api/settings', async ({ body }) => {
    // Read by the processor each time it stores an alert: nothing to tell it.
    return { body: await updateSettings(db, bodyOf(settingsBody, body)) }
  })
}

function registerAlertRoutes(routes: Routes, deps: ApiDeps): void {
  const { db, visibility } = deps
  routes.user('GET /api/alerts', async ({ query }, user) => {
    const parsed = alertsQuery.parse(Object.fromEntries(query))
    return { body: await listAlerts(db, parsed, await visibility.visibleVehicleIds(user.id)) }
  })
  routes.user('POST /api/alerts/:id/acknowledge', async ({ params }, user) => {
    const id = parseId(params.id)
    return { body: await acknowledgeAlert(db, id, user.id, await visibility.visibleVehicleIds(user.id)) }
  })

  routes.user('GET /api/alert-rules', async () => ({ body: await listRules(db) }))
  routes.user('GET /api/alert-rules/:id', async ({ params }) => ({ body: await getRule(db, parseId(params.id)) }))
  routes.user('POST /api/alert-rules', async ({ body }) => {
    const rule = await createRule(db, bodyOf(newRuleBody, body))
    await deps.alertRules.reload()
    return { status: 201, body: rule }
  })
  routes.user('PUT /api/alert-rules/:id', async ({ params, body }) => {
    const id = parseId(params.id)
    const rule = await updateRule(db, id, bodyOf(ruleChangesBody, body))
    await deps.alertRules.reload()
    return { body: rule }
  })
  routes.user('DELETE /api/alert-rules/:id', async ({ params }) => {
    await deleteRule(db, parseId(params.id))
    await deps.alertRules.reload()
    return { status: 204 }
  })

  routes.user('GET /api/notifications/stats', async () => {
    if (!deps.notifications) throw new ApiError('NOT_FOUND', 'Notifications do not run in this process')
    return { body: deps.notifications.stats() }
  })
}

function registerUserRoutes(routes: Routes, deps: ApiDeps): void {
  const { db, visibility, licenses } = deps
  /** After a write about one user: their cached access and live rooms follow at once. */
  const userChanged = (id: number) => {
    visibility.invalidate(id)
    deps.accessChanged([id])
  }

  routes.user('GET /api/users', async () => ({ body: await listUsers(db) }))
  routes.user('GET /api/users/licenses', async () => ({ body: await licenseUsage(db, licenses) }))
  routes.user('GET /api/users/:id', async ({ params }) => ({ body: await getUser(db, parseId(params.id)) }))

  routes.user('POST /api/users', async ({ body }) => {
    const user = await createUser(db, bodyOf(newUserBody, body), licenses)
    return { status: 201, body: user }
  })

  routes.user('PUT /api/users/:id', async ({ params, body, cookies }, actor) => {
    const id = parseId(params.id)
    const changes = bodyOf(userChangesBody, body)
    const user = await updateUser(db, id, changes, actor.id)
    if (changes.password !== undefined) {
      // The old password may have leaked: its sessions end. Changing one's own keeps the session it was changed in.
      const kept = id === actor.id ? cookies[SESSION_COOKIE] : undefined
      await deps.auth.endSessions(id, kept)
      deps.sessionsEnded(id, kept)
    }
    userChanged(id)
    return { body: user }
  })

  routes.user('POST /api/users/:id/activate', async ({ params }) => {
    const id = parseId(params.id)
    const user = await activateUser(db, id, licenses)
    userChanged(id)
    return { body: user }
  })

  routes.user('POST /api/users/:id/deactivate', async ({ params }, actor) => {
    const id = parseId(params.id)
    const user = await deactivateUser(db, id, actor.id)
    visibility.invalidate(id)
    deps.sessionsEnded(id)
    return { body: user }
  })
}
