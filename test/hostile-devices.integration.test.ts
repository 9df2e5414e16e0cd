/**
 * Devices (or whoever speaks their protocols) attacking the gateway: a forged UDP source port, records
 * that can never be stored, another protocol's messages for a registered IMEI, a second session for an
 * IMEI, connections that never identify, and many connections from one address. After each attack the
 * process is alive and a well-behaved device still gets its ACKs and has its records stored.
 */
import { execFileSync } from 'node:child_process'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceSummary, MissingRecordsResponse, QuarantinedRecord, RecordKey, StoredPosition } from '../dashboard/shared/contract.ts'
import { encodeLogin } from '../gateway/protocols/gt06/encode.ts'
import { encodeAvlPacket, encodeImeiHandshake, encodeUdpDatagram, type TeltonikaRecordInput } from '../gateway/protocols/teltonika/encode.ts'
import { encodeQueryTarget } from '../gateway/protocols/osmand/encode.ts'
import type { ProtocolStats } from '../gateway/stats.ts'
import { apiClient, type ApiCall } from './helpers/api-client.ts'
import { eventually } from './helpers/eventually.ts'
import { nulOsmandTarget, startPoisonFlood, YEAR_10000_MS } from './helpers/poison-flood.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

const GOOD_IMEI = '356307042490001'
const CAP = 20
/** Fix times of this run: whole seconds an hour ago, one apart, so every record has its own natural key. */
const BASE_MS = Date.now() - (Date.now() % 1000) - 60 * 60_000
let nextSecond = 0
const nextFixMs = () => BASE_MS + nextSecond++ * 1000
const fix = (timeMs: number, place: Partial<TeltonikaRecordInput> = {}): TeltonikaRecordInput => ({
  timeMs, latitude: 54.68, longitude: 25.28, satellites: 9, speedKmh: 20, course: 90, io: { 239: 1 }, ...place,
})
const iso = (ms: number) => new Date(ms).toISOString()

/** Sends one IPv4 UDP datagram whose source port is 0, through a raw socket (root only: the kernel never picks port 0). */
function sendFromPortZero(port: number, payload: Buffer): void {
  const script = [
    'import socket, struct, sys',
    'port, payload = int(sys.argv[1]), bytes.fromhex(sys.argv[2])',
    's = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)',
    "s.sendto(struct.pack('!HHHH', 0, port, 8 + len(payload), 0) + payload, ('127.0.0.1', port))",
  ].join('\n')
  execFileSync('python3', ['-c', script, String(port), payload.toString('hex')])
}

/** Opens a connection and resolves when the server closes it, with the bytes it sent before. */
function connectAndAwaitClose(port: number, options: { localAddress?: string; send?: Buffer } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) })
    const received: Buffer[] = []
    socket.on('data', (chunk) => received.push(chunk))
    socket.on('error', () => {})
    socket.once('connect', () => options.send && socket.write(options.send))
    socket.once('close', () => resolve(Buffer.concat(received)))
    setTimeout(() => reject(new Error('the server kept the connection')), 20_000).unref()
  })
}

describe('devices attacking the gateway', { timeout: 60_000 }, () => {
  let system: RunningSystem
  let api: ApiCall
  let good: TeltonikaTestDevice

  beforeAll(async () => {
    system = await startSystem({
      env: { DEVICE_IDENTIFY_TIMEOUT: '1000', MAX_CONNECTIONS_PER_ADDRESS: String(CAP), CONNECTION_CAP_EXEMPT: 'none' },
    })
    api = apiClient(system.baseUrl, await login(system.baseUrl))
    good = await TeltonikaTestDevice.connect(system.ports.teltonika!, GOOD_IMEI)
  }, 120_000)
  afterAll(async () => {
    good?.close()
    await system?.stop()
  })

  const stats = async (protocol: string): Promise<ProtocolStats> => (await api<Record<string, ProtocolStats>>('GET', '/api/gateway/stats')).body[protocol]!
  const missing = async (records: RecordKey[]): Promise<RecordKey[]> =>
    (await api<MissingRecordsResponse>('POST', '/api/positions/missing', { records })).body.missing
  const device = async (imei: string): Promise<DeviceSummary | undefined> =>
    (await api<DeviceSummary[]>('GET', '/api/devices')).body.find((summary) => summary.imei === imei)

  /** The process is up, and the good device gets its ACK and has its record stored. */
  async function expectGoodDeviceServed(): Promise<void> {
    expect(system.process.exitCode).toBeNull()
    const timeMs = nextFixMs()
    expect(await good.send([fix(timeMs)])).toBe(1)
    expect(await missing([{ imei: GOOD_IMEI, fixTime: iso(timeMs) }])).toEqual([])
  }

  it('stores a UDP datagram from source port 0 and does not answer it, instead of dying on the reply', async () => {
    const imei = '356307042490010'
    const timeMs = nextFixMs()
    sendFromPortZero(system.ports.teltonika!, encodeUdpDatagram(imei, 0x0101, 0x01, [fix(timeMs)]))
    await eventually(async () => expect((await stats('teltonika')).rejections.NO_REPLY_PORT).toBe(1))
    expect(await missing([{ imei, fixTime: iso(timeMs) }])).toEqual([])
    await expectGoodDeviceServed()
  })

  it('quarantines year-10000 and NUL records during a flood while the good device gets every ACK and has every record stored', async () => {
    const flood = startPoisonFlood({
      teltonikaPort: system.ports.teltonika!, osmandPort: system.ports.osmand!, datagramsPerSecond: 400, requestsPerSecond: 200, maxInFlight: 4, imeiBase: 356307042491000,
    })
    // A TCP device mixing a good record with a year-10000 one in every packet: both count for the ACK, the good one is stored.
    const mixed = await TeltonikaTestDevice.connect(system.ports.teltonika!, '356307042490020')
    const sent: RecordKey[] = []
    const mixedGood: RecordKey[] = []
    try {
      for (let i = 0; i < 60; i++) {
        const timeMs = nextFixMs()
        expect(await good.send([fix(timeMs)])).toBe(1)
        sent.push({ imei: GOOD_IMEI, fixTime: iso(timeMs) })
        if (i % 10 === 0) {
          const mixedMs = nextFixMs()
          expect(await mixed.send([fix(mixedMs), fix(YEAR_10000_MS + i)])).toBe(2)
          mixedGood.push({ imei: '356307042490020', fixTime: iso(mixedMs) })
        }
      }
    } finally {
      mixed.close()
      await flood.stop()
    }
    expect(flood.counts.datagrams).toBeGreaterThan(0)
    expect(flood.counts.requests).toBeGreaterThan(0)
    expect(flood.counts.statuses, 'every NUL request answered 200: the record is refused, the request handled').toEqual({ 200: flood.counts.requests })
    expect(await missing([...sent, ...mixedGood])).toEqual([])

    const teltonika = await stats('teltonika')
    expect(teltonika.rejections.FIX_TIME_OUT_OF_RANGE).toBeGreaterThanOrEqual(6)
    expect(teltonika.rejections.STORAGE_FAILED ?? 0).toBe(0)
    expect((await stats('osmand')).rejections.BAD_TEXT).toBeGreaterThan(0)

    const mixedQuarantine = await api<QuarantinedRecord[]>('GET', '/api/devices/356307042490020/quarantine')
    expect(mixedQuarantine.status).toBe(200)
    expect(mixedQuarantine.body).toHaveLength(6)
    expect(mixedQuarantine.body[0]).toMatchObject({ code: 'FIX_TIME_OUT_OF_RANGE', field: 'fixTime', transport: 'tcp', fixTime: iso(YEAR_10000_MS + 50) })
    expect(mixedQuarantine.body[0]!.raw.hex).toBe(encodeAvlPacket([fix(Date.parse(mixedGood[5]!.fixTime)), fix(YEAR_10000_MS + 50)]).toString('hex'))
    const nulQuarantine = await api<QuarantinedRecord[]>('GET', '/api/devices/poison-356307042491000-0/quarantine')
    expect(nulQuarantine.body[0]).toMatchObject({ code: 'BAD_TEXT', field: 'io.driverUniqueId', transport: 'http' })
    expect(String(nulQuarantine.body[0]!.raw.target)).toContain('driverUniqueId=%00')
    expect((await api<QuarantinedRecord[]>('GET', `/api/devices/${GOOD_IMEI}/quarantine`)).body).toEqual([])
    await expectGoodDeviceServed()
  }, 120_000)

  it('refuses an OsmAnd request for a registered Teltonika IMEI: the van stays where its own device put it', async () => {
    const before = (await device(GOOD_IMEI))!.position
    const parisMs = nextFixMs() + 60_000
    const response = await fetch(`http://127.0.0.1:${system.ports.osmand}${encodeQueryTarget(GOOD_IMEI, { timeMs: parisMs, latitude: 48.8584, longitude: 2.2945 })}`)
    expect(response.status).toBe(403)
    expect((await stats('osmand')).rejections.PROTOCOL_MISMATCH).toBe(1)
    expect(await missing([{ imei: GOOD_IMEI, fixTime: iso(parisMs) }])).toEqual([{ imei: GOOD_IMEI, fixTime: iso(parisMs) }])
    expect((await device(GOOD_IMEI))!.position).toEqual(before)
    await expectGoodDeviceServed()
  })

  it('closes the older TCP session when a newer one identifies with the same IMEI', async () => {
    const imei = '356307042490030'
    const first = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    expect(await first.send([fix(nextFixMs())])).toBe(1)
    const second = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    await first.closed
    expect(await second.send([fix(nextFixMs())])).toBe(1)
    expect((await stats('teltonika')).rejections.SUPERSEDED).toBe(1)
    expect((await device(imei))?.connected, 'the newer session keeps the device connected').toBe(true)
    second.close()
    await expectGoodDeviceServed()
  })

  it('closes connections that do not identify within DEVICE_IDENTIFY_TIMEOUT, on every TCP protocol', async () => {
    const silent = await connectAndAwaitClose(system.ports.teltonika!)
    expect(silent).toHaveLength(0)
    await connectAndAwaitClose(system.ports.gt06!)
    expect((await stats('teltonika')).rejections.IDENTIFY_TIMEOUT).toBeGreaterThanOrEqual(1)
    expect((await stats('gt06')).rejections.IDENTIFY_TIMEOUT).toBeGreaterThanOrEqual(1)
    await expectGoodDeviceServed()
  })

  it('refuses connections past MAX_CONNECTIONS_PER_ADDRESS from one address, on any protocol, and admits others', async () => {
    const crowd = await Promise.all(
      Array.from({ length: CAP }, (_, n) => TeltonikaTestDevice.connect(system.ports.teltonika!, String(356307042492000 + n), { localAddress: '127.0.0.3' })),
    )
    try {
      // Refused before it is read: the handshake gets no answer and the connection closes.
      expect(await connectAndAwaitClose(system.ports.teltonika!, { localAddress: '127.0.0.3', send: encodeImeiHandshake('356307042492999') })).toHaveLength(0)
      expect(await connectAndAwaitClose(system.ports.gt06!, { localAddress: '127.0.0.3', send: encodeLogin('356307042492998', 1) })).toHaveLength(0)
      expect((await stats('teltonika')).rejections.TOO_MANY_CONNECTIONS).toBe(1)
      expect((await stats('gt06')).rejections.TOO_MANY_CONNECTIONS).toBe(1)

      const neighbour = await TeltonikaTestDevice.connect(system.ports.teltonika!, '356307042492997', { localAddress: '127.0.0.4' })
      expect(await neighbour.send([fix(nextFixMs())])).toBe(1)
      neighbour.close()

      crowd[0]!.close()
      await crowd[0]!.closed
      const again = await eventually(() => TeltonikaTestDevice.connect(system.ports.teltonika!, '356307042492996', { localAddress: '127.0.0.3' }), 10_000, 100)
      expect(await again.send([fix(nextFixMs())])).toBe(1)
      again.close()
    } finally {
      crowd.forEach((member) => member.close())
    }
    await expectGoodDeviceServed()
  })

  it('stores a fix more than FUTURE_FIX_SKEW ahead without moving the vehicle, and the next true fix moves it', async () => {
    const imei = '356307042490040'
    const clock = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    try {
      const nowMs = Date.now() - (Date.now() % 1000)
      expect(await clock.send([fix(nowMs - 2000, { latitude: 54.1 })])).toBe(1)
      const aheadMs = nowMs + 60 * 60_000
      expect(await clock.send([fix(aheadMs, { latitude: 48.85, longitude: 2.35 })])).toBe(1)
      expect(await missing([{ imei, fixTime: iso(aheadMs) }])).toEqual([])
      expect((await device(imei))!.position).toMatchObject({ fixTime: iso(nowMs - 2000), latitude: 54.1 })
      expect(await clock.send([fix(nowMs - 1000, { latitude: 54.2 })])).toBe(1)
      await eventually(async () => expect((await device(imei))!.position).toMatchObject({ fixTime: iso(nowMs - 1000), latitude: 54.2 }))
      const stored = await api<StoredPosition[]>('GET', `/api/devices/${imei}/positions?from=${iso(nowMs - 60_000)}&to=${iso(aheadMs + 1000)}`)
      expect(stored.body.map((position) => position.fixTime)).toEqual([iso(nowMs - 2000), iso(nowMs - 1000), iso(aheadMs)])
    } finally {
      clock.close()
    }
    await expectGoodDeviceServed()
  })
})
