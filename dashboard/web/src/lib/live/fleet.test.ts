import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeLiveSocket } from '../../../../../test/helpers/fake-live-socket.ts'
import type { DeviceSummary } from '../../../../shared/contract.ts'
import { Fleet } from './fleet.svelte.ts'

function device(imei: string, latitude: number, lastSeen: string): DeviceSummary {
  return {
    imei,
    name: `Van ${imei}`,
    protocol: 'teltonika',
    vehicleId: null,
    connected: true,
    lastSeen,
    status: 'moving',
    position: { fixTime: lastSeen, latitude, longitude: 13.4, valid: true, speedKmh: 40 },
  }
}

let frames: FrameRequestCallback[]
let answerDevices: (devices: DeviceSummary[]) => void

function runFrame() {
  const pending = frames
  frames = []
  for (const callback of pending) callback(0)
}

beforeEach(() => {
  frames = []
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => frames.push(callback))
  vi.stubGlobal('cancelAnimationFrame', () => {})
  vi.stubGlobal(
    'fetch',
    () =>
      new Promise<Response>((resolve) => {
        answerDevices = (devices) => resolve(new Response(JSON.stringify(devices), { status: 200 }))
      }),
  )
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function setUp() {
  const socket = new FakeLiveSocket()
  const fleet = new Fleet(socket.live)
  const batches: { changed: string[]; removed: readonly string[] }[] = []
  fleet.subscribe((changed, removed) => batches.push({ changed: changed.map((d) => d.imei), removed }))
  return { socket, fleet, batches }
}

describe('Fleet', () => {
  it('applies the events of one frame together, keeping only the latest per vehicle', async () => {
    const { socket, fleet, batches } = setUp()
    const loading = fleet.load()
    answerDevices([device('1', 50, '2025-06-10T12:00:00Z'), device('2', 51, '2025-06-10T12:00:00Z')])
    await loading

    socket.emit('vehicle', device('1', 50.1, '2025-06-10T12:00:05Z'))
    socket.emit('vehicle', device('1', 50.2, '2025-06-10T12:00:06Z'))
    socket.emit('vehicle', device('2', 51.1, '2025-06-10T12:00:06Z'))
    expect(fleet.devices.get('1')?.position?.latitude).toBe(50)
    expect(frames).toHaveLength(1)

    runFrame()
    expect(fleet.devices.get('1')?.position?.latitude).toBe(50.2)
    expect(fleet.devices.get('2')?.position?.latitude).toBe(51.1)
    expect(batches.at(-1)).toEqual({ changed: ['1', '2'], removed: [] })
  })

  it('keeps an event that arrived during the first load when it is newer than the snapshot', async () => {
    const { socket, fleet } = setUp()
    const loading = fleet.load()
    socket.emit('vehicle', device('1', 50.5, '2025-06-10T12:00:09Z'))
    socket.emit('vehicle', device('2', 40, '2025-06-10T11:00:00Z'))
    answerDevices([device('1', 50, '2025-06-10T12:00:00Z'), device('2', 51, '2025-06-10T12:00:00Z')])
    await loading

    expect(fleet.loaded).toBe(true)
    expect(fleet.devices.get('1')?.position?.latitude).toBe(50.5)
    expect(fleet.devices.get('2')?.position?.latitude).toBe(51)
  })

  it('reloads after a reconnect and reports the vehicles that are gone', async () => {
    const { socket, fleet, batches } = setUp()
    const loading = fleet.load()
    answerDevices([device('1', 50, '2025-06-10T12:00:00Z'), device('2', 51, '2025-06-10T12:00:00Z')])
    await loading

    socket.io.emit('reconnect')
    answerDevices([device('2', 52, '2025-06-10T12:05:00Z')])
    await vi.waitFor(() => expect(fleet.devices.size).toBe(1))

    expect(fleet.devices.get('2')?.position?.latitude).toBe(52)
    expect(batches.at(-1)).toEqual({ changed: ['2'], removed: ['1'] })
  })

  it('stops listening to the socket once closed', () => {
    const { socket, fleet } = setUp()
    fleet.close()
    expect(socket.listenerCount('vehicle')).toBe(0)
    expect(socket.io.listenerCount('reconnect')).toBe(0)
  })
})
