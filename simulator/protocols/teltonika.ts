/**
 * Teltonika FMB over TCP or UDP (docs/protocols.md, Teltonika). TCP: the IMEI handshake answered 01 (00
 * refuses), then one AVL packet per batch (history goes in multi-record packets) answered with its
 * record count. UDP: no handshake; every datagram carries the IMEI and is answered with its packet ids
 * and count. Teltonika does not flag history; the gateway recognises it by its age. Events are IO
 * elements on the record: io252 (unplug) for power cut/restore, io253 (green driving type) for harsh
 * driving.
 */
import { teltonika } from '../../gateway/protocols/teltonika/index.ts'
import { GREEN_DRIVING, IMEI_ACCEPTED, IMEI_REJECTED, IO } from '../../gateway/protocols/teltonika/constants.ts'
import {
  type EncodableCodec,
  type TeltonikaRecordInput,
  encodeAvlPacket,
  encodeImeiHandshake,
  encodeUdpDatagram,
} from '../../gateway/protocols/teltonika/encode.ts'
import { readAcks } from '../ack-reader.ts'
import type { SimEventType, SimRecord } from '../record.ts'
import { ReplyReader, unexpectedKey } from './replies.ts'
import type { SimConnection, SimProtocolFamily } from './types.ts'

/** The IO element (id, value) that reports each event; SOS has no model-independent IO and is not offered. */
const EVENT_IO: ReadonlyMap<SimEventType, readonly [number, number]> = new Map<SimEventType, readonly [number, number]>([
  ['powerCut', [IO.unplug, 1]],
  ['powerRestored', [IO.unplug, 0]],
  ['harshAcceleration', [IO.greenDrivingType, GREEN_DRIVING.acceleration]],
  ['harshBraking', [IO.greenDrivingType, GREEN_DRIVING.braking]],
  ['harshCornering', [IO.greenDrivingType, GREEN_DRIVING.cornering]],
])

/** The record as an FMB reports it: the moment's IO elements, and the triggering one as the event IO id. */
export function toTeltonikaRecord(r: SimRecord): TeltonikaRecordInput {
  const io: Record<number, number> = {
    [IO.ignition]: r.ignition ? 1 : 0,
    [IO.movement]: r.moving ? 1 : 0,
    [IO.gsmSignal]: r.gsmLevel,
    [IO.totalOdometerM]: r.odometerM,
    [IO.externalVoltageMv]: r.externalVoltageMv,
    [IO.batteryVoltageMv]: r.batteryVoltageMv,
  }
  let eventIoId = r.ignitionChanged ? IO.ignition : 0
  if (r.event !== undefined) {
    const [id, value] = EVENT_IO.get(r.event) ?? unsupported(r.event)
    io[id] = value
    eventIoId = id
  }
  return {
    timeMs: r.timeMs,
    latitude: r.latitude,
    longitude: r.longitude,
    altitude: r.altitude,
    course: r.course,
    satellites: r.satellites,
    speedKmh: r.speedKmh,
    priority: eventIoId === 0 ? 0 : 1,
    eventIoId,
    io,
  }
}

export const teltonikaSim: SimProtocolFamily = {
  name: 'teltonika',
  transports: ['tcp', 'udp'],
  defaultPort: teltonika.defaultPort,
  fixTimeResolutionMs: 1,
  reportsIgnition: true, // io239 on every record
  events: [...EVENT_IO.keys()],
  create: ({ transport, codec }) => ({
    name: 'teltonika',
    transport,
    // Coordinates are generated at 1e-7 degrees and times in milliseconds: the wire keeps both.
    quantize: (record) => record,
    connect: (imei) => (transport === 'udp' ? udpConnection(imei, codec) : tcpConnection(imei, codec)),
  }),
}

function tcpConnection(imei: string, codec: EncodableCodec | undefined): SimConnection {
  let identified = false
  const reader = new ReplyReader((bytes) => {
    const keys: string[] = []
    let consumed = 0
    if (!identified && bytes.length > 0) {
      identified = true
      keys.push(imeiReplyKey(bytes[0]!))
      consumed = 1
    }
    const acks = readAcks(Buffer.alloc(0), bytes.subarray(consumed))
    for (const count of acks.counts) keys.push(`count:${count}`)
    return { keys, consumed: bytes.length - acks.rest.length }
  })
  return {
    hello: () => ({
      payload: encodeImeiHandshake(imei),
      records: 0,
      ack: imeiReplyKey(IMEI_ACCEPTED),
      refusal: imeiReplyKey(IMEI_REJECTED),
    }),
    encode: (batch) => [
      {
        payload: encodeAvlPacket(
          batch.map((q) => toTeltonikaRecord(q.record)),
          codec,
        ),
        records: batch.length,
        ack: `count:${batch.length}`,
      },
    ],
    read: (chunk) => reader.read(chunk),
  }
}

function udpConnection(imei: string, codec: EncodableCodec | undefined): SimConnection {
  let packetId = 0
  return {
    hello: () => null,
    encode: (batch) => {
      packetId = (packetId + 1) & 0xffff
      const avlPacketId = packetId & 0xff
      return [
        {
          payload: encodeUdpDatagram(
            imei,
            packetId,
            avlPacketId,
            batch.map((q) => toTeltonikaRecord(q.record)),
            codec,
          ),
          records: batch.length,
          ack: udpAckKey(packetId, avlPacketId, batch.length),
        },
      ]
    },
    // One datagram is one reply: 00 05, packet id, packet type, AVL packet id, count.
    read: (datagram) => [
      datagram.length === 7 && datagram.readUInt16BE(0) === 5
        ? udpAckKey(datagram.readUInt16BE(2), datagram[5]!, datagram[6]!)
        : unexpectedKey(datagram),
    ],
  }
}

const imeiReplyKey = (byte: number) => `imei:${byte.toString(16).padStart(2, '0')}`
const udpAckKey = (packetId: number, avlPacketId: number, count: number) => `udp:${packetId}:${avlPacketId}:${count}`

function unsupported(event: SimEventType): never {
  throw new Error(`Teltonika cannot report the ${event} event`)
}
