/**
 * Test support: feeds what a simulated device sends through a gateway protocol's own frame and decode
 * (or decodeRequest, for HTTP), as one connection, and turns the replies back into reply keys as the
 * device's link would. No sockets: a round trip that shows the simulator's messages mean to the gateway
 * what the simulator meant.
 */
import { expect } from 'vitest'
import type { DeviceRecord, Protocol } from '../../core/record.ts'
import type { AnyProtocolDescriptor, Decoded, ProtocolDescriptor, Session } from '../../gateway/protocols/types.ts'
import { expectValidRecord } from './expect-valid-record.ts'
import { createRandom } from '../../simulator/random.ts'
import type { SimEventType, SimRecord } from '../../simulator/record.ts'
import { ROUTES } from '../../simulator/routes.ts'
import { SimulatedVehicle } from '../../simulator/vehicle.ts'
import type { QueuedRecord, SimConnection, SimMessage, SimProtocol } from '../../simulator/protocols/types.ts'

export const LOOPBACK_NOW = new Date(Date.UTC(2026, 0, 15, 9))
export const LOOPBACK_START_MS = Date.UTC(2026, 0, 15, 8)

export interface LoopbackResult {
  records: DeviceRecord[]
  /** The gateway's replies, read back through the adapter's reader, in order. */
  replies: string[]
  /** The reply each message expected (null where none). */
  expected: Array<string | null>
}

/** One gateway-side connection: frames (TCP), takes datagrams (UDP) or requests (HTTP) and decodes them in order. */
export class GatewayLoopback {
  readonly #descriptor: AnyProtocolDescriptor
  readonly #session: Session
  readonly #device: SimConnection
  #pending: Buffer = Buffer.alloc(0)

  constructor(descriptor: AnyProtocolDescriptor, protocol: SimProtocol, imei: string) {
    this.#descriptor = descriptor
    this.#session = { transport: protocol.transport }
    this.#device = protocol.connect(imei)
  }

  get device(): SimConnection {
    return this.#device
  }

  /** Sends the device's identification (if any), then the messages for `batch`. */
  exchange(messages: SimMessage[]): LoopbackResult {
    const result: LoopbackResult = { records: [], replies: [], expected: messages.map((m) => m.ack) }
    const context = { now: LOOPBACK_NOW, crc: 'strict' } as const
    const settle = (decoded: Decoded) => {
      if (decoded.error) throw new Error(`gateway rejected a simulated message: ${decoded.error.code} ${decoded.error.message}`)
      if (decoded.identity) this.#session.imei = decoded.identity.imei
      result.records.push(...decoded.records)
    }
    for (const { payload } of messages) {
      if ('decodeRequest' in this.#descriptor) {
        if (Buffer.isBuffer(payload)) throw new Error('an HTTP protocol takes requests')
        const { method, target, contentType = '', body = '' } = payload
        const decoded = this.#descriptor.decodeRequest({ method, target, contentType, body: Buffer.from(body) }, context)
        settle(decoded)
        result.replies.push(`http:${decoded.status}`)
        continue
      }
      if (!Buffer.isBuffer(payload)) throw new Error('a stream or datagram protocol takes bytes')
      for (const frame of this.#frames(this.#descriptor.frame, payload)) {
        const decoded = this.#descriptor.decode(frame, this.#session, context)
        settle(decoded)
        if (decoded.ack) result.replies.push(...this.#device.read(Buffer.from(decoded.ack)))
      }
    }
    return result
  }

  #frames(frame: ProtocolDescriptor['frame'], bytes: Buffer): Buffer[] {
    if (this.#session.transport === 'udp') return [bytes]
    const framed = frame(Buffer.concat([this.#pending, bytes]), 1 << 20)
    if (framed.error) throw new Error(`gateway cannot frame a simulated message: ${framed.error.code}`)
    this.#pending = framed.rest
    return framed.frames
  }
}

/** `count` records `everySec` apart from one vehicle of each bundled route, with `events.get(i)` on record `i`. */
export function simulatedRecords(
  protocol: SimProtocol,
  count: number,
  options: { everySec?: number; history?: boolean; events?: ReadonlyMap<number, SimEventType> } = {},
): QueuedRecord[][] {
  const { everySec = 30, history = false, events = new Map() } = options
  return ROUTES.map((route, r) => {
    const vehicle = new SimulatedVehicle(route, createRandom(100 + r), { segment: 0, fraction: 0 })
    return Array.from({ length: count }, (_, i) => ({
      record: protocol.quantize(vehicle.recordAt(i * everySec, LOOPBACK_START_MS + i * everySec * 1000, events.get(i))),
      history,
      sends: 0,
    }))
  })
}

/**
 * The checks every decoded simulated record passes, whatever the protocol: the shared sanity checks, then
 * the device, the fix (time, place, course, speed) as generated, and `buffered` as the simulator sent it.
 * Each protocol's test then checks the fields its messages carry.
 */
export function expectSimulatedRecord(
  record: DeviceRecord,
  input: SimRecord,
  sent: { protocol: Protocol; imei: string; history: boolean },
): void {
  expectValidRecord(record)
  expect(record).toMatchObject({
    imei: sent.imei,
    protocol: sent.protocol,
    fixTime: new Date(input.timeMs).toISOString(),
    buffered: sent.history,
    valid: true,
    latitude: input.latitude,
    longitude: input.longitude,
    course: input.course,
  })
  // Some protocols send speed as knots or m/s: the way back to km/h is floating point.
  expect(record.speedKmh).toBeCloseTo(input.speedKmh, 6)
}
