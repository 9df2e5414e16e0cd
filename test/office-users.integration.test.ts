import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_ROUTES, READS_BY_POST, type RouteKey } from '../dashboard/server/access.ts'
import {
  MODULE_LABELS, MODULES, type AlertRule, type Customer, type DeviceSummary, type LicenseUsage, type Me, type Permissions, type User, type Vehicle, type VehicleGroup,
} from '../dashboard/shared/contract.ts'
import { apiClient, connectLive, type ApiCall } from './helpers/api-client.ts'
import { ADMIN, login, startSystem, type RunningSystem } from './helpers/system.ts'

const LICENSES = 8
const grid = (level: 'none' | 'view' | 'edit'): Permissions => Object.fromEntries(MODULES.map((module) => [module, level])) as Permissions

/** Office users against the running system: the users API, licences, and the permission table on every route. */
describe('office users: permissions on every route, licences, required fields', () => {
  let system: RunningSystem
  let admin: ApiCall
  let adminMe: Me
  let password = 0

  beforeAll(async () => {
    system = await startSystem({ env: { OFFICE_USER_LICENSES: String(LICENSES) } })
    admin = apiClient(system.baseUrl, await login(system.baseUrl))
    adminMe = (await admin<Me>('GET', '/api/me')).body
  }, 120_000)

  afterAll(async () => {
    await system?.stop()
  })

  /** Creates an active user and logs in as them. */
  async function userWith(name: string, permissions: Partial<Permissions>, extra: Record<string, unknown> = {}) {
    const credentials = { email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`, password: `password-${++password}` }
    const created = await admin<User>('POST', '/api/users', { name, ...credentials, permissions, ...extra })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const cookie = await login(system.baseUrl, credentials)
    return { user: created.body, cookie, call: apiClient(system.baseUrl, cookie), credentials }
  }

  const licenses = async () => (await admin<LicenseUsage>('GET', '/api/users/licenses')).body

  describe('the first admin', () => {
    it('keeps edit access to every module and sees every vehicle', async () => {
      expect(adminMe).toEqual({ id: expect.any(Number), email: ADMIN.email, name: 'Administrator', permissions: grid('edit'), visibility: { kind: 'all' } })
    })
  })

  describe('adding a user', () => {
    it('creates an active user with the permissions chosen, none for the modules left out, and every vehicle by default', async () => {
      const created = await admin<User>('POST', '/api/users', {
        name: ' Dana Dispatcher ', email: ' Dana@Example.com ', password: 'long-enough', phone: '+1 (555) 010-2030', title: 'Dispatcher',
        permissions: { map: 'edit', customers: 'view' },
      })
      expect(created).toEqual({
        status: 201,
        body: {
          id: expect.any(Number), name: 'Dana Dispatcher', email: 'dana@example.com', phone: '+15550102030', title: 'Dispatcher', active: true,
          permissions: { ...grid('none'), map: 'edit', customers: 'view' }, visibility: { kind: 'all' }, createdAt: expect.any(String),
        } satisfies User,
      })
      expect((await admin<User[]>('GET', '/api/users')).body).toContainEqual(created.body)
      expect(await admin('GET', `/api/users/${created.body.id}`)).toEqual({ status: 200, body: created.body })
      expect(JSON.stringify(created.body)).not.toMatch(/password/i)

      // The new user logs in and /api/me tells the web app what they may do.
      const me = await apiClient(system.baseUrl, await login(system.baseUrl, { email: 'dana@example.com', password: 'long-enough' }))<Me>('GET', '/api/me')
      expect(me.body).toEqual({ id: created.body.id, email: 'dana@example.com', name: 'Dana Dispatcher', permissions: created.body.permissions, visibility: { kind: 'all' } })
    })

    it('names each missing or wrong starred field (400), refuses a taken email (409) and vehicles or groups that do not exist (422)', async () => {
      const valid = { name: 'Sam', email: 'sam@example.com', password: 'password-ok' }
      const error = async (body: unknown, status: number, code: string) => {
        const answer = await admin<{ error: { code: string; message: string } }>('POST', '/api/users', body)
        expect(answer, JSON.stringify(body)).toEqual({ status, body: { error: { code, message: expect.any(String) } } })
        return answer.body.error.message
      }
      expect(await error({ ...valid, name: undefined }, 400, 'BAD_REQUEST')).toBe('name: a user needs a name')
      expect(await error({ ...valid, name: '  ' }, 400, 'BAD_REQUEST')).toBe('name: a user needs a name')
      expect(await error({ ...valid, email: undefined }, 400, 'BAD_REQUEST')).toBe('email: a user needs an email address, their login')
      expect(await error({ ...valid, email: 'sam' }, 400, 'BAD_REQUEST')).toBe('email: not an email address')
      expect(await error({ ...valid, password: undefined }, 400, 'BAD_REQUEST')).toBe('password: a user needs a password of at least 10 characters')
      expect(await error({ ...valid, password: 'short' }, 400, 'BAD_REQUEST')).toBe('password: a password has at least 10 characters')
      expect(await error({}, 400, 'BAD_REQUEST')).toMatch(/^name: .*; email: .*; password: /)
      expect(await error({ ...valid, phone: '555' }, 400, 'BAD_REQUEST')).toMatch(/^phone: a phone number is \+ and the country code/)
      expect(await error({ ...valid, permissions: { map: 'admin' } }, 400, 'BAD_REQUEST')).toMatch(/permissions.map: access is one of none, view, edit/)
      await error({ ...valid, permissions: { garage: 'edit' } }, 400, 'BAD_REQUEST')
      await error({ ...valid, visibility: { kind: 'some' } }, 400, 'BAD_REQUEST')
      await error({ ...valid, isAdmin: true }, 400, 'BAD_REQUEST')
      expect(await error({ ...valid, email: ADMIN.email.toUpperCase() }, 409, 'EMAIL_TAKEN')).toBe(`Another user already has the email ${ADMIN.email}`)
      expect(await error({ ...valid, visibility: { kind: 'selected', vehicleIds: [999999] } }, 422, 'UNKNOWN_VEHICLE')).toBe('No vehicle with id 999999')
      expect(await error({ ...valid, visibility: { kind: 'selected', groupIds: [999999] } }, 422, 'UNKNOWN_GROUP')).toBe('No vehicle group with id 999999')
      // Blank optional fields are none.
      const created = await admin<User>('POST', '/api/users', { ...valid, phone: '', title: ' ' })
      expect(created).toMatchObject({ status: 201, body: { phone: null, title: null } })
      await admin('POST', `/api/users/${created.body.id}/deactivate`)
    })

    it('edits a user: fields sent change, the rest stay; a new password works at once', async () => {
      const { user, credentials } = await userWith('Edit Me', { map: 'view' })
      const changed = await admin<User>('PUT', `/api/users/${user.id}`, { title: 'Installer', permissions: { map: 'edit', settings: 'view' }, password: 'brand-new-pass' })
      expect(changed).toEqual({ status: 200, body: { ...user, title: 'Installer', permissions: { ...grid('none'), map: 'edit', settings: 'view' } } })
      await expect(login(system.baseUrl, credentials)).rejects.toThrow(/401/)
      await login(system.baseUrl, { email: credentials.email, password: 'brand-new-pass' })
      expect((await admin('PUT', `/api/users/${user.id}`, { email: ADMIN.email })).status).toBe(409)
      expect((await admin('PUT', `/api/users/${user.id}`, {})).status).toBe(400)
      expect((await admin('PUT', `/api/users/${user.id}`, { active: false })).status).toBe(400)
      expect((await admin('PUT', '/api/users/999999', { name: 'x' })).status).toBe(404)
      await admin('POST', `/api/users/${user.id}/deactivate`)
    })

    it('does not let users lock themselves out: no deactivating themself, no dropping their own Settings edit access', async () => {
      expect(await admin('POST', `/api/users/${adminMe.id}/deactivate`)).toEqual({
        status: 409, body: { error: { code: 'CANNOT_DEACTIVATE_SELF', message: 'You cannot deactivate yourself; another user with edit access to Settings can' } },
      })
      expect(await admin('PUT', `/api/users/${adminMe.id}`, { permissions: { ...grid('edit'), settings: 'view' } })).toMatchObject({ status: 409, body: { error: { code: 'OWN_ACCESS' } } })
      expect(await admin('PUT', `/api/users/${adminMe.id}`, { permissions: grid('edit'), phone: '+15550000001' })).toMatchObject({ status: 200 })
    })
  })

  describe('licences', () => {
    it('refuses to activate a user beyond the licence count with a clear message, and frees a licence on deactivation', async () => {
      const start = await licenses()
      expect(start.total).toBe(LICENSES)
      const extra: User[] = []
      for (let n = start.used; n < LICENSES; n++) extra.push((await userWith(`Licensed ${n}`, { map: 'view' })).user)
      expect(await licenses()).toEqual({ total: LICENSES, used: LICENSES })

      const message = `All ${LICENSES} office user licences are in use. Deactivate a user or add licences.`
      const refused = await admin('POST', '/api/users', { name: 'One Too Many', email: 'too.many@example.com', password: 'password-x' })
      expect(refused).toEqual({ status: 409, body: { error: { code: 'LICENSE_LIMIT', message: `${message} Or save this user inactive and activate them later.` } } })

      // Saved inactive, the user takes no licence and cannot log in; activating is refused while none is free.
      const inactive = await admin<User>('POST', '/api/users', { name: 'One Too Many', email: 'too.many@example.com', password: 'password-x', active: false })
      expect(inactive).toMatchObject({ status: 201, body: { active: false } })
      await expect(login(system.baseUrl, { email: 'too.many@example.com', password: 'password-x' })).rejects.toThrow(/401/)
      expect(await admin('POST', `/api/users/${inactive.body.id}/activate`)).toEqual({ status: 409, body: { error: { code: 'LICENSE_LIMIT', message } } })

      // Activating users who are active already needs no free licence.
      expect(await admin('POST', `/api/users/${extra[0]!.id}/activate`)).toMatchObject({ status: 200, body: { active: true } })

      expect(await admin('POST', `/api/users/${extra[0]!.id}/deactivate`)).toMatchObject({ status: 200, body: { id: extra[0]!.id, active: false } })
      expect(await admin('POST', `/api/users/${inactive.body.id}/activate`)).toMatchObject({ status: 200, body: { active: true } })
      expect(await licenses()).toEqual({ total: LICENSES, used: LICENSES })
      await login(system.baseUrl, { email: 'too.many@example.com', password: 'password-x' })

      // Two activations racing for one free licence: exactly one wins.
      await admin('POST', `/api/users/${inactive.body.id}/deactivate`)
      const race = await Promise.all([extra[0]!, inactive.body].map((user) => admin('POST', `/api/users/${user.id}/activate`)))
      expect(race.map((answer) => answer.status).sort()).toEqual([200, 409])
      expect(await licenses()).toEqual({ total: LICENSES, used: LICENSES })
      for (const user of [...extra, inactive.body]) await admin('POST', `/api/users/${user.id}/deactivate`)
      expect((await admin('POST', '/api/users/999999/activate')).status).toBe(404)
    })

    it('ends a deactivated user\'s sessions and closes their live connection', async () => {
      const { user, call, cookie } = await userWith('Leaving', { map: 'view' })
      const live = await connectLive(system.baseUrl, cookie)
      const closed = new Promise<void>((resolve) => live.once('disconnect', () => resolve()))
      expect((await call('GET', '/api/me')).status).toBe(200)
      await admin('POST', `/api/users/${user.id}/deactivate`)
      expect((await call('GET', '/api/me')).status).toBe(401)
      await closed
      await expect(connectLive(system.baseUrl, cookie)).rejects.toThrow(/UNAUTHENTICATED/)
    })
  })

  describe('signing out', () => {
    it('closes the live connection opened with the session, and only that one', async () => {
      const { call, cookie, credentials } = await userWith('Signing out', { map: 'view' })
      // The same user signed in a second time (another browser): a session of its own.
      const other = await login(system.baseUrl, credentials)
      const live = await connectLive(system.baseUrl, cookie)
      const otherLive = await connectLive(system.baseUrl, other)
      const closed = new Promise<void>((resolve) => live.once('disconnect', () => resolve()))
      expect((await call('POST', '/api/logout')).status).toBe(204)
      await closed
      expect(otherLive.connected).toBe(true)
      await expect(connectLive(system.baseUrl, cookie)).rejects.toThrow(/UNAUTHENTICATED/)
      otherLive.disconnect()
    })
  })

  describe('vehicle groups', () => {
    it('creates, renames, refills and deletes a group; names are unique; vehicles must exist', async () => {
      const [a, b] = await Promise.all(['Group van A', 'Group van B'].map(async (name) => (await admin<Vehicle>('POST', '/api/vehicles', { name })).body))
      const created = await admin<VehicleGroup>('POST', '/api/vehicle-groups', { name: 'South', vehicleIds: [b!.id, a!.id, a!.id] })
      expect(created).toEqual({ status: 201, body: { id: expect.any(Number), name: 'South', vehicleIds: [a!.id, b!.id].sort((x, y) => x - y) } satisfies VehicleGroup })
      const id = created.body.id
      expect((await admin<VehicleGroup[]>('GET', '/api/vehicle-groups')).body).toContainEqual(created.body)
      expect(await admin('GET', `/api/vehicle-groups/${id}`)).toEqual({ status: 200, body: created.body })
      expect(await admin('PUT', `/api/vehicle-groups/${id}`, { name: 'South yard' })).toEqual({ status: 200, body: { ...created.body, name: 'South yard' } })
      expect(await admin('PUT', `/api/vehicle-groups/${id}`, { vehicleIds: [b!.id] })).toEqual({ status: 200, body: { id, name: 'South yard', vehicleIds: [b!.id] } })
      expect(await admin('POST', '/api/vehicle-groups', { name: 'south YARD' })).toMatchObject({ status: 409, body: { error: { code: 'GROUP_NAME_TAKEN' } } })
      expect(await admin('POST', '/api/vehicle-groups', { name: 'East', vehicleIds: [999999] })).toEqual({
        status: 422, body: { error: { code: 'UNKNOWN_VEHICLE', message: 'No vehicle with id 999999' } },
      })
      expect((await admin('POST', '/api/vehicle-groups', { name: '' })).status).toBe(400)
      expect((await admin('PUT', `/api/vehicle-groups/${id}`, {})).status).toBe(400)

      // A deleted vehicle leaves its groups; a deleted group leaves the users who chose it.
      await admin('DELETE', `/api/vehicles/${b!.id}`)
      expect((await admin<VehicleGroup>('GET', `/api/vehicle-groups/${id}`)).body.vehicleIds).toEqual([])
      const user = (await admin<User>('POST', '/api/users', {
        name: 'Grouped', email: 'grouped@example.com', password: 'password-g', active: false, visibility: { kind: 'selected', groupIds: [id] },
      })).body
      expect(user.visibility).toEqual({ kind: 'selected', vehicleIds: [], groupIds: [id] })
      expect(await admin('DELETE', `/api/vehicle-groups/${id}`)).toEqual({ status: 204, body: undefined })
      expect((await admin<User>('GET', `/api/users/${user.id}`)).body.visibility).toEqual({ kind: 'selected', vehicleIds: [], groupIds: [] })
      expect((await admin('GET', `/api/vehicle-groups/${id}`)).status).toBe(404)
      expect((await admin('DELETE', `/api/vehicle-groups/${id}`)).status).toBe(404)
    })
  })

  describe('the permission table, route by route', () => {
    const fixtures: Record<string, string> = {}

    beforeAll(async () => {
      const imei = '356307042480001'
      expect((await admin('POST', '/api/devices', { imei, protocol: 'teltonika' })).status).toBe(201)
      const vehicle = (await admin<Vehicle>('POST', '/api/vehicles', { name: 'Table van', deviceImei: imei })).body
      const group = (await admin<VehicleGroup>('POST', '/api/vehicle-groups', { name: 'Table group', vehicleIds: [vehicle.id] })).body
      const rule = (await admin<AlertRule>('POST', '/api/alert-rules', { description: 'Table rule', type: 'noUpdate', vehicleIds: [vehicle.id] })).body
      const customer = (await admin<Customer>('POST', '/api/customers', { name: 'Table customer' })).body
      Object.assign(fixtures, {
        '/api/devices/:imei': imei, '/api/vehicles/:id': String(vehicle.id), '/api/vehicle-groups/:id': String(group.id),
        '/api/alert-rules/:id': String(rule.id), '/api/customers/:id': String(customer.id), '/api/users/:id': String(adminMe.id), '/api/alerts/:id': '1',
      })
    })

    /** The route's path with the fixtures' ids in it. */
    const pathOf = (pattern: string) =>
      pattern.replace(/^(\/api\/[\w-]+\/)(:\w+)/, (prefix, base: string, param: string) => {
        const value = fixtures[`${base}${param}`]
        if (value === undefined) throw new Error(`no fixture for ${pattern}: add one`)
        return `${base}${value}`
      })
    const routes = (Object.entries(API_ROUTES) as [RouteKey, (typeof API_ROUTES)[RouteKey]][]).map(([key, access]) => {
      const [method, pattern] = key.split(' ') as [string, string]
      return { key, method, pattern, access }
    })
    const moduleRoutes = routes.flatMap((route) => (typeof route.access === 'object' ? [{ ...route, access: route.access }] : []))
    /** A body each route accepts from a user with access (writes are refused before reading it; reads by POST need a valid one). */
    const bodyFor = (route: { key: RouteKey; method: string }) =>
      route.method === 'GET' || route.method === 'DELETE' ? undefined : route.key === 'POST /api/positions/missing' ? { records: [] } : {}
    const isRead = (route: { key: RouteKey; method: string }) => route.method === 'GET' || READS_BY_POST.has(route.key)

    it('lists every route in the table with a module and a level, except login, logout and what any signed-in user needs', () => {
      expect(routes.filter((route) => typeof route.access !== 'object').map((route) => route.key).sort()).toEqual(
        ['GET /api/me', 'GET /api/settings/map', 'POST /api/login', 'POST /api/logout'].sort(),
      )
      for (const route of moduleRoutes) expect(route.access.level, route.key).toBe(isRead(route) ? 'view' : 'edit')
    })

    it('refuses every write to a view-only user (403 naming the module) and answers every read', async () => {
      const viewer = (await userWith('Viewer', grid('view'))).call
      for (const route of moduleRoutes) {
        const answer = await viewer(route.method, pathOf(route.pattern), bodyFor(route))
        if (route.access.level === 'edit') {
          expect(answer, route.key).toEqual({
            status: 403,
            body: { error: { code: 'FORBIDDEN', message: `You have view access to ${MODULE_LABELS[route.access.module]}; editing needs edit access` } },
          })
        } else {
          expect(answer.status, `${route.key}: ${JSON.stringify(answer.body)}`).toBe(200)
        }
      }
    })

    it('refuses every module route to a user without access to its module, and lets them see who they are', async () => {
      const nobody = (await userWith('Nobody', {})).call
      for (const route of moduleRoutes) {
        const answer = await nobody(route.method, pathOf(route.pattern), bodyFor(route))
        const needs = route.access.level === 'edit' ? 'editing needs edit access' : 'viewing needs view access'
        const message = 'orModule' in route.access
          ? `You have no access to ${MODULE_LABELS[route.access.module]} or ${MODULE_LABELS[route.access.orModule!]}; ${needs} to one of them`
          : `You have no access to ${MODULE_LABELS[route.access.module]}; ${needs}`
        expect(answer, route.key).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message } } })
      }
      expect(await nobody('GET', '/api/me')).toMatchObject({ status: 200, body: { permissions: grid('none') } })
      expect((await nobody('GET', '/api/settings/map')).status).toBe(200)
    })

    it('gives each module its own level: edit on Customers does not open Settings', async () => {
      const clerk = (await userWith('Clerk', { customers: 'edit', map: 'view' })).call
      expect((await clerk('POST', '/api/customers', { name: 'Clerk customer' })).status).toBe(201)
      expect(await clerk('PUT', '/api/settings', { customerRadiusMi: 1 })).toMatchObject({ status: 403, body: { error: { message: 'You have no access to Settings; editing needs edit access' } } })
      expect(await clerk('POST', `/api/alerts/1/acknowledge`)).toMatchObject({ status: 403, body: { error: { message: 'You have view access to Map; editing needs edit access' } } })
    })

    it('opens the vehicle and device lists to Settings users without Map access (to choose from), but not the live map', async () => {
      const { call, cookie } = await userWith('Office admin', { settings: 'edit' })
      expect((await call<Vehicle[]>('GET', '/api/vehicles')).body.map((vehicle) => vehicle.name)).toContain('Table van')
      expect((await call<DeviceSummary[]>('GET', '/api/devices')).body.map((device) => device.imei)).toContain(fixtures['/api/devices/:imei'])
      expect((await call('GET', `/api/devices/${fixtures['/api/devices/:imei']}/positions`)).status).toBe(403)
      expect((await call('GET', '/api/alerts')).status).toBe(403)
      const live = await connectLive(system.baseUrl, cookie)
      const watched = await new Promise((resolve) => live.emit('watch', { imei: fixtures['/api/devices/:imei']! }, resolve))
      expect(watched).toEqual({ error: { code: 'FORBIDDEN', message: 'You have no access to Map; viewing needs view access' } })
      live.close()
    })

    it('asks for a login on every route but login and logout', async () => {
      const anonymous = apiClient(system.baseUrl)
      for (const route of routes.filter((candidate) => candidate.access !== 'public')) {
        const answer = await anonymous(route.method, pathOf(route.pattern), bodyFor(route))
        expect(answer, route.key).toEqual({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'Log in to continue' } } })
      }
    })
  })
})
