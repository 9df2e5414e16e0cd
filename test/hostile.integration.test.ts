import net from 'node:net'
import { setTimeout as pause } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceSummary, StoredPosition } from '../dashboard/shared/contract.ts'
import { encodeImeiHandshake } from '../gateway/protocols/teltonika/encode.ts'
import { encodeLocation, encodeLogin, encodePacket, readServerAck } from '../gateway/protocols/gt06/encode.ts'
import { eventually } from './helpers/eventually.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

const record = (timeMs: number) => ({ timeMs, latitude: 54.68, longitude: 25.28, satellites: 9, speedKmh: 20, io: { 239: 1 } })

async function apiGet<T>(system: RunningSystem, cookie: string, path: string): Promise<T> {
  const response = await fetch(`${system.baseUrl}${path}`, { headers: { cookie } })
  return (await response.json()) as T
}

describe('a gateway that idle and slow connections cannot exhaust', () => {
  let system: RunningSystem
  beforeAll(async () => {
    system = await startSystem({ env: { DEVICE_IDLE_TIMEOUT: '3000' } })
  }, 120_000)
  afterAll(() => system?.stop())

  it('closes 1,000 idle connections and a one-byte-a-second slowloris while a good device keeps getting ACKs', async () => {
    const port = system.ports.teltonika!
    const idleSockets = await Promise.all(
      Array.from({ length: 1000 }, async () => {
        const socket = net.connect(port, '127.0.0.1')
        await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject))
        return socket
      }),
    )
    let idleOpen = idleSockets.length
    const idleClosed = Promise.all(idleSockets.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve(void idleOpen--)))))

    const slow = net.connect(port, '127.0.0.1')
    let slowOpen = true
    const slowClosed = new Promise<void>((resolve) => slow.once('close', () => resolve(void (slowOpen = false))))
    const handshake = encodeImeiHandshake('356307042470001')
    let sent = 0
    const trickle = setInterval(() => sent < handshake.length && slow.write(handshake.subarray(sent, ++sent)), 1000)

    // The good device sends every half second until the gateway has closed every idle and slow connection,
    // then once more: it was never taken for one of them.
    const device = await TeltonikaTestDevice.connect(port, '356307042470002')
    const acks: number[] = []
    while (idleOpen > 0 || slowOpen) {
      acks.push(await device.send([record(Date.now() - 1000)]))
      await pause(500)
    }
    acks.push(await device.send([record(Date.now() - 1000)]))
    clearInterval(trickle)
    device.close()
    await Promise.all([idleClosed, slowClosed])

    expect(acks).toEqual(Array(acks.length).fill(1))
    expect(sent, 'the slow connection was closed before its handshake was complete').toBeLessThan(handshake.length)
    const cookie = await login(system.baseUrl)
    const stats = await apiGet<Record<string, { openConnections: number; rejections: Record<string, number> }>>(system, cookie, '/api/gateway/stats')
    const { IDLE_TIMEOUT = 0, SLOW_MESSAGE = 0 } = stats.teltonika!.rejections
    expect(IDLE_TIMEOUT + SLOW_MESSAGE).toBe(1001)
    expect(stats.teltonika!.openConnections).toBe(0)
  }, 60_000)
})

describe('messages a gateway cannot read', () => {
  let system: RunningSystem
  beforeAll(async () => {
    system = await startSystem()
  }, 120_000)
  afterAll(() => system?.stop())

  it('skips a GT06 message of an unknown type unanswered and keeps the connection for the next one', async () => {
    const socket = net.connect(system.ports.gt06!, '127.0.0.1')
    const replies: Buffer[] = []
    socket.on('data', (chunk) => replies.push(chunk))
    await new Promise((resolve) => socket.once('connect', resolve))
    // Replies come in order: once the answer to `type` is there, anything answered before it is there too.
    const waitForReply = async (type: number) => {
      await eventually(() => expect(replies.some((reply) => readServerAck(reply)?.type === type)).toBe(true), 2000, 10)
      return replies.splice(0).map((reply) => readServerAck(reply))
    }
    socket.write(encodeLogin('356307042470020', 1))
    expect(await waitForReply(0x01)).toEqual([{ type: 0x01, serial: 1 }])
    socket.write(encodePacket(0xa7, Buffer.from('0102030405', 'hex'), 2))
    const fix = { timeMs: Date.now() - (Date.now() % 1000) - 1000, latitude: 54.68, longitude: 25.28, speedKmh: 30, course: 90, satellites: 9 }
    socket.write(encodeLocation(fix, 3))
    expect(await waitForReply(0x22)).toEqual([{ type: 0x22, serial: 3 }])
    expect(socket.destroyed).toBe(false)
    socket.destroy()
  })
})

describe('closed device registration', () => {
  let system: RunningSystem
  let cookie: string
  beforeAll(async () => {
    system = await startSystem({ env: { DEVICE_REGISTRATION: 'closed' } })
    cookie = await login(system.baseUrl)
  }, 120_000)
  afterAll(() => system?.stop())

  it('refuses an unknown IMEI with 0x00 and stores nothing, then admits it once registered', async () => {
    const imei = '356307042470010'
    await expect(TeltonikaTestDevice.connect(system.ports.teltonika!, imei)).rejects.toThrow(/refused/)
    expect((await apiGet<DeviceSummary[]>(system, cookie, '/api/devices')).map((device) => device.imei)).not.toContain(imei)

    const registered = await fetch(`${system.baseUrl}/api/devices`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ imei, protocol: 'teltonika' }),
    })
    expect(registered.status).toBe(201)
    const listed = (await apiGet<DeviceSummary[]>(system, cookie, '/api/devices')).find((device) => device.imei === imei)
    expect(listed).toMatchObject({ imei, status: 'never', position: null })

    const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    const fixTime = Date.now() - (Date.now() % 1000) - 2000
    expect(await device.send([record(fixTime)])).toBe(1)
    device.close()
    const stored = await apiGet<StoredPosition[]>(system, cookie, `/api/devices/${imei}/positions`)
    expect(stored.map((position) => position.fixTime)).toEqual([new Date(fixTime).toISOString()])
    const stats = await apiGet<Record<string, { rejections: Record<string, number> }>>(system, cookie, '/api/gateway/stats')
    expect(stats.teltonika!.rejections.UNKNOWN_DEVICE).toBe(1)
  }, 30_000)
})
