import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { io, type Socket } from 'socket.io-client'
import type { AlertRule, Customer, CustomerDetail, DeviceSummary, Me, ServerToClientEvents, ServiceLocation, Settings, Vehicle } from '../dashboard/shared/contract.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

/** Routes for vehicles, customers, settings, alert rules and alerts against the running system: payloads and status codes. */
describe('API: vehicles, customers, settings, alert rules, alerts', () => {
  let system: RunningSystem
  let cookie: string
  let me: Me

  beforeAll(async () => {
    system = await startSystem()
    cookie = await login(system.baseUrl)
    me = (await call('GET', '/api/me')).body as Me
  }, 120_000)

  afterAll(async () => {
    await system?.stop()
  })

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined }
  }

  /** Expects an error answer `{ error: { code, message } }` with this status and code; returns the message. */
  async function expectError(method: string, path: string, body: unknown, status: number, code: string): Promise<string> {
    const answer = await call(method, path, body)
    expect(answer, `${method} ${path} ${JSON.stringify(body)}`).toEqual({ status, body: { error: { code, message: expect.any(String) } } })
    return (answer.body as { error: { message: string } }).error.message
  }

  const registerDevice = async (imei: string) => expect((await call('POST', '/api/devices', { imei, protocol: 'teltonika' })).status).toBe(201)

  describe('vehicles', () => {
    it('creates a vehicle without a device, reported as such, with zero counters', async () => {
      const created = await call('POST', '/api/vehicles', { name: '  Van 12 ' })
      expect(created).toEqual({
        status: 201,
        body: { id: expect.any(Number), name: 'Van 12', deviceImei: null, hasDevice: false, odometerKm: 0, engineHoursH: 0, countersSetAt: null },
      })
      const listed = (await call('GET', '/api/vehicles')).body as Vehicle[]
      expect(listed).toContainEqual(created.body)
      expect(await call('GET', `/api/vehicles/${(created.body as Vehicle).id}`)).toEqual({ status: 200, body: created.body })
    })

    it('assigns a device to one vehicle only: 404 for an unknown device, 409 naming the vehicle that has it', async () => {
      expect(await expectError('POST', '/api/vehicles', { name: 'Ghost', deviceImei: '356307042449990' }, 404, 'DEVICE_NOT_FOUND')).toMatch(/356307042449990/)
      await registerDevice('356307042449991')
      const truck = (await call('POST', '/api/vehicles', { name: 'Truck 7', deviceImei: '356307042449991' })).body as Vehicle
      expect(truck).toMatchObject({ deviceImei: '356307042449991', hasDevice: true })
      const van = (await call('POST', '/api/vehicles', { name: 'Van 3' })).body as Vehicle

      const message = await expectError('PUT', `/api/vehicles/${van.id}`, { deviceImei: '356307042449991' }, 409, 'DEVICE_TAKEN')
      expect(message).toBe(`Device 356307042449991 is already assigned to vehicle "Truck 7" (id ${truck.id}); unassign it there first`)
      await expectError('POST', '/api/vehicles', { name: 'Van 4', deviceImei: '356307042449991' }, 409, 'DEVICE_TAKEN')

      // Assigning it again to the vehicle that has it changes nothing.
      expect((await call('PUT', `/api/vehicles/${truck.id}`, { deviceImei: '356307042449991', name: 'Truck 7b' })).body).toMatchObject({ name: 'Truck 7b', hasDevice: true })
      expect((await call('PUT', `/api/vehicles/${truck.id}`, { deviceImei: null })).body).toMatchObject({ deviceImei: null, hasDevice: false, name: 'Truck 7b' })
      expect((await call('PUT', `/api/vehicles/${van.id}`, { deviceImei: '356307042449991' })).body).toMatchObject({ id: van.id, deviceImei: '356307042449991' })
    })

    it('shows a new assignment or name in the device list and on the live map at once', async () => {
      const imei = '356307042449992'
      await registerDevice(imei)
      const live: Socket<ServerToClientEvents> = io(system.baseUrl, { transports: ['websocket'], extraHeaders: { cookie } })
      await new Promise<void>((resolve, reject) => live.once('connect', resolve).once('connect_error', reject))
      const seen: DeviceSummary[] = []
      live.on('vehicle', (device) => device.imei === imei && seen.push(device))
      try {
        const vehicle = (await call('POST', '/api/vehicles', { name: 'Pickup 1', deviceImei: imei })).body as Vehicle
        const listed = ((await call('GET', '/api/devices')).body as DeviceSummary[]).find((device) => device.imei === imei)
        expect(listed).toMatchObject({ vehicleId: vehicle.id, name: 'Pickup 1' })
        await expect.poll(() => seen.at(-1), { timeout: 2000 }).toMatchObject({ vehicleId: vehicle.id, name: 'Pickup 1' })
        await call('PUT', `/api/vehicles/${vehicle.id}`, { name: 'Pickup 2' })
        await expect.poll(() => seen.at(-1), { timeout: 2000 }).toMatchObject({ vehicleId: vehicle.id, name: 'Pickup 2' })
        await call('DELETE', `/api/vehicles/${vehicle.id}`)
        await expect.poll(() => seen.at(-1), { timeout: 2000 }).toMatchObject({ vehicleId: null, name: imei })
      } finally {
        live.close()
      }
    })

    it('sets the current mileage and engine hours, stamped with when they were set', async () => {
      const vehicle = (await call('POST', '/api/vehicles', { name: 'Counter van' })).body as Vehicle
      const before = Date.now()
      const set = await call('PUT', `/api/vehicles/${vehicle.id}/counters`, { odometerKm: 123456.7, engineHoursH: 4321.5 })
      expect(set).toMatchObject({ status: 200, body: { id: vehicle.id, odometerKm: 123456.7, engineHoursH: 4321.5 } })
      expect(Date.parse((set.body as Vehicle).countersSetAt!)).toBeGreaterThanOrEqual(before - 1000)
      expect(((await call('GET', '/api/vehicles')).body as Vehicle[]).find((v) => v.id === vehicle.id)).toMatchObject({ odometerKm: 123456.7, engineHoursH: 4321.5 })
      await expectError('PUT', `/api/vehicles/${vehicle.id}/counters`, { odometerKm: -1, engineHoursH: 0 }, 400, 'BAD_REQUEST')
      await expectError('PUT', `/api/vehicles/${vehicle.id}/counters`, { odometerKm: 10 }, 400, 'BAD_REQUEST')
      await expectError('PUT', `/api/vehicles/${vehicle.id}/counters`, { odometerKm: '10', engineHoursH: 1 }, 400, 'BAD_REQUEST')
      await expectError('PUT', '/api/vehicles/999999/counters', { odometerKm: 1, engineHoursH: 1 }, 404, 'VEHICLE_NOT_FOUND')
    })

    it('shows the mileage and engine hours growing from the set values, and keeps them when the tracker is swapped', async () => {
      const [first, second] = ['356307042449993', '356307042449994']
      await registerDevice(first)
      await registerDevice(second)
      const vehicle = (await call('POST', '/api/vehicles', { name: 'Swapped van', deviceImei: first })).body as Vehicle
      expect(vehicle).toMatchObject({ odometerKm: 0, engineHoursH: 0, countersSetAt: expect.any(String) })
      await call('PUT', `/api/vehicles/${vehicle.id}/counters`, { odometerKm: 1000, engineHoursH: 100 })
      // Two fixes a minute apart, 0.01 degree (1.112 km) north, ignition on, after the counters were set.
      const drive = async (imei: string, latitude: number) => {
        const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
        const start = Date.now() + 2000
        const fix = (timeMs: number, lat: number) => ({ timeMs, latitude: lat, longitude: 25.28, satellites: 9, speedKmh: 66, io: { 239: 1 } })
        expect(await device.send([fix(start, latitude), fix(start + 60_000, latitude + 0.01)])).toBe(2)
        device.close()
      }
      const current = async () => ((await call('GET', `/api/vehicles/${vehicle.id}`)).body as Vehicle)

      await drive(first, 54.6)
      expect((await current()).odometerKm).toBeCloseTo(1001.112, 2)
      expect((await current()).engineHoursH).toBeCloseTo(100 + 1 / 60, 4)

      const swapped = await call('PUT', `/api/vehicles/${vehicle.id}`, { deviceImei: second })
      expect((swapped.body as Vehicle).odometerKm).toBeCloseTo(1001.112, 2)
      await drive(second, 54.7)
      expect((await current()).odometerKm).toBeCloseTo(1002.224, 2)
      expect((await current()).engineHoursH).toBeCloseTo(100 + 2 / 60, 4)

      const unassigned = (await call('PUT', `/api/vehicles/${vehicle.id}`, { deviceImei: null })).body as Vehicle
      expect(unassigned).toMatchObject({ hasDevice: false })
      expect(unassigned.odometerKm).toBeCloseTo(1002.224, 2)
      expect((await current()).odometerKm).toBeCloseTo(1002.224, 2)
    })

    it('rejects bad input with 400 and unknown vehicles with 404, and deletes with 204', async () => {
      expect(await expectError('POST', '/api/vehicles', { name: '' }, 400, 'BAD_REQUEST')).toMatch(/name: a vehicle needs a name/)
      await expectError('POST', '/api/vehicles', { name: 'x'.repeat(101) }, 400, 'BAD_REQUEST')
      expect(await expectError('POST', '/api/vehicles', { name: 'Van\nBcc: x@example.com' }, 400, 'BAD_REQUEST')).toMatch(/one line/)
      await expectError('POST', '/api/vehicles', { name: 'Van', imei: '123' }, 400, 'BAD_REQUEST')
      await expectError('POST', '/api/vehicles', { name: 'Van', deviceImei: 'not an id' }, 400, 'BAD_REQUEST')
      await expectError('POST', '/api/vehicles', undefined, 400, 'BAD_REQUEST')
      await expectError('POST', '/api/vehicles', [], 400, 'BAD_REQUEST')
      const vehicle = (await call('POST', '/api/vehicles', { name: 'Short-lived' })).body as Vehicle
      await expectError('PUT', `/api/vehicles/${vehicle.id}`, {}, 400, 'BAD_REQUEST')
      await expectError('PUT', '/api/vehicles/abc', { name: 'x' }, 400, 'BAD_REQUEST')
      await expectError('PUT', '/api/vehicles/999999', { name: 'x' }, 404, 'VEHICLE_NOT_FOUND')
      expect(await call('DELETE', `/api/vehicles/${vehicle.id}`)).toEqual({ status: 204, body: undefined })
      await expectError('DELETE', `/api/vehicles/${vehicle.id}`, undefined, 404, 'VEHICLE_NOT_FOUND')
      await expectError('GET', `/api/vehicles/${vehicle.id}`, undefined, 404, 'VEHICLE_NOT_FOUND')
      const wrongType = await fetch(`${system.baseUrl}/api/vehicles`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: 'name=Van' })
      expect(wrongType.status).toBe(415)
    })
  })

  describe('customers and service locations', () => {
    it('creates customers and their named service locations, and lists them', async () => {
      const customer = await call('POST', '/api/customers', { name: 'Acme Plumbing' })
      expect(customer).toEqual({ status: 201, body: { id: expect.any(Number), name: 'Acme Plumbing', createdAt: expect.any(String) } })
      const id = (customer.body as Customer).id
      expect((await call('GET', '/api/customers')).body).toContainEqual(customer.body)
      const location = await call('POST', `/api/customers/${id}/locations`, { name: 'Main depot', address: '12 Main St', latitude: 54.6872, longitude: 25.2797 })
      expect(location).toEqual({
        status: 201,
        body: { id: expect.any(Number), customerId: id, name: 'Main depot', address: '12 Main St', latitude: 54.6872, longitude: 25.2797 },
      })
      expect((await call('GET', `/api/customers/${id}/locations`)).body).toEqual([location.body])
      expect((await call('GET', `/api/customers/${id}`)).body).toEqual({ ...(customer.body as Customer), locations: [location.body as ServiceLocation] } satisfies CustomerDetail)
    })

    it('checks names and coordinate ranges (400) and answers 404 for an unknown customer', async () => {
      await expectError('POST', '/api/customers', { name: ' ' }, 400, 'BAD_REQUEST')
      const { id } = (await call('POST', '/api/customers', { name: 'Beta Heating' })).body as Customer
      const at = { name: 'Yard', address: '', latitude: 54.7, longitude: 25.3 }
      expect(await expectError('POST', `/api/customers/${id}/locations`, { ...at, latitude: 90.5 }, 400, 'BAD_REQUEST')).toMatch(/latitude is between -90 and 90/)
      expect(await expectError('POST', `/api/customers/${id}/locations`, { ...at, longitude: -180.1 }, 400, 'BAD_REQUEST')).toMatch(/longitude/)
      expect(await expectError('POST', `/api/customers/${id}/locations`, { ...at, name: '' }, 400, 'BAD_REQUEST')).toMatch(/needs a name/)
      await expectError('POST', `/api/customers/${id}/locations`, { name: 'Yard' }, 400, 'BAD_REQUEST')
      await expectError('POST', '/api/customers/999999/locations', at, 404, 'CUSTOMER_NOT_FOUND')
      await expectError('GET', '/api/customers/999999', undefined, 404, 'CUSTOMER_NOT_FOUND')
      await expectError('GET', '/api/customers/999999/locations', undefined, 404, 'CUSTOMER_NOT_FOUND')
      await expectError('GET', '/api/customers/0', undefined, 400, 'BAD_REQUEST')
    })
  })

  describe('settings', () => {
    it('has a Customer Radius of 0.05 mi by default and takes 0 < r <= 50', async () => {
      expect(await call('GET', '/api/settings')).toEqual({ status: 200, body: { customerRadiusMi: 0.05 } })
      expect(await call('PUT', '/api/settings', { customerRadiusMi: 0.25 })).toEqual({ status: 200, body: { customerRadiusMi: 0.25 } satisfies Settings })
      expect((await call('GET', '/api/settings')).body).toEqual({ customerRadiusMi: 0.25 })
      for (const bad of [0, -1, 50.01, '1', null]) await expectError('PUT', '/api/settings', { customerRadiusMi: bad }, 400, 'BAD_REQUEST')
      expect(await call('PUT', '/api/settings', { customerRadiusMi: 50 })).toMatchObject({ status: 200 })
      expect(await call('PUT', '/api/settings', { customerRadiusMi: 0.05 })).toMatchObject({ status: 200 })
    })
  })

  describe('alert rules', () => {
    let vanId: number
    let truckId: number

    beforeAll(async () => {
      vanId = ((await call('POST', '/api/vehicles', { name: 'Rule van' })).body as Vehicle).id
      truckId = ((await call('POST', '/api/vehicles', { name: 'Rule truck' })).body as Vehicle).id
    })

    it('creates a rule with its vehicles and targets, tidying emails and phone numbers', async () => {
      const created = await call('POST', '/api/alert-rules', {
        description: 'Unplugged trackers', type: 'powerDisconnect', vehicleIds: [vanId, truckId, vanId],
        emails: [' Ops@Example.com ', 'ops@example.com'], phones: ['+1 (555) 123-4567'], userIds: [me.id],
      })
      expect(created).toEqual({
        status: 201,
        body: {
          id: expect.any(Number), description: 'Unplugged trackers', type: 'powerDisconnect', vehicleIds: [vanId, truckId].sort((a, b) => a - b),
          thresholdG: null, emails: ['ops@example.com'], phones: ['+15551234567'], userIds: [me.id], createdAt: expect.any(String),
        } satisfies AlertRule,
      })
      const rule = created.body as AlertRule
      expect((await call('GET', '/api/alert-rules')).body).toContainEqual(rule)
      expect(await call('GET', `/api/alert-rules/${rule.id}`)).toEqual({ status: 200, body: rule })
    })

    it('takes a force threshold on harsh-driving rules only (422 otherwise)', async () => {
      const harsh = await call('POST', '/api/alert-rules', { description: 'Hard stops', type: 'harshBraking', vehicleIds: [vanId], thresholdG: 0.45 })
      expect(harsh).toMatchObject({ status: 201, body: { thresholdG: 0.45, emails: [], phones: [], userIds: [] } })
      const message = await expectError('POST', '/api/alert-rules', { description: 'x', type: 'noUpdate', vehicleIds: [], thresholdG: 0.5 }, 422, 'THRESHOLD_NOT_APPLICABLE')
      expect(message).toMatch(/thresholdG applies only to harshBraking, harshCornering, harshAcceleration rules/)
      const id = (harsh.body as AlertRule).id
      expect((await call('PUT', `/api/alert-rules/${id}`, { thresholdG: 0.6 })).body).toMatchObject({ thresholdG: 0.6, description: 'Hard stops', vehicleIds: [vanId] })
      expect((await call('PUT', `/api/alert-rules/${id}`, { thresholdG: null })).body).toMatchObject({ thresholdG: null })
      await call('PUT', `/api/alert-rules/${id}`, { thresholdG: 0.6 })
      // Changing the type to one without a threshold drops the threshold.
      expect((await call('PUT', `/api/alert-rules/${id}`, { type: 'powerDisconnect' })).body).toMatchObject({ type: 'powerDisconnect', thresholdG: null })
      await expectError('PUT', `/api/alert-rules/${id}`, { thresholdG: 0.5 }, 422, 'THRESHOLD_NOT_APPLICABLE')
    })

    it('replaces the vehicles of a rule on PUT and keeps the fields left out', async () => {
      const rule = (await call('POST', '/api/alert-rules', { description: 'Silent', type: 'noUpdate', vehicleIds: [vanId], emails: ['a@example.com'] })).body as AlertRule
      const changed = await call('PUT', `/api/alert-rules/${rule.id}`, { vehicleIds: [truckId], description: 'Silent trucks' })
      expect(changed).toEqual({ status: 200, body: { ...rule, vehicleIds: [truckId], description: 'Silent trucks' } })
      expect(await call('DELETE', `/api/alert-rules/${rule.id}`)).toEqual({ status: 204, body: undefined })
      await expectError('GET', `/api/alert-rules/${rule.id}`, undefined, 404, 'RULE_NOT_FOUND')
      await expectError('PUT', `/api/alert-rules/${rule.id}`, { description: 'x' }, 404, 'RULE_NOT_FOUND')
      await expectError('DELETE', `/api/alert-rules/${rule.id}`, undefined, 404, 'RULE_NOT_FOUND')
    })

    it('drops a deleted vehicle from its rules', async () => {
      const gone = ((await call('POST', '/api/vehicles', { name: 'Soon gone' })).body as Vehicle).id
      const rule = (await call('POST', '/api/alert-rules', { description: 'Both', type: 'noUpdate', vehicleIds: [vanId, gone] })).body as AlertRule
      await call('DELETE', `/api/vehicles/${gone}`)
      expect((await call('GET', `/api/alert-rules/${rule.id}`)).body).toMatchObject({ vehicleIds: [vanId] })
    })

    it('answers 400 for malformed rules and 422 for vehicles or users that do not exist', async () => {
      const valid = { description: 'Rule', type: 'powerDisconnect', vehicleIds: [vanId] }
      expect(await expectError('POST', '/api/alert-rules', { ...valid, type: 'speeding' }, 400, 'BAD_REQUEST')).toMatch(/type is one of powerDisconnect, harshBraking/)
      expect(await expectError('POST', '/api/alert-rules', { ...valid, description: '' }, 400, 'BAD_REQUEST')).toMatch(/description/)
      await expectError('POST', '/api/alert-rules', { ...valid, description: 'a\rb' }, 400, 'BAD_REQUEST')
      expect(await expectError('POST', '/api/alert-rules', { ...valid, emails: ['not-an-email'] }, 400, 'BAD_REQUEST')).toMatch(/emails.0: not an email address/)
      expect(await expectError('POST', '/api/alert-rules', { ...valid, phones: ['5551234567'] }, 400, 'BAD_REQUEST')).toMatch(/phones.0: a phone number is \+ and the country code/)
      await expectError('POST', '/api/alert-rules', { ...valid, phones: ['+0123456789'] }, 400, 'BAD_REQUEST')
      await expectError('POST', '/api/alert-rules', { ...valid, vehicleIds: ['1'] }, 400, 'BAD_REQUEST')
      await expectError('POST', '/api/alert-rules', { ...valid, vehicleIds: undefined }, 400, 'BAD_REQUEST')
      await expectError('POST', '/api/alert-rules', { ...valid, thresholdG: 0 }, 400, 'BAD_REQUEST')
      await expectError('POST', '/api/alert-rules', { ...valid, extra: true }, 400, 'BAD_REQUEST')
      expect(await expectError('POST', '/api/alert-rules', { ...valid, vehicleIds: [vanId, 999998, 999999] }, 422, 'UNKNOWN_VEHICLE')).toBe('No vehicle with id 999998, 999999')
      expect(await expectError('POST', '/api/alert-rules', { ...valid, userIds: [424242] }, 422, 'UNKNOWN_USER')).toBe('No user with id 424242')
      await expectError('PUT', '/api/alert-rules/nope', { description: 'x' }, 400, 'BAD_REQUEST')
    })
  })

  describe('alerts', () => {
    it('lists alerts newest first and checks the filters', async () => {
      expect(await call('GET', '/api/alerts')).toMatchObject({ status: 200, body: expect.any(Array) })
      expect(await call('GET', '/api/alerts?from=2026-01-01&to=2026-01-02T00:00:00Z&type=powerDisconnect&vehicleId=1&limit=5')).toEqual({ status: 200, body: [] })
      expect(await expectError('GET', '/api/alerts?type=speeding', undefined, 400, 'BAD_REQUEST')).toMatch(/type is one of/)
      expect(await expectError('GET', '/api/alerts?from=2026-02-01&to=2026-01-01', undefined, 400, 'BAD_REQUEST')).toMatch(/`from` must not be after `to`/)
      await expectError('GET', '/api/alerts?from=yesterday', undefined, 400, 'BAD_REQUEST')
      await expectError('GET', '/api/alerts?limit=0', undefined, 400, 'BAD_REQUEST')
      await expectError('GET', '/api/alerts?limit=1001', undefined, 400, 'BAD_REQUEST')
      await expectError('GET', '/api/alerts?vehicleId=x', undefined, 400, 'BAD_REQUEST')
      await expectError('GET', '/api/alerts?imei=not%20an%20id', undefined, 400, 'BAD_REQUEST')
      await expectError('GET', '/api/alerts?device=1', undefined, 400, 'BAD_REQUEST')
      await expectError('GET', '/api/alerts?before=0', undefined, 400, 'BAD_REQUEST')
      expect(await expectError('GET', '/api/alerts?before=999999', undefined, 400, 'BAD_REQUEST')).toMatch(/before: no alert with id 999999/)
    })

    it('answers 404 when acknowledging an alert that does not exist, 400 for a bad id', async () => {
      await expectError('POST', '/api/alerts/999999/acknowledge', undefined, 404, 'ALERT_NOT_FOUND')
      await expectError('POST', '/api/alerts/abc/acknowledge', undefined, 400, 'BAD_REQUEST')
    })

    it('reports the notification channels, off when their URLs are not set', async () => {
      expect(await call('GET', '/api/notifications/stats')).toMatchObject({ status: 200, body: { email: { enabled: false }, sms: { enabled: false } } })
    })
  })

  it('asks for a login on every new route', async () => {
    for (const path of ['/api/vehicles', '/api/customers', '/api/settings', '/api/alert-rules', '/api/alerts', '/api/notifications/stats']) {
      const response = await fetch(`${system.baseUrl}${path}`)
      expect(response.status, path).toBe(401)
    }
    const anonymousAck = await fetch(`${system.baseUrl}/api/alerts/1/acknowledge`, { method: 'POST' })
    expect(anonymousAck.status).toBe(401)
  })
})
