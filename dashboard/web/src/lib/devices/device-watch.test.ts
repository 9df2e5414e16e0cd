import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeLiveSocket } from '../../../../../test/helpers/fake-live-socket.ts'
import type { ApiError, DeviceSummary, Packet } from '../../../../shared/contract.ts'
import { DeviceWatch } from './device-watch.svelte.ts'
import type { FleetListener } from '../live/fleet.svelte.ts'

const IMEI = '356307042440007'
const t0 = Date.parse('2026-11-22T08:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()

function packet(atMs: number, fields: Record<string, unknown> = {}, imei = IMEI): Packet {
  const record = { fixTime: iso(atMs), receivedAt: iso(atMs), buffered: false, valid: true, latitude: 1, longitude: 2, events: [], ...fields }
  return { imei, protocol: 'teltonika', transport: 'tcp', time: iso(atMs), kind: { type: '0x08', label: 'Codec 8' }, raw: { hex: `00${atMs}` }, records: [record] }
}

class FakeFleet {
  listeners = new Set<FleetListener>()
  devices: DeviceSummary[] = []
  current = () => this.devices
  subscribe = (listener: FleetListener) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

let answer: (packets: Packet[] | { status: number; body: ApiError }) => void

beforeEach(() => {
  vi.stubGlobal(
    'fetch',
    () =>
      new Promise<Response>((resolve) => {
        answer = (packets) =>
          resolve(Array.isArray(packets) ? new Response(JSON.stringify(packets)) : new Response(JSON.stringify(packets.body), { status: packets.status }))
      }),
  )
})

afterEach(() => vi.unstubAllGlobals())

function setUp() {
  const socket = new FakeLiveSocket()
  const fleet = new FakeFleet()
  const watch = new DeviceWatch(socket.live, IMEI, fleet)
  return { socket, fleet, watch }
}

describe('DeviceWatch', () => {
  it('watches the device on open and after every reconnect, and unwatches on close', () => {
    const { socket, watch } = setUp()
    socket.emit('connect')
    watch.close()
    expect(socket.sent).toEqual([
      ['watch', { imei: IMEI }],
      ['watch', { imei: IMEI }],
      ['unwatch', { imei: IMEI }],
    ])
  })

  it('shows why the server refused to stream the packets, and clears it once a watch succeeds', () => {
    const { socket, watch } = setUp()
    expect(watch.watchError).toBeNull()
    socket.watchResult = { error: { code: 'FORBIDDEN', message: 'This vehicle is not visible to you' } }
    socket.emit('connect')
    expect(watch.watchError).toBe('This vehicle is not visible to you')
    socket.watchResult = { ok: true }
    socket.emit('connect')
    expect(watch.watchError).toBeNull()
  })

  it('lists recent packets under the live ones that arrived meanwhile, newest first, once each', async () => {
    const { socket, watch } = setUp()
    const loading = watch.load()
    socket.emit('packet', packet(t0 + 3000))
    socket.emit('packet', packet(t0 + 9000, {}, '999999999999999'))
    answer([packet(t0 + 3000), packet(t0 + 2000), packet(t0 + 1000)])
    await loading
    expect(watch.packets.map(({ packet }) => packet.time)).toEqual([iso(t0 + 3000), iso(t0 + 2000), iso(t0 + 1000)])
    expect(new Set(watch.packets.map(({ id }) => id)).size).toBe(3)
  })

  it('folds loaded and live packets into the checklist observations', async () => {
    const { socket, watch } = setUp()
    const loading = watch.load()
    answer([packet(t0, { ignition: true, satellites: 9 })])
    await loading
    socket.emit('packet', packet(t0 + 1000, { ignition: false, speedKmh: 20 }))
    expect(watch.observations).toMatchObject({ ignitionOnSeen: true, ignitionOffSeen: true, topSpeedKmh: 20, lastPacketAt: t0 + 1000 })
  })

  it('also reads the device live summaries from the fleet', () => {
    const { fleet, watch } = setUp()
    const summary: DeviceSummary = {
      imei: IMEI,
      protocol: 'teltonika',
      vehicleId: null,
      name: IMEI,
      connected: true,
      lastSeen: iso(t0),
      status: 'moving',
      position: { fixTime: iso(t0), latitude: 1, longitude: 2, valid: true, externalVoltageV: 12.5 },
    }
    for (const listener of fleet.listeners) listener([summary], [])
    expect(watch.observations.latestExternalV).toBe(12.5)
    watch.close()
    expect(fleet.listeners.size).toBe(0)
  })

  it('says why the recent packets could not be loaded, and still takes live packets', async () => {
    const { socket, watch } = setUp()
    const loading = watch.load()
    answer({ status: 404, body: { error: { code: 'DEVICE_NOT_FOUND', message: `No device ${IMEI}` } } })
    await loading
    expect(watch.loadError).toBe(`No device ${IMEI}`)
    socket.emit('packet', packet(t0))
    expect(watch.packets).toHaveLength(1)
  })
})
