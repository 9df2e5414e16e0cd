import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, DeviceSummary, Me, Packet, User, Vehicle, VehicleGroup, WatchResult } from '../dashboard/shared/contract.ts'
import { apiClient, connectLive, type ApiCall, type LiveClient } from './helpers/api-client.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

/** What every client heard over its socket. */
class Heard {
  readonly vehicles: DeviceSummary[] = []
  readonly alerts: Alert[] = []
  readonly packets: Packet[] = []

  constructor(readonly socket: LiveClient) {
    socket.on('vehicle', (device) => this.vehicles.push(device))
    socket.on('alert', (alert) => this.alerts.push(alert))
    socket.on('packet', (packet) => this.packets.push(packet))
  }

  imeis = () => new Set(this.vehicles.map((device) => device.imei))
  watch = (imei: string) => new Promise<WatchResult>((resolve) => this.socket.emit('watch', { imei }, resolve))
}

const IMEI = { visible: '356307042490001', hidden: '356307042490002', unassigned: '356307042490003' }
const fix = (timeMs: number, latitude: number, io: Record<number, number> = { 239: 1 }) => ({ timeMs, latitude, longitude: 25.28, satellites: 9, speedKmh: 30, io })

/**
 * A restricted user sees only the vehicles chosen for them (directly or through a group): in the API,
 * and over the socket, where the server must never send them a hidden vehicle, its alerts or its packets.
 */
describe('vehicle visibility: API and socket', () => {
  let system: RunningSystem
  let admin: ApiCall
  let restricted: ApiCall
  let restrictedUser: User
  let restrictedCookie: string
  let adminCookie: string
  let visibleVan: Vehicle
  let hiddenTruck: Vehicle
  let directCar: Vehicle
  let group: VehicleGroup
  const devices: Record<keyof typeof IMEI, TeltonikaTestDevice | undefined> = { visible: undefined, hidden: undefined, unassigned: undefined }
  const sockets: LiveClient[] = []

  beforeAll(async () => {
    system = await startSystem()
    adminCookie = await login(system.baseUrl)
    admin = apiClient(system.baseUrl, adminCookie)
    for (const imei of Object.values(IMEI)) expect((await admin('POST', '/api/devices', { imei, protocol: 'teltonika' })).status).toBe(201)
    visibleVan = (await admin<Vehicle>('POST', '/api/vehicles', { name: 'Visible van', deviceImei: IMEI.visible })).body
    hiddenTruck = (await admin<Vehicle>('POST', '/api/vehicles', { name: 'Hidden truck', deviceImei: IMEI.hidden })).body
    directCar = (await admin<Vehicle>('POST', '/api/vehicles', { name: 'Direct car' })).body
    group = (await admin<VehicleGroup>('POST', '/api/vehicle-groups', { name: 'North', vehicleIds: [visibleVan.id] })).body
    const credentials = { email: 'north.dispatch@example.com', password: 'north-password' }
    const created = await admin<User>('POST', '/api/users', {
      name: 'North dispatcher', ...credentials, permissions: { map: 'edit' },
      visibility: { kind: 'selected', vehicleIds: [directCar.id], groupIds: [group.id] },
    })
    expect(created.status).toBe(201)
    restrictedUser = created.body
    restrictedCookie = await login(system.baseUrl, credentials)
    restricted = apiClient(system.baseUrl, restrictedCookie)
    // Rules for both vehicles: one naming nobody (everyone who sees the vehicle), one naming the restricted user.
    for (const userIds of [[], [restrictedUser.id]]) {
      const rule = await admin('POST', '/api/alert-rules', { description: 'Cuts', type: 'powerDisconnect', vehicleIds: [visibleVan.id, hiddenTruck.id], userIds })
      expect(rule.status).toBe(201)
    }
    for (const key of Object.keys(IMEI) as (keyof typeof IMEI)[]) devices[key] = await TeltonikaTestDevice.connect(system.ports.teltonika!, IMEI[key])
  }, 120_000)

  afterAll(async () => {
    for (const socket of sockets) socket.close()
    for (const device of Object.values(devices)) device?.close()
    await system?.stop()
  })

  const live = async (cookie: string) => {
    const socket = await connectLive(system.baseUrl, cookie)
    sockets.push(socket)
    return new Heard(socket)
  }
  const report = async (key: keyof typeof IMEI, latitude: number, io?: Record<number, number>) =>
    expect(await devices[key]!.send([fix(Date.now() - (Date.now() % 1000), latitude, io)])).toBe(1)
  /**
   * A barrier for asserting that something never reached a socket: the visible van reports at `latitude` and
   * `heard` receives it. The server handles reports in order and socket.io delivers in order per socket, so
   * whatever was sent for an earlier report has arrived by then.
   */
  const visibleReportHeard = async (heard: Heard, latitude: number, io?: Record<number, number>) => {
    await report('visible', latitude, io)
    await expect.poll(() => heard.vehicles.some((device) => device.imei === IMEI.visible && device.position?.latitude === latitude), { timeout: 5000 }).toBe(true)
  }
  /** A round trip on the socket: whatever the server sent it before answering has arrived. */
  const roundTrip = (heard: Heard) => heard.watch('356307042499999')

  it('tells the web app the user\'s visibility', async () => {
    expect((await restricted<Me>('GET', '/api/me')).body.visibility).toEqual({ kind: 'selected', vehicleIds: [directCar.id], groupIds: [group.id] })
  })

  it('lists only the visible vehicles and their devices; unassigned devices only for users who see every vehicle', async () => {
    expect((await restricted<DeviceSummary[]>('GET', '/api/devices')).body.map((device) => device.imei)).toEqual([IMEI.visible])
    expect((await admin<DeviceSummary[]>('GET', '/api/devices')).body.map((device) => device.imei)).toEqual(expect.arrayContaining(Object.values(IMEI)))
    expect((await restricted<Vehicle[]>('GET', '/api/vehicles')).body.map((vehicle) => vehicle.name).sort()).toEqual(['Direct car', 'Visible van'])
    expect((await restricted('GET', `/api/vehicles/${visibleVan.id}`)).status).toBe(200)
    expect(await restricted('GET', `/api/vehicles/${hiddenTruck.id}`)).toEqual({
      status: 404, body: { error: { code: 'VEHICLE_NOT_FOUND', message: `No vehicle with id ${hiddenTruck.id}` } },
    })
  })

  it('answers 404 for a hidden device\'s positions and packets, as for one that does not exist', async () => {
    for (const path of ['positions', 'packets']) {
      const hidden = await restricted('GET', `/api/devices/${IMEI.hidden}/${path}`)
      const unknown = await restricted('GET', `/api/devices/356307042499999/${path}`)
      expect(hidden).toEqual({ status: 404, body: { error: { code: 'DEVICE_NOT_FOUND', message: `No device ${IMEI.hidden}` } } })
      expect(unknown).toEqual({ status: 404, body: { error: { code: 'DEVICE_NOT_FOUND', message: 'No device 356307042499999' } } })
      expect((await restricted('GET', `/api/devices/${IMEI.unassigned}/${path}`)).status).toBe(404)
      expect((await restricted('GET', `/api/devices/${IMEI.visible}/${path}`)).status).toBe(200)
      expect((await admin('GET', `/api/devices/${IMEI.hidden}/${path}`)).status).toBe(200)
    }
  })

  it('never sends a restricted socket a hidden vehicle or its alerts, while the admin\'s socket gets them all', async () => {
    const [everything, north, blind] = [await live(adminCookie), await live(restrictedCookie), await live(await mapless())]
    await report('visible', 54.60)
    await report('hidden', 54.70)
    await report('unassigned', 54.80)
    await expect.poll(() => everything.imeis(), { timeout: 5000 }).toEqual(new Set(Object.values(IMEI)))
    await expect.poll(() => north.imeis(), { timeout: 5000 }).toEqual(new Set([IMEI.visible]))

    // Power cuts on both vehicles: both rules match both; the restricted user is named by one, but may not see the truck.
    await report('visible', 54.61, { 239: 1, 252: 1 })
    await report('hidden', 54.71, { 239: 1, 252: 1 })
    await expect.poll(() => everything.alerts.map((alert) => alert.vehicleId).sort(), { timeout: 10_000 }).toEqual([visibleVan.id, hiddenTruck.id].sort())
    await expect.poll(() => north.alerts.map((alert) => alert.vehicleId), { timeout: 5000 }).toEqual([visibleVan.id])

    // Anything misrouted would have arrived before these: check nothing hidden ever did.
    await visibleReportHeard(north, 54.611, { 239: 1, 252: 1 })
    await roundTrip(blind)
    expect(north.imeis()).toEqual(new Set([IMEI.visible]))
    expect(north.vehicles.every((device) => device.vehicleId === visibleVan.id)).toBe(true)
    expect(north.alerts.map((alert) => alert.imei)).toEqual([IMEI.visible])
    expect(blind.vehicles).toEqual([])
    expect(blind.alerts).toEqual([])

    // The API agrees: alerts of visible vehicles only; acknowledging a hidden one is as if it did not exist.
    const listed = (await restricted<Alert[]>('GET', '/api/alerts')).body
    expect(listed.map((alert) => alert.imei)).toEqual([IMEI.visible])
    const hiddenAlert = everything.alerts.find((alert) => alert.vehicleId === hiddenTruck.id)!
    expect(await restricted('POST', `/api/alerts/${hiddenAlert.id}/acknowledge`)).toMatchObject({ status: 404, body: { error: { code: 'ALERT_NOT_FOUND' } } })
    expect(await restricted('POST', `/api/alerts/${listed[0]!.id}/acknowledge`)).toMatchObject({ status: 200, body: { acknowledgedAt: expect.any(String) } })
  }, 30_000)

  it('moves sockets between rooms as soon as the user\'s vehicles change, without reconnecting', async () => {
    const north = await live(restrictedCookie)
    // The truck joins the user's group: its updates reach the socket at once.
    expect((await admin('PUT', `/api/vehicle-groups/${group.id}`, { vehicleIds: [visibleVan.id, hiddenTruck.id] })).status).toBe(200)
    await report('hidden', 54.72)
    await expect.poll(() => north.imeis().has(IMEI.hidden), { timeout: 5000 }).toBe(true)
    expect((await restricted<DeviceSummary[]>('GET', '/api/devices')).body.map((device) => device.imei).sort()).toEqual([IMEI.visible, IMEI.hidden].sort())

    // Narrowed to the car alone: neither device reaches the socket any more.
    expect((await admin('PUT', `/api/users/${restrictedUser.id}`, { visibility: { kind: 'selected', vehicleIds: [directCar.id] } })).status).toBe(200)
    const before = north.vehicles.length
    await report('hidden', 54.73)
    await report('visible', 54.62)
    // The admin's socket sees both reports; the restricted one, asked after, has had anything sent before.
    const everything = await live(adminCookie)
    await report('visible', 54.621)
    await expect.poll(() => everything.vehicles.some((device) => device.position?.latitude === 54.621), { timeout: 5000 }).toBe(true)
    await roundTrip(north)
    expect(north.vehicles.length).toBe(before)
    expect((await restricted<DeviceSummary[]>('GET', '/api/devices')).body).toEqual([])

    // Back to the group, restored to the van alone.
    await admin('PUT', `/api/vehicle-groups/${group.id}`, { vehicleIds: [visibleVan.id] })
    await admin('PUT', `/api/users/${restrictedUser.id}`, { visibility: { kind: 'selected', vehicleIds: [directCar.id], groupIds: [group.id] } })
    await report('visible', 54.63)
    await expect.poll(() => north.vehicles.length, { timeout: 5000 }).toBeGreaterThan(before)
    expect(north.vehicles.at(-1)?.imei).toBe(IMEI.visible)
  }, 30_000)

  it('streams a watched device\'s packets to sockets that may see it, and refuses to watch a hidden one', async () => {
    const [everything, north] = [await live(adminCookie), await live(restrictedCookie)]
    expect(await north.watch(IMEI.hidden)).toEqual({ error: { code: 'DEVICE_NOT_FOUND', message: `No device ${IMEI.hidden}` } })
    expect(await north.watch('not an imei')).toMatchObject({ error: { code: 'BAD_REQUEST' } })
    expect(await north.watch(IMEI.visible)).toEqual({ ok: true })
    expect(await everything.watch(IMEI.visible)).toEqual({ ok: true })
    expect(await everything.watch(IMEI.hidden)).toEqual({ ok: true })

    await report('visible', 54.64)
    await report('hidden', 54.74)
    await expect.poll(() => everything.packets.map((packet) => packet.imei).sort(), { timeout: 5000 }).toEqual([IMEI.visible, IMEI.hidden].sort())
    await expect.poll(() => north.packets.length, { timeout: 5000 }).toBe(1)
    await roundTrip(north)
    expect(north.packets.map((packet) => packet.imei)).toEqual([IMEI.visible])

    const [packet] = north.packets
    expect(packet).toEqual({
      imei: IMEI.visible, protocol: 'teltonika', transport: 'tcp', time: expect.any(String), kind: { type: '0x08', label: 'Codec 8' },
      raw: { hex: expect.stringMatching(/^00000000[0-9a-f]+$/) }, replyHex: '00000001',
      records: [expect.objectContaining({ imei: IMEI.visible, protocol: 'teltonika', latitude: 54.64, longitude: 25.28, satellites: 9, io: expect.any(Object) })],
    } satisfies Packet)

    // The same over HTTP, newest first; `limit` bounds it.
    await report('visible', 54.65)
    await expect.poll(() => north.packets.length, { timeout: 5000 }).toBe(2)
    const recent = (await restricted<Packet[]>('GET', `/api/devices/${IMEI.visible}/packets?limit=2`)).body
    expect(recent.map((entry) => entry.records[0]?.latitude)).toEqual([54.65, 54.64])
    expect(recent[1]).toEqual(packet)
    expect((await restricted<Packet[]>('GET', `/api/devices/${IMEI.visible}/packets?limit=1`)).body).toHaveLength(1)
    expect((await restricted('GET', `/api/devices/${IMEI.visible}/packets?limit=0`)).status).toBe(400)

    // Unwatching stops the stream.
    await new Promise<WatchResult>((resolve) => north.socket.emit('unwatch', { imei: IMEI.visible }, resolve))
    await report('visible', 54.66)
    // The admin's socket, still watching, hears the report: the packet was streamed; the restricted one then
    // answers a round trip without it.
    await expect.poll(() => everything.packets.filter((entry) => entry.imei === IMEI.visible).length, { timeout: 5000 }).toBe(3)
    await roundTrip(north)
    expect(north.packets).toHaveLength(2)
  }, 30_000)

  it('stops streaming packets when the device moves to a vehicle the watcher does not see', async () => {
    const north = await live(restrictedCookie)
    expect(await north.watch(IMEI.visible)).toEqual({ ok: true })
    await report('visible', 54.67)
    await expect.poll(() => north.packets.length, { timeout: 5000 }).toBe(1)
    // The van's tracker goes into the hidden truck's sister vehicle.
    await admin('PUT', `/api/vehicles/${visibleVan.id}`, { deviceImei: null })
    await admin('POST', '/api/vehicles', { name: 'Hidden trailer', deviceImei: IMEI.visible })
    const everything = await live(adminCookie)
    expect(await everything.watch(IMEI.visible)).toEqual({ ok: true })
    await report('visible', 54.68)
    // Streamed to the admin, who sees the trailer: the restricted socket, asked after, has had anything sent before.
    await expect.poll(() => everything.packets.length, { timeout: 5000 }).toBe(1)
    await roundTrip(north)
    expect(north.packets).toHaveLength(1)
    expect(north.vehicles.filter((device) => device.vehicleId !== null && device.vehicleId !== visibleVan.id)).toEqual([])
  }, 30_000)

  /** A user with no Map access: their socket gets nothing. */
  async function mapless(): Promise<string> {
    const credentials = { email: 'billing@example.com', password: 'billing-password' }
    expect((await admin('POST', '/api/users', { name: 'Billing', ...credentials, permissions: { invoices: 'edit' } })).status).toBe(201)
    return login(system.baseUrl, credentials)
  }
})
