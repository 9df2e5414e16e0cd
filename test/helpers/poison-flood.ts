/**
 * A sender of records that can never be stored, as fast as asked: Teltonika UDP datagrams dated in
 * year 10000 and OsmAnd requests whose parameter carries a NUL byte (`%00`). Used by the hostile
 * tests and the poisoning benchmark, beside a well-behaved device whose ACKs are counted.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import { encodeQueryTarget } from '../../gateway/protocols/osmand/encode.ts'
import { encodeUdpDatagram } from '../../gateway/protocols/teltonika/encode.ts'

const TICK_MS = 10
const MAX_IN_FLIGHT = 8

export const YEAR_10000_MS = Date.parse('+010000-01-01T00:00:00.000Z')

export interface FloodCounts {
  datagrams: number
  requests: number
  /** OsmAnd answers by status. */
  statuses: Record<number, number>
}

export interface PoisonFlood {
  counts: FloodCounts
  stop(): Promise<FloodCounts>
}

export interface FloodOptions {
  teltonikaPort: number
  osmandPort: number
  /** Teltonika UDP datagrams a second (each one year-10000 record). */
  datagramsPerSecond: number
  /** OsmAnd requests a second (each one record with a NUL parameter). */
  requestsPerSecond: number
  /** OsmAnd connections, each with one request in flight at most; 8 unless set. */
  maxInFlight?: number
  /** IMEIs and ids of the poisoning devices start here. */
  imeiBase: number
}

/** The OsmAnd request target of a fix whose `driverUniqueId` is a NUL byte. */
export function nulOsmandTarget(id: string, timeMs: number): string {
  return encodeQueryTarget(id, { timeMs, latitude: 54.68, longitude: 25.28, speedKmh: 10, attributes: { driverUniqueId: '\u0000' } })
}

/** A Teltonika UDP datagram of one record dated in year 10000. */
export function year10000Datagram(imei: string, packetId: number): Buffer {
  return encodeUdpDatagram(imei, packetId & 0xffff, packetId & 0xff, [{ timeMs: YEAR_10000_MS + packetId * 1000, latitude: 54.68, longitude: 25.28, satellites: 9, speedKmh: 20, io: {} }])
}

export function startPoisonFlood(options: FloodOptions): PoisonFlood {
  const counts: FloodCounts = { datagrams: 0, requests: 0, statuses: {} }
  const socket = dgram.createSocket('udp4')
  socket.on('error', () => {})
  socket.on('message', () => {})
  const perTick = Math.max(1, Math.round((options.datagramsPerSecond * TICK_MS) / 1000))
  const udp = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const n = counts.datagrams++
      socket.send(year10000Datagram(String(options.imeiBase + (n % 10)), n), options.teltonikaPort, '127.0.0.1')
    }
  }, TICK_MS)
  // Plain keep-alive sockets writing prepared requests: a flood that costs its sender little, as an
  // attacker's would cost the gateway's machine nothing.
  const lanes = Array.from({ length: options.maxInFlight ?? MAX_IN_FLIGHT }, () => new RequestLane(options.osmandPort, counts))
  const requestsPerTick = Math.max(1, Math.round((options.requestsPerSecond * TICK_MS) / 1000))
  const http = setInterval(() => {
    let sent = 0
    for (const lane of lanes) {
      if (sent === requestsPerTick) break
      if (!lane.idle) continue
      const n = counts.requests++
      lane.send(nulOsmandTarget(`poison-${options.imeiBase}-${n % 10}`, Date.now() - 60_000 + (n % 50_000)))
      sent++
    }
  }, TICK_MS)
  return {
    counts,
    async stop() {
      clearInterval(udp)
      clearInterval(http)
      await Promise.all(lanes.map((lane) => lane.close()))
      socket.close()
      return counts
    },
  }
}

/** One keep-alive HTTP/1.1 connection sending one GET at a time and counting the answers by status. */
class RequestLane {
  idle = true
  #socket: net.Socket | undefined
  #received = Buffer.alloc(0)
  #answered: (() => void) | undefined

  constructor(
    private readonly port: number,
    private readonly counts: FloodCounts,
  ) {}

  send(target: string): void {
    this.idle = false
    const socket = this.#socket ?? this.#connect()
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
  }

  /** Waits for the request in flight, if any, then closes. */
  async close(): Promise<void> {
    if (!this.idle) await new Promise<void>((resolve) => (this.#answered = resolve))
    this.#socket?.destroy()
  }

  #connect(): net.Socket {
    const socket = net.connect(this.port, '127.0.0.1')
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.#read(chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      if (this.#socket !== socket) return
      this.#socket = undefined
      this.#received = Buffer.alloc(0)
      if (!this.idle) this.#done(0)
    })
    this.#socket = socket
    return socket
  }

  #read(chunk: Buffer): void {
    this.#received = Buffer.concat([this.#received, chunk])
    const headEnd = this.#received.indexOf('\r\n\r\n')
    if (headEnd < 0) return
    const head = this.#received.subarray(0, headEnd).toString('latin1')
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (this.#received.length < headEnd + 4 + length) return
    this.#received = this.#received.subarray(headEnd + 4 + length)
    this.#done(Number(head.slice(9, 12)))
  }

  #done(status: number): void {
    this.counts.statuses[status] = (this.counts.statuses[status] ?? 0) + 1
    this.idle = true
    this.#answered?.()
    this.#answered = undefined
  }
}
