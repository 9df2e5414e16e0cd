/**
 * The seam between the simulated device (device.ts: queue, coverage, reconnects, resends) and a
 * protocol: how a device of that family identifies itself, turns queued records into messages with the
 * protocol's own encode.ts, and recognises the gateway's replies.
 *
 * Replies are compared as short strings ("reply keys") so the device can match them without knowing a
 * protocol: each message names the reply that confirms it, and the connection turns the bytes the
 * gateway sends into keys in arrival order.
 */
import type { EncodableCodec } from '../../gateway/protocols/teltonika/encode.ts'
import type { Protocol } from '../../core/record.ts'
import type { SimEventType, SimRecord } from '../record.ts'

export type SimTransport = 'tcp' | 'udp' | 'http'

/** A record in a device's queue. */
export interface QueuedRecord {
  record: SimRecord
  /** Generated while the device had no coverage: it is stored history when uploaded. */
  history: boolean
  /** Transmissions so far. */
  sends: number
}

/** One HTTP request (OsmAnd). */
export interface SimHttpRequest {
  method: 'GET' | 'POST'
  /** Path and query, e.g. `/?id=...&lat=...`. */
  target: string
  contentType?: string
  body?: string
}

export interface SimMessage {
  /** Bytes for TCP and UDP, a request for HTTP. */
  payload: Buffer | SimHttpRequest
  /** How many records of the batch it carries, in batch order (0 for identification or a heartbeat). */
  records: number
  /**
   * The reply key that confirms it. Fleetwire's gateway answers every message the simulator sends, and
   * only once its records are durable (Teltonika record count, GT06 serial echo, Queclink +SACK, HTTP 200).
   */
  ack: string
  /** For identification: the reply key by which the gateway refuses the device, if the protocol has one. */
  refusal?: string
}

/** One connection's protocol state (serial numbers, packet ids, a partial reply). */
export interface SimConnection {
  /** Identification sent first (Teltonika IMEI handshake, GT06 login); null when every message carries the identity. */
  hello(): SimMessage | null
  /** Messages for a batch (the oldest records in the queue, in order); each record is carried by exactly one message. */
  encode(batch: readonly QueuedRecord[]): SimMessage[]
  /** Turns what the gateway sent into reply keys, keeping an incomplete reply for the next read. */
  read(chunk: Buffer): string[]
}

/** A protocol as one simulation speaks it (one transport, one set of options). */
export interface SimProtocol {
  name: Protocol
  transport: SimTransport
  /** The record as the gateway will decode it: coordinates and time at the wire's resolution. */
  quantize(record: SimRecord): SimRecord
  /** A new connection for device `imei`. */
  connect(imei: string): SimConnection
}

export interface SimProtocolOptions {
  transport: SimTransport
  /** Teltonika AVL codec (other protocols ignore it). */
  codec?: EncodableCodec
}

/** What the simulator offers for a protocol family, and how to set one up. */
export interface SimProtocolFamily {
  name: Protocol
  /** Transports the simulator speaks it over; the first is the default. */
  transports: readonly [SimTransport, ...SimTransport[]]
  /** The gateway's default port (from the protocol's descriptor). */
  defaultPort: number
  /** Fix times go on the wire in steps of this many ms (records must be at least this far apart). */
  fixTimeResolutionMs: number
  /** Every record carries the ignition (so a loose ignition wire shows on each fix). */
  reportsIgnition: boolean
  /** Scheduled events it can report. */
  events: readonly SimEventType[]
  create(options: SimProtocolOptions): SimProtocol
}
