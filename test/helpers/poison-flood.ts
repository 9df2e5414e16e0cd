/**
 * A sender of records that can never be stored, as fast as asked: Teltonika UDP datagrams dated in
 * year 10000 and OsmAnd requests whose parameter carries a NUL byte (`%00`). Used by the hostile
 * tests and the poisoning benchmark, beside a well-behaved device whose ACKs are counted.
 */
import dgram from 'node:dgram'
import { encodeQueryTarget } from '../../gateway/protocols/osmand/encode.ts'
import { encodeUdpDatagram } from '../../gateway/protocols/teltonika/encode.ts'

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
  /** OsmAnd requests in flight at once, each sent as soon as the previous is answered. */
  httpConcurrency: number
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
  let running = true
  const socket = dgram.createSocket('udp4')
  socket.on('error', () => {})
  socket.on('message', () => {})
  const TICK_MS = 10
  const perTick = Math.max(1, Math.round((options.datagramsPerSecond * TICK_MS) / 1000))
  const udp = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const n = counts.datagrams++
      socket.send(year10000Datagram(String(options.imeiBase + (n % 10)), n), options.teltonikaPort, '127.0.0.1')
    }
  }, TICK_MS)
  const sender = async (lane: number) => {
    let n = 0
    while (running) {
      const target = nulOsmandTarget(`poison-${options.imeiBase}-${lane}`, Date.now() - 60_000 + (n++ % 50_000))
      try {
        const response = await fetch(`http://127.0.0.1:${options.osmandPort}${target}`)
        await response.arrayBuffer()
        counts.statuses[response.status] = (counts.statuses[response.status] ?? 0) + 1
      } catch {
        counts.statuses[0] = (counts.statuses[0] ?? 0) + 1
      }
      counts.requests++
    }
  }
  const senders = Array.from({ length: options.httpConcurrency }, (_, lane) => sender(lane))
  return {
    counts,
    async stop() {
      running = false
      clearInterval(udp)
      await Promise.all(senders)
      socket.close()
      return counts
    },
  }
}
