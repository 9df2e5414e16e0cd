import http from 'node:http'
import net from 'node:net'
import { setTimeout as pause } from 'node:timers/promises'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceSummary, StoredPosition } from '../dashboard/shared/contract.ts'
import { osmand } from '../gateway/protocols/osmand/index.ts'
import { encodeJsonBody, encodeQueryTarget, JSON_CONTENT_TYPE, type OsmandFixInput } from '../gateway/protocols/osmand/encode.ts'
import type { DeviceRecord } from '../core/record.ts'
import { GatewayStats, type ProtocolStats } from '../gateway/stats.ts'
import type { GatewayContext } from '../gateway/transport/handle-message.ts'
import { listenHttp, type HttpListener } from '../gateway/transport/http.ts'
import { eventually } from './helpers/eventually.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'

const FIX: OsmandFixInput = { timeMs: Date.parse('2025-07-01T11:00:00.000Z'), latitude: 54.6872, longitude: 25.2797, speedKmh: 36 }

describe('the HTTP transport keeps the durability contract (a listener with a scripted writer)', () => {
  let listener: HttpListener
  let stats: GatewayStats
  afterEach(() => listener?.close())

  async function listen(overrides: Partial<GatewayContext>): Promise<string> {
    stats = new GatewayStats()
    const context: GatewayContext = {
      writer: { write: async () => {} },
      devices: { admit: async () => 'admitted' },
      stats,
      crc: 'strict',
      maxMessageBytes: 64 * 1024,
      idleTimeoutMs: 3000,
      maxFutureFixMs: 24 * 60 * 60_000,
      ...overrides,
    }
    listener = await listenHttp(osmand, '127.0.0.1', 0, context, pino({ level: 'silent' }))
    return `http://127.0.0.1:${listener.port}`
  }

  it('answers 200 only once the write has resolved', async () => {
    let release!: () => void
    const written: DeviceRecord[][] = []
    // The first write waits for the test; later ones (the barrier below) resolve at once.
    const write = (records: DeviceRecord[]) => new Promise<void>((resolve) => {
      written.push(records)
      if (written.length === 1) release = resolve
      else resolve()
    })
    const url = await listen({ writer: { write } })
    let answered = false
    const response = fetch(url + encodeQueryTarget('phone-1', FIX)).then((answer) => ((answered = true), answer))
    await eventually(() => expect(written).toHaveLength(1))
    // A barrier: a second phone is answered after the first one's write began; the first is still waiting.
    expect((await fetch(url + encodeQueryTarget('phone-2', FIX))).status).toBe(200)
    expect(answered, 'no answer while the write is pending').toBe(false)
    release()
    expect((await response).status).toBe(200)
    expect(stats.for('osmand')).toMatchObject({ messages: 2, records: 2 })
  })

  it('answers 503 with Retry-After, never 200, when the write fails, so the phone keeps the location', async () => {
    const url = await listen({ writer: { write: async () => { throw new Error('database down') } } })
    const answer = await fetch(url + encodeQueryTarget('phone-1', FIX))
    expect(answer.status).toBe(503)
    expect(answer.headers.get('retry-after')).toBe('10')
    expect(stats.for('osmand')).toMatchObject({ messages: 1, records: 0, rejections: { STORAGE_FAILED: 1 } })
  })

  it('answers 403 to a device that registration refuses, without writing', async () => {
    const written: DeviceRecord[][] = []
    const url = await listen({ devices: { admit: async () => 'unknown' }, writer: { write: async (records) => void written.push(records) } })
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': JSON_CONTENT_TYPE }, body: encodeJsonBody('phone-x', [FIX]) })
    expect(answer.status).toBe(403)
    expect(written).toEqual([])
    expect(stats.for('osmand').rejections).toEqual({ UNKNOWN_DEVICE: 1 })
  })

  it('refuses an oversized declared body before the client sends it (Expect: 100-continue)', async () => {
    const url = new URL(await listen({}))
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { 'content-length': 10_000_000, expect: '100-continue' } })
      request.on('continue', () => reject(new Error('the server asked for the body')))
      request.on('response', (response) => resolve(response.statusCode!))
      request.on('error', reject)
      request.flushHeaders()
    })
    expect(status).toBe(413)
    expect(stats.for('osmand').bytesIn).toBeLessThan(1000)
  })

  it('serves several requests on one kept-alive connection', async () => {
    const url = new URL(await listen({}))
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const get = (path: string) =>
      new Promise<number>((resolve, reject) =>
        http.get({ host: url.hostname, port: url.port, path, agent }, (response) => response.resume().on('end', () => resolve(response.statusCode!))).on('error', reject),
      )
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push(await get(encodeQueryTarget('phone-1', { ...FIX, timeMs: FIX.timeMs + i * 1000 })))
    agent.destroy()
    expect(statuses).toEqual([200, 200, 200, 200, 200])
    expect(stats.for('osmand')).toMatchObject({ connections: 1, messages: 5, records: 5 })
  })
})

describe('phones -> OsmAnd over HTTP -> embedded TimescaleDB -> API', () => {
  let system: RunningSystem
  let cookie: string
  let osmandUrl: string

  beforeAll(async () => {
    // A short idle timeout lets the test watch silent and slow connections being closed.
    system = await startSystem({ env: { DEVICE_IDLE_TIMEOUT: '3000' } })
    cookie = await login(system.baseUrl)
    osmandUrl = `http://127.0.0.1:${system.ports.osmand}`
  }, 120_000)

  afterAll(() => system?.stop())

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${system.baseUrl}${path}`, { headers: { cookie } })
    expect(response.status, `${path}: ${response.status}`).toBe(200)
    return (await response.json()) as T
  }

  const storedPositions = (id: string, aroundMs = Date.now()) =>
    api<StoredPosition[]>(
      `/api/devices/${id}/positions?from=${new Date(aroundMs - 3_600_000).toISOString()}&to=${new Date(aroundMs + 3_600_000).toISOString()}`,
    )

  const send = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: string }> => {
    const response = await fetch(`${osmandUrl}${path}`, init)
    return { status: response.status, body: await response.text() }
  }

  const postJson = (body: string) => send('/', { method: 'POST', headers: { 'content-type': JSON_CONTENT_TYPE }, body })

  const secondsAgo = (seconds: number) => Date.now() - (Date.now() % 1000) - seconds * 1000
  const fixAt = (timeMs: number, latitude: number): OsmandFixInput => ({
    timeMs, latitude, longitude: 25.2797, speedKmh: 36, course: 90, altitude: 112, batteryLevelPct: 80,
  })

  it('listens where the ready line says, as osmand', () => {
    expect(system.ports.osmand).toBeGreaterThan(0)
  })

  it('answers a Traccar Client query with 200 and an empty body once the position is stored', async () => {
    const fix = fixAt(secondsAgo(5), 54.6872)
    expect(await send(encodeQueryTarget('phone-query-1', fix))).toEqual({ status: 200, body: '' })
    const stored = await storedPositions('phone-query-1')
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ fixTime: new Date(fix.timeMs).toISOString(), latitude: 54.6872, longitude: 25.2797, course: 90, valid: true, buffered: false })
    expect(stored[0]!.speedKmh).toBeCloseTo(36, 6)
    const device = (await api<DeviceSummary[]>('/api/devices')).find((candidate) => candidate.imei === 'phone-query-1')
    expect(device).toMatchObject({ protocol: 'osmand', position: { latitude: 54.6872 } })
  })

  it('stores a form-encoded POST', async () => {
    const timeMs = secondsAgo(3)
    const body = `id=phone-form-1&lat=54.5&lon=25.5&timestamp=${timeMs / 1000}&speed=0`
    const answer = await send('/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    expect(answer).toEqual({ status: 200, body: '' })
    expect(await storedPositions('phone-form-1')).toMatchObject([{ fixTime: new Date(timeMs).toISOString(), latitude: 54.5, longitude: 25.5, speedKmh: 0 }])
  })

  it('stores a Transistorsoft JSON location', async () => {
    const fix = fixAt(secondsAgo(4), 54.7)
    expect(await postJson(encodeJsonBody('phone-json-1', [fix]))).toEqual({ status: 200, body: '' })
    const stored = await storedPositions('phone-json-1')
    expect(stored).toMatchObject([{ fixTime: new Date(fix.timeMs).toISOString(), latitude: 54.7, course: 90 }])
    expect(stored[0]!.speedKmh).toBeCloseTo(36, 6)
  })

  it('stores every location of an uploaded offline queue, the old ones as history', async () => {
    const newest = secondsAgo(2)
    const queue = [30, 20, 10].map((minutes, index) => fixAt(newest - minutes * 60_000, 54 + index / 100))
    expect(await postJson(encodeJsonBody('phone-batch-1', [...queue, fixAt(newest, 54.05)]))).toEqual({ status: 200, body: '' })
    const stored = await storedPositions('phone-batch-1', newest)
    expect(stored.map((position) => [position.fixTime, position.latitude, position.buffered])).toEqual([
      [new Date(queue[0]!.timeMs).toISOString(), 54, true],
      [new Date(queue[1]!.timeMs).toISOString(), 54.01, true],
      [new Date(queue[2]!.timeMs).toISOString(), 54.02, true],
      [new Date(newest).toISOString(), 54.05, false],
    ])
  })

  it('stores a resent request once', async () => {
    const target = encodeQueryTarget('phone-resend-1', fixAt(secondsAgo(6), 54.1))
    expect((await send(target)).status).toBe(200)
    expect((await send(target)).status).toBe(200)
    expect(await storedPositions('phone-resend-1')).toHaveLength(1)
  })

  it('answers bad input with 400 and its reason, and stores nothing', async () => {
    const noId = await send('/?lat=54&lon=25')
    expect(noId).toEqual({ status: 400, body: expect.stringContaining('no device id') })
    const badLatitude = await send('/?id=phone-bad-1&lat=95&lon=25')
    expect(badLatitude).toEqual({ status: 400, body: 'lat: latitude above 90' })
    const badJson = await postJson('{"device_id":"phone-bad-1","location":{"coords":{"latitude":')
    expect(badJson.status).toBe(400)
    expect(badJson.body).toMatch(/^the body is not JSON/)
    expect(await storedPositions('phone-bad-1')).toEqual([])
  })

  it('refuses a body over the size limit with 413 without storing it', async () => {
    const fix = fixAt(secondsAgo(1), 54.2)
    const huge = encodeJsonBody('phone-huge-1', [{ ...fix, attributes: { padding: 'x'.repeat(70 * 1024) } }])
    const answer = await postJson(huge)
    expect(answer.status).toBe(413)
    expect(answer.body).toMatch(/larger than 65536 bytes/)
    expect(await storedPositions('phone-huge-1')).toEqual([])
  })

  it('answers 405 to methods other than GET and POST', async () => {
    const answer = await fetch(`${osmandUrl}/?id=phone-put-1&lat=54&lon=25`, { method: 'PUT', body: 'x' })
    expect(answer.status).toBe(405)
    expect(answer.headers.get('allow')).toBe('GET, POST')
    expect(await storedPositions('phone-put-1')).toEqual([])
  })

  it('closes a silent connection and a slowloris request while a phone keeps getting 200', async () => {
    const silent = net.connect(system.ports.osmand!, '127.0.0.1')
    const slow = net.connect(system.ports.osmand!, '127.0.0.1')
    const closed = (socket: net.Socket) => {
      const state = { open: true, closed: new Promise<void>((resolve) => socket.once('close', () => resolve(void (state.open = false))).on('error', () => {})) }
      return state
    }
    const silentState = closed(silent)
    const slowState = closed(slow)
    const request = 'GET /?id=phone-slow-1&lat=54&lon=25 HTTP/1.1\r\nHost: x\r\n\r\n'
    let sent = 0
    const trickle = setInterval(() => sent < request.length && !slow.destroyed && slow.write(request[sent++]!), 500)
    // The phone reports every half second until the gateway has closed both, then once more.
    const answers: number[] = []
    while (silentState.open || slowState.open) {
      answers.push((await send(encodeQueryTarget('phone-good-1', fixAt(secondsAgo(0), 54.3)))).status)
      await pause(500)
    }
    answers.push((await send(encodeQueryTarget('phone-good-1', fixAt(secondsAgo(0), 54.3)))).status)
    await Promise.all([silentState.closed, slowState.closed])
    clearInterval(trickle)
    // The idle timeout is 3 s; a request must arrive whole within it, where the trickle needs 25 s.
    expect(sent, 'the slow request never completed').toBeLessThan(request.length)
    expect(answers).toEqual(Array(answers.length).fill(200))
    expect(await storedPositions('phone-slow-1')).toEqual([])
  }, 20_000)

  it('counts messages, records, bytes and rejections by reason in the gateway stats', async () => {
    const stats = (await api<Record<string, ProtocolStats>>('/api/gateway/stats')).osmand!
    expect(stats.ports).toEqual({ http: system.ports.osmand })
    expect(stats.messages).toBeGreaterThanOrEqual(10)
    expect(stats.records).toBeGreaterThanOrEqual(10)
    expect(stats.bytesIn).toBeGreaterThan(0)
    expect(stats.bytesOut).toBeGreaterThan(0)
    expect(stats.rejections).toMatchObject({
      NOT_IDENTIFIED: 1,
      MALFORMED: 2,
      FRAME_TOO_LONG: 1,
      METHOD_NOT_ALLOWED: 1,
      IDLE_TIMEOUT: 1,
      REQUEST_TIMEOUT: 1,
    })
  })
})
