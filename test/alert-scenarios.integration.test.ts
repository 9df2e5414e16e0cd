/**
 * Scenario tests that drive the real system (`main.ts` in its own
 * process) with simulated devices of every protocol, and hand-driven Teltonika devices where a scenario
 * needs exact records, and assert the alerts, statuses and counters the API then reports.
 *
 * Two systems: one with BUFFERED_LAG = 1 h, so that hand-driven fixes timed minutes in the past are
 * still live; one with NO_UPDATE_AFTER = 3 s (the no-update clock) for the no-update scenario. The
 * scenarios use their own IMEIs and run concurrently.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { distanceM, type LatLon } from '../core/geo.ts'
import type { Alert, AlertType, DeviceSummary, Vehicle } from '../dashboard/shared/contract.ts'
import { readAvlData } from '../gateway/protocols/teltonika/avl-data.ts'
import type { TeltonikaRecordInput } from '../gateway/protocols/teltonika/encode.ts'
import type { Protocol } from '../core/record.ts'
import { deviceImei, runSimulation, type SimulationEvent, type SimulationSummary } from '../simulator/run.ts'
import { startAckDroppingProxy } from './helpers/ack-dropping-proxy.ts'
import { eventually } from './helpers/eventually.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

/** Teltonika IO ids the hand-driven devices report. */
const IGNITION = 239
const MOVEMENT = 240
const EXTERNAL_MV = 66
const BATTERY_MV = 67
const UNPLUG = 252
const GREEN_DRIVING = 253
const ODOMETER_M = 16

/** The no-update sweep runs every min(60 s, NO_UPDATE_AFTER / 10): ten sweeps per threshold here. */
const NO_UPDATE_AFTER_MS = 3000

const HOME = { latitude: 54.6872, longitude: 25.2797 }

class Api {
  constructor(
    readonly system: RunningSystem,
    private readonly cookie: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.system.baseUrl}${path}`, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
  }

  async get<T>(path: string): Promise<T> {
    const { status, body } = await this.call<T>('GET', path)
    if (status !== 200) throw new Error(`GET ${path}: ${status} ${JSON.stringify(body)}`)
    return body
  }

  /** The device's alerts (of one type or all), oldest first. */
  async alertsOf(imei: string, type?: AlertType): Promise<Alert[]> {
    const alerts = await this.get<Alert[]>(`/api/alerts?limit=1000${type ? `&type=${type}` : ''}`)
    return alerts.filter((alert) => alert.imei === imei).sort((a, b) => a.time.localeCompare(b.time) || a.id - b.id)
  }

  async device(imei: string): Promise<DeviceSummary> {
    const device = (await this.get<DeviceSummary[]>('/api/devices')).find((candidate) => candidate.imei === imei)
    if (!device) throw new Error(`device ${imei} not listed`)
    return device
  }

  async vehicle(id: number): Promise<Vehicle> {
    const vehicle = (await this.get<Vehicle[]>('/api/vehicles')).find((candidate) => candidate.id === id)
    if (!vehicle) throw new Error(`vehicle ${id} not listed`)
    return vehicle
  }
}

const iso = (ms: number) => new Date(ms).toISOString()

/** A Teltonika record at `timeMs`: a valid fix, ignition on and powered unless `io` says otherwise. */
function teltonika(timeMs: number, options: { at?: { latitude: number; longitude: number }; speedKmh?: number; course?: number; io?: Record<number, number>; eventIoId?: number } = {}): TeltonikaRecordInput {
  const speedKmh = options.speedKmh ?? 0
  return {
    timeMs,
    ...(options.at ?? HOME),
    altitude: 110,
    course: options.course ?? 0,
    satellites: 10,
    speedKmh,
    ...(options.eventIoId === undefined ? {} : { eventIoId: options.eventIoId, priority: 1 }),
    io: { [IGNITION]: 1, [MOVEMENT]: speedKmh > 0 ? 1 : 0, [EXTERNAL_MV]: 12_600, [BATTERY_MV]: 4_100, ...options.io },
  }
}

/** At the 1e-7 degree resolution of the Teltonika wire, so what is sent is what is stored. */
const e7 = (degrees: number) => Math.round(degrees * 1e7) / 1e7

/** `metres` north of a point (a degree of latitude is 111.2 km). */
const north = (from: { latitude: number; longitude: number }, metres: number) => ({ latitude: e7(from.latitude + metres / 111_195), longitude: from.longitude })

/** Does this device message carry a power cut? Per protocol, as the simulator sends it (one message per batch of one record). */
const CARRIES_CUT: Record<Protocol, (chunk: Buffer) => boolean> = {
  // A TCP AVL packet (4 zero bytes, data length, data, CRC) with a record whose io252 (unplug) is 1.
  teltonika: (chunk) => {
    if (chunk.length < 12 || chunk.readUInt32BE(0) !== 0) return false
    const avl = readAvlData(chunk.subarray(8, 8 + chunk.readUInt32BE(4)))
    return avl.kind === 'records' && avl.records.some((record) => record.io['252'] === 1)
  },
  // A 0x26 alarm packet: the only alarm this scenario sends is the cut.
  gt06: (chunk) => chunk[0] === 0x78 && chunk[1] === 0x78 && chunk[3] === 0x26,
  queclink: (chunk) => chunk.toString('latin1').includes('+RESP:GTMPF'),
  osmand: (chunk) => chunk.toString('latin1').includes('alarm=powerCut'),
}

const distanceKm = (a: LatLon, b: LatLon): number => distanceM(a, b) / 1000

async function withDevice<T>(api: Api, imei: string, use: (device: TeltonikaTestDevice) => Promise<T>): Promise<T> {
  const device = await TeltonikaTestDevice.connect(api.system.ports.teltonika!, imei)
  try {
    return await use(device)
  } finally {
    device.close()
  }
}

/** Sends each packet in order and checks the gateway ACKed all its records. */
async function sendAll(device: TeltonikaTestDevice, packets: TeltonikaRecordInput[][]): Promise<void> {
  for (const packet of packets) {
    const acked = await device.send(packet)
    if (acked !== packet.length) throw new Error(`gateway ACKed ${acked} of ${packet.length} records`)
  }
}

describe.concurrent('alert scenarios: simulated devices through the real gateway', () => {
  let api: Api
  let quiet: Api

  beforeAll(async () => {
    const [main, silent] = await Promise.all([
      startSystem({ env: { BUFFERED_LAG: String(60 * 60_000) } }),
      startSystem({ env: { NO_UPDATE_AFTER: String(NO_UPDATE_AFTER_MS) } }),
    ])
    api = new Api(main, await login(main.baseUrl))
    quiet = new Api(silent, await login(silent.baseUrl))
  }, 120_000)

  afterAll(async () => {
    await Promise.all([api?.system.stop(), quiet?.system.stop()])
  })

  async function simulate(protocol: Protocol, imeiBase: string, events: SimulationEvent[], options: { durationSec: number; coverageLoss?: { startSec: number; durationSec: number }; port?: number }): Promise<SimulationSummary> {
    const summary = await runSimulation({
      protocol, port: options.port ?? api.system.ports[protocol]!, devices: 2, durationSec: options.durationSec, rate: 1, seed: 4, imeiBase, events,
      ...(options.coverageLoss ? { coverageLoss: options.coverageLoss } : {}),
      ackTimeoutMs: 1000, backoffMinMs: 100, backoffMaxMs: 400, graceMs: 10_000,
    })
    if (summary.recordsNeverAcked !== 0) throw new Error(`${protocol}: ${summary.recordsNeverAcked} records never ACKed: ${JSON.stringify(summary.perDevice.map((d) => d.lastError))}`)
    return summary
  }

  describe('power disconnect', () => {
    const LIVE_CUTS: { protocol: Protocol; imeiBase: string; how: string; restores: boolean }[] = [
      { protocol: 'teltonika', imeiBase: '356307042500000', how: 'io252 = 1, restored by io252 = 0', restores: true },
      { protocol: 'gt06', imeiBase: '356307042501000', how: '0x26 alarm packet, power cut code', restores: false },
      { protocol: 'queclink', imeiBase: '356307042502000', how: 'GTMPF, restored by GTMPN', restores: true },
      { protocol: 'osmand', imeiBase: '356307042503000', how: 'alarm=powerCut', restores: false },
    ]

    it.for(LIVE_CUTS)(
      '$protocol ($how): one live alert per cut per device while it keeps reporting on battery and retries the cut',
      { timeout: 40_000 },
      async ({ protocol, imeiBase, restores }, { expect }) => {
        // The gateway's reply to each device's cut is lost: the device times out and sends the cut again.
        const proxy = await startAckDroppingProxy(api.system.ports[protocol]!, { to: CARRIES_CUT[protocol], times: 2 })
        let summary: SimulationSummary
        try {
          const events: SimulationEvent[] = [{ atSec: 2, type: 'powerCut' }, ...(restores ? [{ atSec: 5, type: 'powerRestored' as const }] : [])]
          summary = await simulate(protocol, imeiBase, events, { durationSec: 7, port: proxy.port })
        } finally {
          await proxy.close()
        }
        expect(proxy.deafened, 'each device\'s first sending of its cut lost its reply').toBe(2)
        for (const device of summary.perDevice) {
          expect(device.resent, `${device.imei} sent its cut again`).toBeGreaterThan(0)
          const cuts = device.ackedRecords.filter((record) => record.event === 'powerCut')
          expect(cuts, `${device.imei} reported one cut`).toHaveLength(1)
          const cut = cuts[0]!
          const after = device.ackedRecords.filter((record) => record.fixTime > cut.fixTime)
          expect(after.length, `${device.imei} kept reporting after the cut`).toBeGreaterThanOrEqual(3)
          const restore = device.ackedRecords.find((record) => record.event === 'powerRestored')
          expect(restore !== undefined).toBe(restores)

          const alerts = await api.alertsOf(device.imei, 'powerDisconnect')
          expect(alerts, `${protocol} ${device.imei}`).toHaveLength(1)
          expect(alerts[0]).toMatchObject({
            type: 'powerDisconnect', imei: device.imei, time: cut.fixTime, delayed: false, details: { source: 'deviceEvent' },
            clearedAt: restore ? restore.fixTime : null,
          })
          expect(alerts[0]!.latitude).toBeCloseTo(cut.latitude, 5)
          expect(alerts[0]!.longitude).toBeCloseTo(cut.longitude, 5)
          expect(alerts[0]!.details).not.toHaveProperty('probableDeviceReset')
        }
      },
    )

    it('Teltonika without a cut event: external voltage dropping from 12.6 V to near zero while on battery raises one alert per cut, retries included; voltage back clears it', async ({ expect }) => {
      const imei = deviceImei('356307042504000', 0)
      const t0 = Date.now() - 10 * 60_000
      const at = (s: number) => t0 + s * 1000
      const onBattery = (s: number, mv: number, battery = 4_000) => teltonika(at(s), { io: { [EXTERNAL_MV]: mv, [BATTERY_MV]: battery } })
      await withDevice(api, imei, async (device) => {
        await sendAll(device, [[teltonika(at(0))], [teltonika(at(10))]])
        const firstCut = [onBattery(20, 0)]
        await sendAll(device, [firstCut, firstCut]) // the device retries the packet (its ACK lost)
        await sendAll(device, [[onBattery(30, 0, 3_990)], [onBattery(40, 0, 3_980)], [teltonika(at(50), { io: { [EXTERNAL_MV]: 12_700 } })], [teltonika(at(60))]])
        const secondCut = [onBattery(70, 300)] // 0.3 V: near zero
        await sendAll(device, [secondCut, [onBattery(80, 0)], secondCut, [teltonika(at(90), { io: { [EXTERNAL_MV]: 12_500 } })], secondCut])
      })
      const alerts = await api.alertsOf(imei, 'powerDisconnect')
      expect(alerts).toHaveLength(2)
      expect(alerts[0]).toMatchObject({ time: iso(at(20)), delayed: false, clearedAt: iso(at(50)), details: { source: 'voltageDrop', externalVoltageV: 0, batteryVoltageV: 4 } })
      expect(alerts[1]).toMatchObject({ time: iso(at(70)), delayed: false, clearedAt: iso(at(90)), details: { source: 'voltageDrop', externalVoltageV: 0.3, batteryVoltageV: 4 } })
      for (const alert of alerts) expect(alert.details).not.toHaveProperty('probableDeviceReset')
    })

    it('a cut restored within the reset window right after the device went quiet (a reboot) is flagged probableDeviceReset, and still raised once', async ({ expect }) => {
      const imei = deviceImei('356307042505000', 0)
      const t0 = Date.now() - 10 * 60_000
      const at = (s: number) => t0 + s * 1000
      const cut = [teltonika(at(210), { io: { [UNPLUG]: 1, [EXTERNAL_MV]: 0, [BATTERY_MV]: 4_000 }, eventIoId: UNPLUG })]
      await withDevice(api, imei, (device) =>
        sendAll(device, [
          [teltonika(at(0)), teltonika(at(10)), teltonika(at(20))],
          // 3 minutes without data (every 10 s before): a reboot sign; then the cut and, 30 s later, the restore.
          [teltonika(at(200))],
          cut,
          [teltonika(at(240), { io: { [UNPLUG]: 0 }, eventIoId: UNPLUG })],
          cut, // the cut packet again, after the restore (a retry whose ACK was lost): inside the closed cut
        ]),
      )
      const alerts = await api.alertsOf(imei, 'powerDisconnect')
      expect(alerts).toHaveLength(1)
      expect(alerts[0]).toMatchObject({ time: iso(at(210)), clearedAt: iso(at(240)), delayed: false, details: { source: 'deviceEvent', probableDeviceReset: true } })
    })

    it('Queclink: a cut during a coverage gap, uploaded later as +BUFF history, raises one alert flagged delayed; the live restore clears it', async ({ expect }) => {
      const summary = await simulate('queclink', '356307042506000', [{ atSec: 3, type: 'powerCut' }, { atSec: 7, type: 'powerRestored' }], {
        durationSec: 9, coverageLoss: { startSec: 2, durationSec: 4 },
      })
      for (const device of summary.perDevice) {
        const cut = device.ackedRecords.find((record) => record.event === 'powerCut')!
        const restore = device.ackedRecords.find((record) => record.event === 'powerRestored')!
        expect(cut.history, `${device.imei} recorded its cut without coverage`).toBe(true)
        expect(restore.history).toBe(false)
        const alerts = await api.alertsOf(device.imei, 'powerDisconnect')
        expect(alerts, device.imei).toHaveLength(1)
        expect(alerts[0]).toMatchObject({ time: cut.fixTime, delayed: true, clearedAt: restore.fixTime, details: { source: 'deviceEvent' } })
      }
    }, 40_000)

    it('Teltonika: a cut uploaded after newer live data (and uploaded twice) raises one alert flagged delayed, and leaves the live position alone', async ({ expect }) => {
      const imei = deviceImei('356307042507000', 0)
      const now = Date.now() - (Date.now() % 1000)
      const live = teltonika(now, { at: north(HOME, 500), speedKmh: 30 })
      const backlog = [
        teltonika(now - 90_000),
        teltonika(now - 60_000, { io: { [UNPLUG]: 1, [EXTERNAL_MV]: 0, [BATTERY_MV]: 4_000 }, eventIoId: UNPLUG }),
        teltonika(now - 45_000, { io: { [EXTERNAL_MV]: 0, [BATTERY_MV]: 3_990 } }),
        teltonika(now - 30_000, { io: { [EXTERNAL_MV]: 0, [BATTERY_MV]: 3_980 } }),
      ]
      await withDevice(api, imei, (device) => sendAll(device, [[live], backlog, backlog]))
      const alerts = await api.alertsOf(imei, 'powerDisconnect')
      expect(alerts).toHaveLength(1)
      expect(alerts[0]).toMatchObject({ time: iso(now - 60_000), delayed: true, clearedAt: null, details: { source: 'deviceEvent' } })
      expect((await api.device(imei)).position).toMatchObject({ fixTime: iso(now), ...north(HOME, 500) })
    })
  })

  describe('harsh driving', () => {
    const DEVICE_EVENTS: { protocol: Protocol; imeiBase: string; how: string }[] = [
      { protocol: 'teltonika', imeiBase: '356307042510000', how: 'io253 = 1, 2, 3' },
      { protocol: 'queclink', imeiBase: '356307042511000', how: 'GTHBM acceleration, braking, cornering' },
      { protocol: 'gt06', imeiBase: '356307042512000', how: 'alarm codes 0x26, 0x1a, 0x1b' },
      { protocol: 'osmand', imeiBase: '356307042513000', how: 'alarm=harshAcceleration, ...' },
    ]

    it.for(DEVICE_EVENTS)('$protocol ($how): each device event raises one alert of its own type', { timeout: 30_000 }, async ({ protocol, imeiBase }, { expect }) => {
      const summary = await simulate(protocol, imeiBase, [
        { atSec: 0, type: 'harshAcceleration' },
        { atSec: 2, type: 'harshBraking' },
        { atSec: 4, type: 'harshCornering' },
      ], { durationSec: 6 })
      for (const device of summary.perDevice) {
        const sent = device.ackedRecords.filter((record) => record.event !== undefined).map((record) => ({ type: record.event, time: record.fixTime }))
        expect(sent.map((event) => event.type)).toEqual(['harshAcceleration', 'harshBraking', 'harshCornering'])
        const alerts = (await api.alertsOf(device.imei)).filter((alert) => alert.type.startsWith('harsh'))
        expect(alerts.map((alert) => ({ type: alert.type, time: alert.time })), `${protocol} ${device.imei}`).toEqual(sent)
        for (const alert of alerts) expect(alert).toMatchObject({ delayed: false, details: { source: 'deviceEvent' } })
      }
    })

    it('Teltonika io253 with io254 stores the force the device measured', async ({ expect }) => {
      const imei = deviceImei('356307042514000', 0)
      const now = Date.now() - (Date.now() % 1000)
      await withDevice(api, imei, (device) =>
        sendAll(device, [[teltonika(now, { speedKmh: 50, io: { [GREEN_DRIVING]: 2, 254: 52 }, eventIoId: GREEN_DRIVING })]]),
      )
      const alerts = await api.alertsOf(imei)
      expect(alerts).toMatchObject([{ type: 'harshBraking', time: iso(now), details: { source: 'deviceEvent', g: 0.52 } }])
    })

    it('a device that reports no harsh events: 72 km/h then 36 km/h two seconds later is harsh braking of 0.51 g computed from the fixes', async ({ expect }) => {
      const imei = deviceImei('356307042515000', 0)
      const t0 = Date.now() - (Date.now() % 1000) - 20_000
      const at = (s: number) => t0 + s * 1000
      const course = 0
      // Steady, then braking 10 m/s in 2 s (5 m/s² = 0.51 g), then steady again; about 20 m/s northward.
      const fixes = [
        teltonika(at(0), { speedKmh: 70, course, at: north(HOME, 0) }),
        teltonika(at(2), { speedKmh: 72, course, at: north(HOME, 40) }),
        teltonika(at(4), { speedKmh: 72, course, at: north(HOME, 80) }),
        teltonika(at(6), { speedKmh: 36, course, at: north(HOME, 110) }),
        teltonika(at(8), { speedKmh: 36, course, at: north(HOME, 130) }),
      ]
      await withDevice(api, imei, (device) => sendAll(device, [fixes.slice(0, 3), fixes.slice(3)]))
      const alerts = await api.alertsOf(imei)
      expect(alerts).toHaveLength(1)
      expect(alerts[0]).toMatchObject({ type: 'harshBraking', time: iso(at(6)), delayed: false, details: { source: 'fixes' } })
      expect(alerts[0]!.details.g).toBeCloseTo(0.51, 2)
    })
  })

  it('no update: one alert when a silent device crosses NO_UPDATE_AFTER (at lastSeen + threshold), status noUpdate, none more while silent, cleared by the next record', async ({ expect }) => {
    const imei = deviceImei('356307042520000', 0)
    const stopped = { [IGNITION]: 0 }
    await withDevice(quiet, imei, async (device) => {
      await sendAll(device, [[teltonika(Date.now() - (Date.now() % 1000), { io: stopped })]])
      const { lastSeen, status } = await quiet.device(imei)
      expect(status).toBe('stopped')
      const crossedAt = Date.parse(lastSeen!) + NO_UPDATE_AFTER_MS

      // Poll until the alert is listed: no answer before the threshold may list it.
      let raisedEarly = false
      const alert = await eventually(async () => {
        const alerts = await quiet.alertsOf(imei, 'noUpdate')
        if (alerts.length > 0 && Date.now() < crossedAt) raisedEarly = true
        expect(alerts).toHaveLength(1)
        return alerts[0]!
      }, NO_UPDATE_AFTER_MS + 30_000, 25)
      expect(raisedEarly, 'listed before lastSeen + NO_UPDATE_AFTER').toBe(false)
      expect(alert).toMatchObject({ type: 'noUpdate', time: iso(crossedAt), delayed: false, clearedAt: null, details: { lastSeen }, ...HOME })
      expect((await quiet.device(imei)).status).toBe('noUpdate')

      // Silent for several more sweeps: a second device reporting now gets its own alert a threshold (ten
      // sweeps) later, and then the first still has its one alert.
      const witness = deviceImei('356307042520000', 1)
      await withDevice(quiet, witness, (other) => sendAll(other, [[teltonika(Date.now() - (Date.now() % 1000), { io: stopped })]]))
      await eventually(async () => expect(await quiet.alertsOf(witness, 'noUpdate')).toHaveLength(1), NO_UPDATE_AFTER_MS + 30_000, 25)
      expect(await quiet.alertsOf(imei, 'noUpdate')).toMatchObject([{ id: alert.id, clearedAt: null }])
      expect((await quiet.device(imei)).status).toBe('noUpdate')

      // It reports again: the alert is cleared when that record arrived, and the status is no longer noUpdate.
      await sendAll(device, [[teltonika(Date.now() - (Date.now() % 1000), { io: stopped })]])
      const reported = await quiet.device(imei)
      expect(reported.status).toBe('stopped')
      expect(await quiet.alertsOf(imei, 'noUpdate')).toEqual([{ ...alert, clearedAt: reported.lastSeen }])
    })
  }, 30_000)

  it('ignition diagnostic: driving with ignition off for a minute raises one ignitionWiring alert per trip, a new one after a stop of more than 5 minutes', async ({ expect }) => {
    const imei = deviceImei('356307042530000', 0)
    const t0 = Date.now() - (Date.now() % 1000) - 20 * 60_000
    const at = (s: number) => t0 + s * 1000
    let position = HOME
    const drive = (s: number, ignition: 0 | 1) => {
      position = north(position, 222) // 40 km/h for 20 s
      return teltonika(at(s), { at: position, speedKmh: 40, io: { [IGNITION]: ignition } })
    }
    const parked = (s: number) => teltonika(at(s), { at: position, speedKmh: 0, io: { [IGNITION]: 0 } })
    const range = (from: number, to: number, step = 20) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step)

    await withDevice(api, imei, async (device) => {
      // Trip 1: 4 fixes at 40 km/h with ignition off over 60 s -> the alert, at the 4th.
      await sendAll(device, [range(0, 40).map((s) => drive(s, 0))])
      expect(await api.alertsOf(imei, 'ignitionWiring'), 'not yet: only 40 s').toEqual([])
      await sendAll(device, [[drive(60, 0)]])
      // Ignition on for a fix, then another minute and more with it off: same trip, nothing more.
      await sendAll(device, [[drive(80, 1)], range(100, 180).map((s) => drive(s, 0))])
      // Parked for more than 5 minutes ends the trip; trip 2 with the ignition still off raises the next one.
      await sendAll(device, [range(200, 520, 40).map(parked), range(540, 600).map((s) => drive(s, 0))])
    })
    const alerts = await api.alertsOf(imei)
    expect(alerts.map((alert) => alert.type)).toEqual(['ignitionWiring', 'ignitionWiring'])
    expect(alerts[0]).toMatchObject({ time: iso(at(60)), delayed: false, details: { speedKmh: 40, fixes: 4, since: iso(at(0)) } })
    expect(alerts[1]).toMatchObject({ time: iso(at(600)), delayed: false, details: { speedKmh: 40, fixes: 4, since: iso(at(540)) } })
  })

  describe('mileage and engine hours', () => {
    async function vehicleWithCounters(name: string, imei: string, counters: { odometerKm: number; engineHoursH: number }): Promise<Vehicle> {
      const registered = await api.call('POST', '/api/devices', { imei, protocol: 'teltonika' })
      if (registered.status !== 201) throw new Error(`POST /api/devices: ${registered.status}`)
      const created = await api.call<Vehicle>('POST', '/api/vehicles', { name, deviceImei: imei })
      if (created.status !== 201) throw new Error(`POST /api/vehicles: ${created.status}`)
      const set = await api.call<Vehicle>('PUT', `/api/vehicles/${created.body.id}/counters`, counters)
      if (set.status !== 200) throw new Error(`PUT counters: ${set.status} ${JSON.stringify(set.body)}`)
      return set.body
    }

    it('accumulate from the values set: distance between fixes and ignition-on time while driving, no growth from GPS jitter while parked', async ({ expect }) => {
      const imei = deviceImei('356307042540000', 0)
      const vehicle = await vehicleWithCounters('Van 40', imei, { odometerKm: 1000, engineHoursH: 50 })
      expect(vehicle).toMatchObject({ odometerKm: 1000, engineHoursH: 50, countersSetAt: expect.any(String) })
      // Fixes from the set time on (counted only from then): 20 fixes 10 s apart, ~100 km/h north-east, ignition on.
      const t0 = Date.parse(vehicle.countersSetAt!) + 1000
      const at = (s: number) => t0 + s * 1000
      const route = Array.from({ length: 20 }, (_, i) => ({ latitude: e7(HOME.latitude + i * 0.002), longitude: e7(HOME.longitude + i * 0.0025) }))
      const drivenKm = route.slice(1).reduce((km, point, i) => km + distanceKm(route[i]!, point), 0)
      const driveSec = (route.length - 1) * 10
      const driving = route.map((point, i) => teltonika(at(i * 10), { at: point, speedKmh: 100, course: 40 }))
      // Then parked, ignition off, the fix wandering 5-15 m around the spot for 5 minutes.
      const spot = route.at(-1)!
      const jitter = Array.from({ length: 30 }, (_, i) => {
        const metres = 5 + ((i * 7) % 11)
        const bearing = (i * 137 * Math.PI) / 180
        const point = {
          latitude: e7(spot.latitude + (metres * Math.cos(bearing)) / 111_195),
          longitude: e7(spot.longitude + (metres * Math.sin(bearing)) / (111_195 * Math.cos((spot.latitude * Math.PI) / 180))),
        }
        return teltonika(at(driveSec + 10 + i * 10), { at: point, speedKmh: 0, io: { [IGNITION]: 0 } })
      })

      await withDevice(api, imei, async (device) => {
        await sendAll(device, [driving.slice(0, 10), driving.slice(10)])
        const driven = await eventually(async () => {
          const current = await api.vehicle(vehicle.id)
          expect(current.odometerKm).toBeGreaterThan(1000)
          return current
        }, 5000)
        expect(drivenKm).toBeGreaterThan(4)
        expect(driven.odometerKm - 1000).toBeCloseTo(drivenKm, 1)
        expect(Math.abs(driven.odometerKm - 1000 - drivenKm) / drivenKm).toBeLessThan(0.02)
        expect(driven.engineHoursH - 50).toBeCloseTo(driveSec / 3600, 4)

        await sendAll(device, [jitter.slice(0, 15), jitter.slice(15)])
        await eventually(async () => expect((await api.device(imei)).position?.fixTime).toBe(iso(at(driveSec + 10 + 29 * 10))), 5000)
        const parked = await api.vehicle(vehicle.id)
        expect(parked.odometerKm).toBeCloseTo(driven.odometerKm, 6)
        expect(parked.engineHoursH).toBeCloseTo(driven.engineHoursH, 6)
      })
    })

    it('a device reporting its own odometer (io16) accumulates by that counter\'s increase, not by the distance between its fixes', async ({ expect }) => {
      const imei = deviceImei('356307042541000', 0)
      const vehicle = await vehicleWithCounters('Truck 41', imei, { odometerKm: 500, engineHoursH: 10 })
      const t0 = Date.parse(vehicle.countersSetAt!) + 1000
      // 400 m between fixes 10 s apart, while the device's own counter says 250 m each time.
      const records = Array.from({ length: 5 }, (_, i) =>
        teltonika(t0 + i * 10_000, { at: north(HOME, i * 400), speedKmh: 90, io: { [ODOMETER_M]: 123_456_000 + i * 250 } }),
      )
      await withDevice(api, imei, (device) => sendAll(device, [records.slice(0, 2), records.slice(2)]))
      await eventually(async () => {
        const current = await api.vehicle(vehicle.id)
        expect(current.odometerKm).toBeCloseTo(501, 6)
        expect(current.engineHoursH).toBeCloseTo(10 + 40 / 3600, 6)
      }, 5000)
    })
  })
})
