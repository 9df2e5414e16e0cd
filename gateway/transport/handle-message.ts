import type { Logger } from '../../logger.ts'
import type { RecordWriter } from '../../processor/ingest.ts'
import type { DeviceAdmission } from '../../processor/device-admission.ts'
import type { GatewayStats } from '../stats.ts'
import type { ProtocolDescriptor, Session } from '../protocols/types.ts'

export interface GatewayContext {
  writer: RecordWriter
  devices: DeviceAdmission
  stats: GatewayStats
  crc: 'strict' | 'lenient'
  maxMessageBytes: number
  idleTimeoutMs: number
}

export type MessageOutcome =
  | { ok: true; reply?: Uint8Array; identified?: string }
  | { ok: false; reason: string; reply?: Uint8Array }

/**
 * The durability contract in one place: decode, await the durable write, and only then hand back
 * the reply (ACK) to send. A failed write yields no ACK, so the device keeps its data and retries.
 */
export async function handleMessage(
  protocol: ProtocolDescriptor,
  message: Buffer,
  session: Session,
  context: GatewayContext,
  log: Logger,
): Promise<MessageOutcome> {
  const stats = context.stats.for(protocol.name)
  stats.messages++
  log.debug({ hex: message.toString('hex') }, 'in')
  const decoded = protocol.decode(message, session, { now: new Date(), crc: context.crc })
  if (decoded.error) {
    context.stats.reject(protocol.name, decoded.error.code)
    log.warn({ code: decoded.error.code, reason: decoded.error.message, hex: message.toString('hex') }, 'message rejected')
    return { ok: false, reason: decoded.error.code }
  }
  const identity = decoded.identity
  if (identity && identity.imei !== session.imei && !(await context.devices.admit(identity.imei, protocol.name))) {
    context.stats.reject(protocol.name, 'UNKNOWN_DEVICE')
    log.warn({ imei: identity.imei }, 'unknown device refused (DEVICE_REGISTRATION=closed)')
    return { ok: false, reason: 'UNKNOWN_DEVICE', reply: identity.reject }
  }
  if (decoded.records.length > 0) {
    try {
      await context.writer.write(decoded.records)
    } catch (err) {
      context.stats.reject(protocol.name, 'STORAGE_FAILED')
      log.error({ err }, 'records not stored; not acknowledging')
      return { ok: false, reason: 'STORAGE_FAILED' }
    }
    stats.records += decoded.records.length
  }
  if (decoded.ack) log.debug({ hex: Buffer.from(decoded.ack).toString('hex') }, 'out')
  return { ok: true, reply: decoded.ack, identified: identity?.imei }
}
