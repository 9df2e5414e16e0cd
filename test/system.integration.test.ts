import dgram from 'node:dgram'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { io, type Socket } from 'socket.io-client'
import type { DeviceSummary, ServerToClientEvents, StoredPosition } from '../dashboard/shared/contract.ts'
import { encodeUdpDatagram } from '../gateway/protocols/teltonika/encode.ts'
import { runSimulation, type SimulationSummary } from '../simulator/run.ts'
import { eventually } from './helpers/eventually.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

describe('simulator -> gateway -> embedded TimescaleDB -> API and socket.io', () => {
  let system: RunningSystem
  let cookie: string
  let live: Socket<ServerToClientEvents>
  const seen = new Map<string, DeviceSummary[]>()

  beforeAll(async () => {
    // History is recognised by lag; a short lag lets a few seconds of coverage loss count as history.
    // A short idle timeout lets the test watch silent connections being closed.
    system = await startSystem({ env: { BUFFERED_LAG: '2000', DEVICE_IDLE_TIMEOUT: '3000' } })
    cookie = await login(system.baseUrl)
    live = io(system.baseUrl, { transports: ['websocket'], extraHeaders: { cookie } })
    live.on('vehicle', (device) => seen.set(device.imei, [...(seen.get(device.imei) ?? []), device]))
    await new Promise<void>((resolve, reject) => live.once('connect', resolve).once('connect_error', reject))
  }, 120_000)

  afterAll(async () => {
    live?.close()
    await system?.stop()
  })

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${system.baseUrl}${path}`, { headers: { cookie } })
    expect(response.status, `${path}: ${response.status}`).toBe(200)
    return (await response.json()) as T
  }

  const storedPositions = (imei: string, from: string, to: string) =>
    api<StoredPosition[]>(`/api/devices/${imei}/positions?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)

  async function expectEveryAckedRecordStoredOnce(summary: SimulationSummary): Promise<StoredPosition[][]> {
    const end = new Date(Date.parse(summary.startTime) + (summary.durationSec + 60) * 1000).toISOString()
    const start = new Date(Date.parse(summary.startTime) - 60_000).toISOString()
    return Promise.all(
      summary.perDevice.map(async (device) => {
        const stored = await storedPositions(device.imei, start, end)
        const storedTimes = stored.map((position) => position.fixTime)
        expect(new Set(storedTimes).size, `${device.imei} duplicates`).toBe(storedTimes.length)
        const missing = device.ackedRecords.filter((record) => !storedTimes.includes(record.fixTime))
        expect(missing, `${device.imei} ACKed but not stored`).toEqual([])
        expect(stored.length).toBe(new Set(device.ackedRecords.map((record) => record.fixTime)).size)
        return stored
      }),
    )
  }

  it('stores every ACKed record exactly once and streams the vehicles live over socket.io', async () => {
    const summary = await runSimulation({ port: system.ports.teltonika, devices: 5, durationSec: 6, rate: 1, seed: 7, imeiBase: '356307042441000' })
    expect(summary.recordsNeverAcked).toBe(0)
    expect(summary.recordsAcked).toBeGreaterThanOrEqual(25)
    await expectEveryAckedRecordStoredOnce(summary)

    const devices = await api<DeviceSummary[]>('/api/devices')
    for (const device of summary.perDevice) {
      const listed = devices.find((candidate) => candidate.imei === device.imei)
      const newest = device.ackedRecords.reduce((a, b) => (a.fixTime > b.fixTime ? a : b))
      expect(listed?.position).toMatchObject({ fixTime: newest.fixTime, latitude: newest.latitude, longitude: newest.longitude })
      const updates = seen.get(device.imei) ?? []
      expect(new Set(updates.map((update) => update.position?.latitude)).size, 'the marker moved').toBeGreaterThan(1)
    }
  }, 60_000)

  it('stores history uploaded after a coverage loss as buffered without moving the live position backwards', async () => {
    const summary = await runSimulation({
      port: system.ports.teltonika, devices: 2, durationSec: 12, rate: 1, seed: 11, imeiBase: '356307042442000',
      coverageLoss: { startSec: 3, durationSec: 6 },
    })
    expect(summary.recordsNeverAcked).toBe(0)
    const stored = await expectEveryAckedRecordStoredOnce(summary)
    for (const [index, device] of summary.perDevice.entries()) {
      expect(stored[index]!.some((position) => position.buffered), `${device.imei} has history`).toBe(true)
      const liveFixTimes = (seen.get(device.imei) ?? []).flatMap((update) => (update.position ? [update.position.fixTime] : []))
      expect(liveFixTimes).toEqual([...liveFixTimes].sort())
    }
  }, 60_000)

  it('keeps the newest position on the map when older history arrives after it', async () => {
    const imei = '356307042443001'
    const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    const now = Date.now() - (Date.now() % 1000)
    const at = (ms: number, latitude: number) => ({ timeMs: ms, latitude, longitude: 25.28, satellites: 9, speedKmh: 30, io: { 239: 1 } })
    expect(await device.send([at(now, 54.7)])).toBe(1)
    expect(await device.send([at(now - 600_000, 54.5), at(now - 599_000, 54.51)])).toBe(2)
    device.close()

    const stored = await storedPositions(imei, new Date(now - 3_600_000).toISOString(), new Date(now + 1000).toISOString())
    expect(stored.map((position) => [position.latitude, position.buffered])).toEqual([[54.5, true], [54.51, true], [54.7, false]])
    const listed = (await api<DeviceSummary[]>('/api/devices')).find((candidate) => candidate.imei === imei)
    expect(listed?.position?.latitude).toBe(54.7)
  })

  it('acknowledges a Teltonika UDP datagram with its packet ids after storing its record', async () => {
    const imei = '356307042443019'
    const udp = dgram.createSocket('udp4')
    const fixTime = Date.now() - (Date.now() % 1000) - 5000
    const datagram = encodeUdpDatagram(imei, 0xcafe, 0x22, [{ timeMs: fixTime, latitude: 54.69, longitude: 25.27, satellites: 8, speedKmh: 12, io: { 66: 13900 } }])
    const reply = new Promise<Buffer>((resolve) => udp.once('message', resolve))
    udp.send(datagram, system.ports.teltonika!, '127.0.0.1')
    expect((await reply).toString('hex')).toBe('0005cafe012201')
    udp.close()
    const stored = await storedPositions(imei, new Date(fixTime - 1000).toISOString(), new Date(fixTime + 1000).toISOString())
    expect(stored).toMatchObject([{ fixTime: new Date(fixTime).toISOString(), latitude: 54.69, externalVoltageV: 13.9 }])
  })

  it('closes a connection that sends garbage or nothing, and counts each by reason', async () => {
    type Rejections = Partial<Record<'BAD_FRAME' | 'FRAME_TOO_LONG' | 'IDLE_TIMEOUT', number>>
    const rejections = async () => (await api<Record<string, { rejections: Rejections }>>('/api/gateway/stats')).teltonika!.rejections
    /** The reasons the gateway counted for closing a connection that sent `bytes` (or nothing) once it closed. */
    const closedFor = async (bytes: Buffer | null): Promise<Rejections> => {
      const before = await rejections()
      const socket = net.connect(system.ports.teltonika!, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      if (bytes) socket.write(bytes)
      await new Promise((resolve) => socket.once('close', resolve))
      return eventually(async () => {
        const after = await rejections()
        const counted = Object.entries(after).filter(([reason, n]) => n !== before[reason as keyof Rejections])
        expect(counted).not.toEqual([])
        return Object.fromEntries(counted.map(([reason, n]) => [reason, n - (before[reason as keyof Rejections] ?? 0)]))
      })
    }
    expect(await closedFor(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toEqual({ BAD_FRAME: 1 })
    expect(await closedFor(Buffer.from('00000000ffffffff', 'hex'))).toEqual({ FRAME_TOO_LONG: 1 })
    expect(await closedFor(null)).toEqual({ IDLE_TIMEOUT: 1 })
  }, 20_000)

  it('asks for a login on every API route and answers errors as JSON', async () => {
    const anonymous = await fetch(`${system.baseUrl}/api/devices`)
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } })
    const wrong = await fetch(`${system.baseUrl}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'nope' }),
    })
    expect(wrong.status).toBe(401)
    const malformed = await fetch(`${system.baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' })
    expect(malformed.status).toBe(400)
    const badImei = await fetch(`${system.baseUrl}/api/devices/not%20an%20id/positions`, { headers: { cookie } })
    expect(badImei.status).toBe(400)
    const refused = io(system.baseUrl, { transports: ['websocket'], reconnection: false })
    const error = await new Promise<Error>((resolve) => refused.once('connect_error', resolve))
    expect(error.message).toBe('UNAUTHENTICATED')
    refused.close()
  })
})
