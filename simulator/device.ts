/**
 * One simulated Teltonika device. Records are queued as they are generated, whatever the connection is
 * doing (a real device stores them), and uploaded oldest first with one packet in flight: connect, send
 * the IMEI, wait for 01, then for each packet wait for the 4-byte record-count ACK before sending the
 * next. No ACK in time, a wrong count or a dropped connection means: reconnect with backoff and send the
 * same records again. Outside coverage the device holds no connection and only records.
 */
import {
  type EncodableCodec,
  type TeltonikaRecordInput,
  encodeAvlPacket,
  encodeImeiHandshake,
} from '../gateway/protocols/teltonika/encode.ts'
import { Link, LinkError } from './link.ts'
import { Notifier, sleep } from './notifier.ts'

export const DEVICE_ERROR_KINDS = [
  'connectFailed',
  'refused',
  'badHandshakeReply',
  'handshakeTimeout',
  'ackTimeout',
  'ackMismatch',
  'connectionLost',
] as const
export type DeviceErrorKind = (typeof DEVICE_ERROR_KINDS)[number]

export class DeviceError extends Error {
  constructor(
    readonly kind: DeviceErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'DeviceError'
  }
}

export interface DeviceConfig {
  imei: string
  host: string
  port: number
  /** Live records are sent once this many are queued. */
  recordsPerPacket: number
  /** Largest packet, used when a backlog (history) is uploaded. */
  maxRecordsPerPacket: number
  /** Real milliseconds to wait for a connection, the handshake reply or an ACK. */
  ackTimeoutMs: number
  backoffMinMs: number
  backoffMaxMs: number
  codec?: EncodableCodec
}

/** A record as the gateway should have stored it once ACKed. */
export interface AckedRecord {
  imei: string
  /** ISO 8601 UTC, millisecond precision, as encoded. */
  fixTime: string
  latitude: number
  longitude: number
}

export interface DeviceStats {
  generated: number
  /** Record transmissions, resends included. */
  sent: number
  acked: number
  /** Transmissions of records that had been sent before. */
  resent: number
  packetsSent: number
  packetsAcked: number
  /** Successful handshakes. */
  connections: number
  errors: number
  errorsByKind: Record<DeviceErrorKind, number>
  lastError?: string
  /** Real milliseconds from writing each ACKed packet to reading its ACK. */
  ackLatenciesMs: number[]
  /** Every record the gateway ACKed, in upload order (oldest first). */
  ackedRecords: AckedRecord[]
}

interface Queued {
  record: TeltonikaRecordInput
  sends: number
}

export class SimulatedDevice {
  readonly config: DeviceConfig
  readonly stats: DeviceStats
  readonly #queue: Queued[] = []
  readonly #changed = new Notifier()
  #link: Link | undefined
  #inCoverage = true
  #generationDone = false
  #stopped = false
  /** Bumped on coverage changes and stop, to cut a backoff short. */
  #epoch = 0

  constructor(config: DeviceConfig) {
    this.config = config
    this.stats = {
      generated: 0,
      sent: 0,
      acked: 0,
      resent: 0,
      packetsSent: 0,
      packetsAcked: 0,
      connections: 0,
      errors: 0,
      errorsByKind: Object.fromEntries(DEVICE_ERROR_KINDS.map((k) => [k, 0])) as Record<DeviceErrorKind, number>,
      ackLatenciesMs: [],
      ackedRecords: [],
    }
  }

  get imei(): string {
    return this.config.imei
  }

  /** Records generated but not yet ACKed (queued or in flight). */
  get pending(): number {
    return this.#queue.length
  }

  get connected(): boolean {
    return this.#link !== undefined && this.#link.identified && !this.#link.closed
  }

  /** Every generated record is ACKed and no more will come. */
  get drained(): boolean {
    return this.#generationDone && this.#queue.length === 0
  }

  /** The device stores a new record (it is uploaded when possible). */
  record(record: TeltonikaRecordInput): void {
    this.#queue.push({ record, sends: 0 })
    this.stats.generated++
    this.#changed.notify()
  }

  /** Network coverage comes or goes. Losing it drops the connection; a packet in flight stays queued. */
  setCoverage(inCoverage: boolean): void {
    if (inCoverage === this.#inCoverage) return
    this.#inCoverage = inCoverage
    this.#epoch++
    if (!inCoverage) this.#dropLink('coverage lost')
    this.#changed.notify()
  }

  /** No more records will be generated: send what is queued even if it is fewer than `recordsPerPacket`. */
  finishGeneration(): void {
    this.#generationDone = true
    this.#changed.notify()
  }

  stop(): void {
    this.#stopped = true
    this.#epoch++
    this.#dropLink('simulation stopped')
    this.#changed.notify()
  }

  /** The device's life: resolves once drained or stopped. */
  async run(): Promise<void> {
    let failures = 0
    while (!this.#stopped && !this.drained) {
      if (!this.#inCoverage) {
        await this.#changed.wait()
        continue
      }
      if (this.#link?.closed) {
        // We forget a link whenever we close it ourselves, so the server closed this one while we were idle.
        this.#link = undefined
        this.#countError(new DeviceError('connectionLost', 'the server closed the connection'))
        await this.#backoff(++failures)
        continue
      }
      const batch = this.#nextBatch()
      // The first connection waits for the first record (so a fleet does not connect all at once);
      // after that the device holds a connection open even with nothing to send, as real ones do.
      if (!batch && (this.#link || this.stats.generated === 0)) {
        await this.#changed.wait()
        continue
      }
      const epoch = this.#epoch
      try {
        const link = this.#link ?? (await this.#connect())
        if (batch) {
          await this.#send(link, batch)
          failures = 0
        }
      } catch (error) {
        this.#dropLink('error')
        if (!(error instanceof DeviceError)) throw error // a bug, not a network condition
        if (this.#stopped || epoch !== this.#epoch) continue // we dropped the connection on purpose
        this.#countError(error)
        await this.#backoff(++failures)
      }
    }
    this.#dropLink('done')
  }

  /** Waits before reconnecting: exponential with jitter, cut short by coverage changes and stop. */
  async #backoff(failures: number): Promise<void> {
    const { backoffMinMs, backoffMaxMs } = this.config
    const ms = Math.min(backoffMaxMs, backoffMinMs * 2 ** (failures - 1)) * (0.8 + 0.4 * Math.random())
    const epoch = this.#epoch
    await sleep(ms, this.#changed, () => this.#stopped || this.#epoch !== epoch)
  }

  #nextBatch(): Queued[] | undefined {
    const queued = this.#queue.length
    if (queued === 0) return undefined
    if (queued < this.config.recordsPerPacket && !this.#generationDone) return undefined
    return this.#queue.slice(0, Math.min(queued, this.config.maxRecordsPerPacket))
  }

  async #connect(): Promise<Link> {
    const { host, port, ackTimeoutMs, imei } = this.config
    const link = new Link(host, port, () => this.#changed.notify())
    this.#link = link
    try {
      await link.connect(ackTimeoutMs)
    } catch (error) {
      throw new DeviceError('connectFailed', describe(error))
    }
    link.write(encodeImeiHandshake(imei))
    let reply: number
    try {
      reply = await link.handshakeReply(ackTimeoutMs)
    } catch (error) {
      const kind = error instanceof LinkError && error.kind === 'timeout' ? 'handshakeTimeout' : 'connectionLost'
      throw new DeviceError(kind, `handshake: ${describe(error)}`)
    }
    if (reply === 0x00) throw new DeviceError('refused', `the server refused IMEI ${imei} (handshake reply 00)`)
    if (reply !== 0x01) throw new DeviceError('badHandshakeReply', `unexpected handshake reply 0x${hexByte(reply)}`)
    this.stats.connections++
    return link
  }

  async #send(link: Link, batch: Queued[]): Promise<void> {
    const packet = encodeAvlPacket(
      batch.map((q) => q.record),
      this.config.codec,
    )
    for (const q of batch) {
      if (q.sends > 0) this.stats.resent++
      q.sends++
    }
    this.stats.sent += batch.length
    this.stats.packetsSent++
    const writtenAt = performance.now()
    link.write(packet)
    let count: number
    try {
      count = await link.nextAck(this.config.ackTimeoutMs)
    } catch (error) {
      const kind = error instanceof LinkError && error.kind === 'timeout' ? 'ackTimeout' : 'connectionLost'
      throw new DeviceError(kind, `${batch.length} record(s) unacknowledged: ${describe(error)}`)
    }
    if (count !== batch.length) {
      throw new DeviceError('ackMismatch', `the server acknowledged ${count} of ${batch.length} record(s)`)
    }
    this.stats.ackLatenciesMs.push(performance.now() - writtenAt)
    this.stats.packetsAcked++
    this.#queue.splice(0, batch.length) // the batch is the head of the queue; new records only join the tail
    this.stats.acked += batch.length
    for (const { record } of batch) {
      this.stats.ackedRecords.push({
        imei: this.config.imei,
        fixTime: new Date(record.timeMs).toISOString(),
        latitude: record.latitude,
        longitude: record.longitude,
      })
    }
    this.#changed.notify()
  }

  #dropLink(reason: string): void {
    this.#link?.close(reason)
    this.#link = undefined
  }

  #countError(error: DeviceError): void {
    this.stats.errors++
    this.stats.errorsByKind[error.kind]++
    this.stats.lastError = `${error.kind}: ${error.message}`
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))
const hexByte = (n: number): string => n.toString(16).padStart(2, '0')
