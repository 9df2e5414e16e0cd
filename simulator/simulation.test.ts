/**
 * Loopback runs against a tiny fake Teltonika server written here: it frames the stream with the
 * gateway's own `frame`, accepts (or refuses) the IMEI, ACKs each AVL packet with its record count,
 * and can misbehave once (drop the connection, or stay silent) to exercise resending.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeImeiReply, encodeRecordCountAck } from '../gateway/protocols/teltonika/encode.ts'
import { frame } from '../gateway/protocols/teltonika/frame.ts'
import { isValidImei } from '../test/helpers/imei.ts'
import { type SimulationSummary, runSimulation } from './run.ts'

interface ReceivedPacket {
  imei: string
  connection: number
  /** Record fix times (epoch ms) in packet order. */
  timestamps: number[]
  acked: boolean
}

interface FakeGatewayOptions {
  /** Close the connection instead of ACKing the n-th AVL packet (1-based, over all devices). */
  dropPacket?: number
  /** Never answer the n-th AVL packet, keeping the connection open. */
  silentPacket?: number
  /** ACK one record fewer than the n-th AVL packet carries. */
  shortAckPacket?: number
  refuse?: boolean
}

interface FakeGateway {
  port: number
  packets: ReceivedPacket[]
  /** Accepted handshakes per IMEI. */
  handshakes: Map<string, number>
  close(): Promise<void>
}

/** Fix times of the records in a codec 8 packet (walks the IO block to find each record's start). */
function codec8Timestamps(packet: Buffer): number[] {
  expect(packet[8]).toBe(0x08)
  const count = packet[9]!
  const times: number[] = []
  let o = 10
  for (let i = 0; i < count; i++) {
    times.push(Number(packet.readBigUInt64BE(o)))
    o += 8 + 1 + 4 + 4 + 2 + 2 + 1 + 2 // time, priority, lon, lat, altitude, angle, satellites, speed
    o += 2 // event IO id, total IO count
    for (const width of [1, 2, 4, 8]) {
      const n = packet[o++]!
      o += n * (1 + width)
    }
  }
  expect(packet[o]).toBe(count)
  return times
}

async function startFakeGateway(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const packets: ReceivedPacket[] = []
  const handshakes = new Map<string, number>()
  const sockets = new Set<net.Socket>()
  let connections = 0
  const server = net.createServer({ noDelay: true }, (socket) => {
    const connection = ++connections
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let rest: Buffer = Buffer.alloc(0)
    let imei: string | undefined
    socket.on('data', (chunk: Buffer) => {
      const framed = frame(Buffer.concat([rest, chunk]), 1 << 20)
      rest = Buffer.from(framed.rest)
      expect(framed.error).toBeUndefined()
      for (const message of framed.frames) {
        if (imei === undefined) {
          imei = message.subarray(2).toString('ascii')
          if (options.refuse) {
            socket.end(encodeImeiReply(false))
            return
          }
          handshakes.set(imei, (handshakes.get(imei) ?? 0) + 1)
          socket.write(encodeImeiReply(true))
          continue
        }
        const packet: ReceivedPacket = { imei, connection, timestamps: codec8Timestamps(message), acked: false }
        packets.push(packet)
        if (packets.length === options.dropPacket) {
          socket.destroy()
          return
        }
        if (packets.length === options.silentPacket) continue
        if (packets.length === options.shortAckPacket) {
          socket.write(encodeRecordCountAck(packet.timestamps.length - 1))
          continue
        }
        packet.acked = true
        const ack = encodeRecordCountAck(packet.timestamps.length)
        if (packets.length % 2 === 0) {
          socket.write(ack)
        } else {
          // Split the ACK over two TCP segments, as a slow or fragmenting network would.
          socket.write(ack.subarray(0, 3))
          setTimeout(() => socket.writable && socket.write(ack.subarray(3)), 2)
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    packets,
    handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

const START = new Date(Date.UTC(2026, 0, 15, 8, 0, 0))
let gateway: FakeGateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

const key = (imei: string, timeMs: number) => `${imei}@${new Date(timeMs).toISOString()}`
const ackedKeys = (summary: SimulationSummary) =>
  summary.perDevice.flatMap((d) => d.ackedRecords.map((r) => `${r.imei}@${r.fixTime}`))

describe('simulating devices over TCP', () => {
  it('resends the packet a dropped connection left unacknowledged and ends with every record acked', async () => {
    gateway = await startFakeGateway({ dropPacket: 10 })
    const summary = await runSimulation({
      port: gateway.port,
      devices: 3,
      durationSec: 20,
      rate: 20,
      seed: 1,
      startTime: START,
      ackTimeoutMs: 1000,
      backoffMinMs: 50,
      graceMs: 5000,
    })

    expect(summary.recordsGenerated).toBe(60)
    expect(summary.recordsAcked).toBe(60)
    expect(summary.recordsNeverAcked).toBe(0)
    expect(summary.errorsByKind.connectionLost).toBe(1)
    expect(summary.errors).toBe(1)
    expect(summary.recordsResent).toBe(gateway.packets[9]!.timestamps.length)
    expect(summary.recordsSent).toBe(60 + summary.recordsResent)
    expect(summary.ackLatencyMs.count).toBe(summary.packetsAcked)
    expect(summary.ackLatencyMs.p50).toBeGreaterThan(0)

    // The dropped packet's records came again from the same device, on a new connection, and were acked.
    const dropped = gateway.packets[9]!
    const resent = gateway.packets.filter((p) => p.imei === dropped.imei && p.acked && p.connection !== dropped.connection)
    for (const t of dropped.timestamps) expect(resent.some((p) => p.timestamps.includes(t))).toBe(true)
    expect(gateway.handshakes.get(dropped.imei)).toBe(2)

    // What the simulator reports as acked is exactly what the server acked, and every record is there once.
    const serverAcked = gateway.packets.filter((p) => p.acked).flatMap((p) => p.timestamps.map((t) => key(p.imei, t)))
    expect(new Set(ackedKeys(summary))).toEqual(new Set(serverAcked))
    expect(new Set(ackedKeys(summary)).size).toBe(60)

    for (const device of summary.perDevice) {
      expect(isValidImei(device.imei)).toBe(true)
      expect(device.ackedRecords).toHaveLength(20)
      const times = device.ackedRecords.map((r) => Date.parse(r.fixTime))
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000)
      expect(times[0]!).toBeGreaterThanOrEqual(START.getTime())
      expect(times[0]!).toBeLessThan(START.getTime() + 1000)
      for (const r of device.ackedRecords) {
        expect(Math.abs(r.latitude - 54.69)).toBeLessThan(0.1) // Vilnius
        expect(Math.abs(r.longitude - 25.27)).toBeLessThan(0.1)
      }
    }
  }, 10_000)

  it('uploads the history recorded without coverage in multi-record packets, oldest first, then continues live', async () => {
    gateway = await startFakeGateway()
    const summary = await runSimulation({
      port: gateway.port,
      devices: 2,
      durationSec: 30,
      rate: 10,
      seed: 2,
      startTime: START,
      coverageLoss: { startSec: 10, durationSec: 10 },
      maxRecordsPerPacket: 4,
      ackTimeoutMs: 1000,
      graceMs: 5000,
    })

    expect(summary.recordsGenerated).toBe(60)
    expect(summary.recordsNeverAcked).toBe(0)
    expect(summary.errors).toBe(0) // losing coverage is expected, not an error
    for (const device of summary.perDevice) {
      const packets = gateway.packets.filter((p) => p.imei === device.imei)
      const times = packets.flatMap((p) => p.timestamps)
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!)
      expect(times).toHaveLength(30)

      const simSec = (t: number) => (t - START.getTime()) / 1000
      const history = packets.filter((p) => p.timestamps.length > 1)
      expect(history.length).toBeGreaterThanOrEqual(2)
      for (const p of history) expect(p.timestamps.length).toBeLessThanOrEqual(4)
      // Records from inside the gap arrived as history; before the gap and after catching up, one per packet.
      for (const p of packets) {
        for (const t of p.timestamps) {
          if (simSec(t) > 10.5 && simSec(t) < 19.5) expect(p.timestamps.length).toBeGreaterThan(1)
          if (simSec(t) < 9.5 || simSec(t) > 24) expect(p.timestamps.length).toBe(1)
        }
      }
      expect(gateway.handshakes.get(device.imei)).toBe(2)
    }
  }, 10_000)

  it('sends live records in packets of --records-per-packet', async () => {
    gateway = await startFakeGateway()
    const summary = await runSimulation({
      port: gateway.port,
      devices: 1,
      durationSec: 10,
      recordsPerPacket: 5,
      rate: 20,
      seed: 3,
      graceMs: 2000,
    })
    expect(summary.recordsNeverAcked).toBe(0)
    expect(gateway.packets.map((p) => p.timestamps.length)).toEqual([5, 5])
  }, 10_000)

  it('reconnects and resends after an ACK timeout', async () => {
    gateway = await startFakeGateway({ silentPacket: 3 })
    const summary = await runSimulation({
      port: gateway.port,
      devices: 1,
      durationSec: 6,
      rate: 10,
      seed: 4,
      ackTimeoutMs: 300,
      backoffMinMs: 50,
      graceMs: 3000,
    })
    expect(summary.errorsByKind.ackTimeout).toBe(1)
    expect(summary.recordsNeverAcked).toBe(0)
    const silent = gateway.packets[2]!
    const later = gateway.packets.filter((p) => p.acked && p.connection !== silent.connection)
    expect(later.some((p) => p.timestamps.includes(silent.timestamps[0]!))).toBe(true)
  }, 10_000)

  it('treats an ACK with the wrong record count as no ACK and sends the records again', async () => {
    gateway = await startFakeGateway({ shortAckPacket: 2 })
    const summary = await runSimulation({
      port: gateway.port,
      devices: 1,
      durationSec: 10,
      recordsPerPacket: 2,
      rate: 20,
      seed: 5,
      backoffMinMs: 50,
      graceMs: 3000,
    })
    expect(summary.errorsByKind.ackMismatch).toBe(1)
    expect(summary.recordsNeverAcked).toBe(0)
    expect(summary.recordsResent).toBe(2)
    const short = gateway.packets[1]!
    expect(gateway.packets.filter((p) => p.acked && p.timestamps.includes(short.timestamps[0]!))).toHaveLength(1)
  }, 10_000)

  it('waits for coverage that returns after the last record and still uploads everything', async () => {
    gateway = await startFakeGateway()
    const summary = await runSimulation({
      port: gateway.port,
      devices: 2,
      durationSec: 10,
      rate: 10,
      seed: 6,
      coverageLoss: { startSec: 5, durationSec: 10 },
      graceMs: 3000,
    })
    expect(summary.recordsGenerated).toBe(20)
    expect(summary.recordsNeverAcked).toBe(0)
    expect(summary.realDurationMs).toBeGreaterThanOrEqual(1400)
    for (const device of summary.perDevice) {
      const history = gateway.packets.filter((p) => p.imei === device.imei && p.timestamps.length > 1)
      expect(history).toHaveLength(1)
      expect(history[0]!.timestamps).toHaveLength(5)
    }
  }, 10_000)

  it('reports a refused IMEI as an error and the records as never acked', async () => {
    gateway = await startFakeGateway({ refuse: true })
    const summary = await runSimulation({
      port: gateway.port,
      devices: 1,
      durationSec: 2,
      rate: 10,
      backoffMinMs: 50,
      graceMs: 300,
    })
    expect(summary.errorsByKind.refused).toBeGreaterThanOrEqual(1)
    expect(summary.recordsAcked).toBe(0)
    expect(summary.recordsNeverAcked).toBe(summary.recordsGenerated)
    expect(summary.perDevice[0]!.lastError).toMatch(/refused/)
  }, 10_000)

  it('reports connection failures when nothing listens', async () => {
    const unused = await startFakeGateway()
    const port = unused.port
    await unused.close()
    const summary = await runSimulation({ port, devices: 2, durationSec: 1, rate: 10, backoffMinMs: 50, graceMs: 300 })
    expect(summary.errorsByKind.connectFailed).toBeGreaterThanOrEqual(2)
    expect(summary.recordsNeverAcked).toBe(summary.recordsGenerated)
  }, 10_000)

  it('stops early when its AbortSignal fires and still returns a summary', async () => {
    gateway = await startFakeGateway()
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 300)
    const summary = await runSimulation({
      port: gateway.port,
      devices: 2,
      durationSec: 600,
      signal: controller.signal,
    })
    expect(summary.aborted).toBe(true)
    expect(summary.recordsGenerated).toBeGreaterThan(0)
    expect(summary.recordsGenerated).toBeLessThan(10)
  }, 10_000)
})
