import type { Logger } from '../../logger.ts'
import type { RecordWriter } from '../record-writer.ts'
import type { Admission, DeviceAdmission } from '../admission.ts'
import type { GatewayStats } from '../stats.ts'
import type { DeviceRecord, Protocol } from '../../core/record.ts'
import type { RejectionReason } from '../rejections.ts'
import type { QuarantineSink } from '../quarantine.ts'
import type { ConnectionsPerAddress } from '../address-limit.ts'
import { recordProblem, type RecordProblem } from '../record-validation.ts'
import type { MessageKind } from '../../core/message-kind.ts'
import type { Decoded, ProtocolDescriptor, Session } from '../protocols/types.ts'
import type { PacketSink } from '../packet-log.ts'

/** What message handling logs through: a pino logger, or a TCP connection's lazily made child (tcp.ts). */
export type MessageLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>

export interface GatewayContext {
  writer: RecordWriter
  devices: DeviceAdmission
  stats: GatewayStats
  crc: 'strict' | 'lenient'
  maxMessageBytes: number
  idleTimeoutMs: number
  /** How far ahead of the gateway's clock a fix time may be before the record is refused (MAX_FUTURE_FIX). */
  maxFutureFixMs: number
  /** Where every identified device's messages are shown to installers. */
  packets?: PacketSink
  /** Where records that can never be stored are kept for installers. */
  quarantine?: QuarantineSink
  /** The cap on device connections from one address (TCP and HTTP listeners); none when absent. */
  connectionsPerAddress?: ConnectionsPerAddress
}

export type MessageOutcome =
  | { ok: true; reply?: Uint8Array; identified?: string }
  | { ok: false; reason: RejectionReason; reply?: Uint8Array }

/** How a decoded message was settled; a refused one carries its refusal reply, if the protocol has one. */
export type Settlement = { ok: true } | { ok: false; reason: RejectionReason; reply?: Uint8Array }

/** One decoded message to settle: what it decoded to, from which protocol and connection. */
export interface DecodedMessage {
  protocol: Protocol
  decoded: Decoded
  session: Session
  /** Describes the message for the log and the packet log (its hex, or the HTTP request); called only when needed. */
  input: () => Record<string, unknown>
  /** What kind of message it was, for the packet log; called only when a device is watched. */
  kind: () => MessageKind
}

/**
 * The durability contract in one place: decode, await the durable write, and only then hand back
 * the reply (ACK) to send. A failed write yields no ACK, so the device keeps its data and retries.
 */
export async function handleMessage(
  protocol: ProtocolDescriptor,
  message: Buffer,
  session: Session,
  context: GatewayContext,
  log: MessageLog,
): Promise<MessageOutcome> {
  context.stats.for(protocol.name).messages++
  log.debug({ hex: message.toString('hex') }, 'in')
  const decoded = protocol.decode(message, session, { now: new Date(), crc: context.crc })
  const input = () => ({ hex: message.toString('hex') })
  const kind = () => protocol.describeMessage(message, session.transport === 'udp' ? 'udp' : 'tcp')
  const settled = await settleDecoded({ protocol: protocol.name, decoded, session, input, kind }, context, log)
  if (!settled.ok) return settled
  // The device's later messages are read in the time zone its accepted identification gave.
  if (decoded.identity) session.clockOffsetMinutes = decoded.identity.clockOffsetMinutes
  if (decoded.ack) log.debug({ hex: Buffer.from(decoded.ack).toString('hex') }, 'out')
  return { ok: true, reply: decoded.ack, identified: decoded.identity?.imei }
}

/**
 * The part every transport shares (TCP, UDP, HTTP): count and log a rejected message, admit a newly
 * identified device, await the durable write of the records, count them, and show the message in the
 * packet log. Only an `ok` settlement may be answered with the protocol's success reply.
 */
export async function settleDecoded(message: DecodedMessage, context: GatewayContext, log: MessageLog): Promise<Settlement> {
  const { protocol, decoded, session, input, kind } = message
  const settlement = await settle(message, context, log)
  const imei = decoded.identity?.imei ?? session.imei
  if (context.packets && imei !== undefined) {
    context.packets.record({
      imei,
      protocol,
      transport: session.transport,
      time: new Date().toISOString(),
      kind: kind(),
      raw: input(),
      records: decoded.records,
      ...(decoded.error ? { error: decoded.error } : settlement.ok ? {} : { error: { code: settlement.reason } }),
      ...(settlement.ok && decoded.ack ? { replyHex: Buffer.from(decoded.ack).toString('hex') } : {}),
    })
  }
  return settlement
}

async function settle(message: DecodedMessage, context: GatewayContext, log: MessageLog): Promise<Settlement> {
  const { protocol, decoded, session, input } = message
  if (decoded.error) {
    context.stats.reject(protocol, decoded.error.code)
    log.warn({ code: decoded.error.code, reason: decoded.error.message, ...input() }, 'message rejected')
    return { ok: false, reason: decoded.error.code }
  }
  const identity = decoded.identity
  if (identity && identity.imei !== session.imei) {
    let admission: Admission
    try {
      admission = await context.devices.admit(identity.imei, protocol)
    } catch (err) {
      context.stats.reject(protocol, 'STORAGE_FAILED')
      log.error({ err, imei: identity.imei }, 'device admission failed; not acknowledging')
      return { ok: false, reason: 'STORAGE_FAILED' }
    }
    if (admission !== 'admitted') {
      const reason = admission === 'unknown' ? 'UNKNOWN_DEVICE' : 'PROTOCOL_MISMATCH'
      context.stats.reject(protocol, reason)
      log.warn({ imei: identity.imei, reason }, admission === 'unknown'
        ? 'unknown device refused (DEVICE_REGISTRATION=closed)'
        : 'device refused: its IMEI is registered with another protocol')
      return { ok: false, reason, reply: identity.reject }
    }
  }
  const records = storable(message, context, log)
  if (records.length > 0) {
    try {
      await context.writer.write(records)
    } catch (err) {
      context.stats.reject(protocol, 'STORAGE_FAILED')
      // The writer logs why a batch failed (with its stack) once per batch; here, one line per message
      // without it, since a database away for a minute fails thousands of messages the same way.
      log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'records not stored; not acknowledging')
      return { ok: false, reason: 'STORAGE_FAILED' }
    }
    context.stats.for(protocol).records += records.length
  }
  return { ok: true }
}

/**
 * The message's records that can be stored; each of the others is counted by its reason, logged and
 * quarantined. A refused record still counts as handled for the ACK, in every protocol: Teltonika's
 * ACK is the record count, and acknowledging fewer makes the device resend the whole packet, refused
 * record included, forever; GT06 and Queclink acknowledge a message (serial number, +SACK), and OsmAnd
 * answers a request: withholding it would only make the device resend what can never be stored.
 */
function storable({ protocol, decoded, session, input }: DecodedMessage, context: GatewayContext, log: MessageLog): DeviceRecord[] {
  const nowMs = Date.now()
  const limits = { maxFutureFixMs: context.maxFutureFixMs }
  let good: DeviceRecord[] | undefined
  let raw: Record<string, unknown> | undefined
  decoded.records.forEach((record, index) => {
    const problem = recordProblem(record, nowMs, limits)
    if (problem === undefined) return void good?.push(record)
    good ??= decoded.records.slice(0, index)
    context.stats.reject(protocol, problem.code)
    refusalWarnings.log(log, protocol, problem, nowMs)
    context.quarantine?.add({
      // Kept under the admitted device: the record's own imei may be what is wrong with it.
      imei: decoded.identity?.imei ?? session.imei ?? String(record.imei),
      protocol,
      transport: session.transport,
      time: new Date(nowMs).toISOString(),
      ...problem,
      fixTime: String(record.fixTime),
      raw: (raw ??= input()),
    })
  })
  return good ?? decoded.records
}

/**
 * Refused records are warned of at most once a second per protocol and reason, with how many more were
 * refused since (the others go to debug): a flood of bad records must not become a flood of log lines.
 * Each one is counted in the stats and kept in the quarantine either way.
 */
class RefusalWarnings {
  readonly #last = new Map<string, { atMs: number; more: number }>()

  log(log: MessageLog, protocol: Protocol, problem: RecordProblem, nowMs: number): void {
    const key = `${protocol} ${problem.code}`
    const last = this.#last.get(key)
    const fields = { code: problem.code, field: problem.field, reason: problem.message }
    if (last && nowMs - last.atMs < WARN_EVERY_MS) {
      last.more++
      return log.debug(fields, 'record refused and quarantined')
    }
    this.#last.set(key, { atMs: nowMs, more: 0 })
    log.warn({ ...fields, moreSinceLastWarning: last?.more ?? 0 }, 'record refused and quarantined')
  }
}

const WARN_EVERY_MS = 1000
const refusalWarnings = new RefusalWarnings()
