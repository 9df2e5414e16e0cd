/**
 * One simulated device, whatever its protocol. Records are queued as they are generated, whatever the
 * connection is doing (a real device stores them), and uploaded oldest first, one batch at a time:
 * open a link, identify if the protocol does (Teltonika IMEI, GT06 login), then send the batch's
 * messages and wait for the reply that confirms each one before the next batch. No reply in time, a
 * wrong reply or a dropped connection means: reconnect with backoff and send the unconfirmed records
 * again. Outside coverage the device holds no connection and only records; what it records then is
 * history, sent the protocol's way (Queclink +BUFF, GT06 re-upload flag). The protocol adapter
 * (protocols/types.ts) does the encoding and says which reply confirms which message.
 *
 * A scenario can also make the device misbehave the ways real ones do: ignore ACKs (as if they were
 * lost: it reconnects and sends the same records again), write garbage before its next message, or
 * trickle its messages a few bytes at a time.
 */
import { LinkError, type Link, openLink } from './link.ts'
import { Notifier, sleep } from './notifier.ts'
import type { QueuedRecord, SimConnection, SimProtocol } from './protocols/types.ts'
import type { SimEventType, SimRecord } from './record.ts'

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
  protocol: SimProtocol
  /** Live records are sent once this many are queued. */
  recordsPerPacket: number
  /** Largest batch, used when a backlog (history) is uploaded. */
  maxRecordsPerPacket: number
  /** Real milliseconds to wait for a connection, the identification reply or an ACK. */
  ackTimeoutMs: number
  backoffMinMs: number
  backoffMaxMs: number
  /** TCP: connect from this local address. */
  localAddress?: string
}

/** A record as the gateway should have stored it once ACKed. */
export interface AckedRecord {
  imei: string
  /** ISO 8601 UTC, millisecond precision, as encoded. */
  fixTime: string
  latitude: number
  longitude: number
  speedKmh: number
  /** The ignition the device reported (a loose wire reads off). */
  ignition: boolean
  /** Recorded without coverage and uploaded as history. */
  history: boolean
  /** The scheduled event the record reported, if any. */
  event?: SimEventType
}

export interface DeviceStats {
  generated: number
  /** Record transmissions, resends included. */
  sent: number
  acked: number
  /** Transmissions of records that had been sent before. */
  resent: number
  /** Messages carrying records (identification not counted). */
  packetsSent: number
  packetsAcked: number
  /** Links opened and, where the protocol identifies itself, accepted. */
  connections: number
  /** ACKs the device pretended not to have received (a scenario's duplicate resends). */
  acksIgnored: number
  /** Garbage bytes written. */
  garbageBytes: number
  errors: number
  errorsByKind: Record<DeviceErrorKind, number>
  lastError?: string
  /** Real milliseconds from writing each confirmed message to reading the reply that confirmed it. */
  ackLatenciesMs: number[]
  /** Every record the gateway ACKed, in upload order (oldest first). */
  ackedRecords: AckedRecord[]
}

interface Connection {
  link: Link
  protocol: SimConnection
  identified: boolean
}

export class SimulatedDevice {
  readonly config: DeviceConfig
  readonly stats: DeviceStats
  readonly #queue: QueuedRecord[] = []
  readonly #changed = new Notifier()
  #connection: Connection | undefined
  #inCoverage = true
  #generationDone = false
  #stopped = false
  /** Bumped on coverage changes and stop, to cut a backoff short. */
  #epoch = 0
  #acksToIgnore = 0
  #garbage: Buffer[] = []
  #trickleBytesPerSec: number | null = null

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
      acksIgnored: 0,
      garbageBytes: 0,
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
    const c = this.#connection
    return c !== undefined && c.identified && !c.link.closed
  }

  /** Every generated record is ACKed and no more will come. */
  get drained(): boolean {
    return this.#generationDone && this.#queue.length === 0
  }

  /** The device stores a new record (it is uploaded when possible); without coverage it is history. */
  record(record: SimRecord): void {
    this.#queue.push({ record: this.config.protocol.quantize(record), history: !this.#inCoverage, sends: 0 })
    this.stats.generated++
    this.#changed.notify()
  }

  /** Network coverage comes or goes. Losing it drops the connection; a batch in flight stays queued. */
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

  /** The next `count` ACKs are ignored, as if lost: the device reconnects and sends those records again. */
  ignoreAcks(count: number): void {
    this.#acksToIgnore += count
  }

  /** Writes `bytes` on the link before its next message. */
  sendGarbage(bytes: Buffer): void {
    this.#garbage.push(bytes)
  }

  /** TCP: messages are written at about `bytesPerSec` (null: at once). */
  setTrickle(bytesPerSec: number | null): void {
    this.#trickleBytesPerSec = bytesPerSec
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
      if (this.#connection?.link.closed) {
        // We forget a link whenever we close it ourselves, so the server closed this one while we were idle.
        this.#connection = undefined
        this.#countError(new DeviceError('connectionLost', 'the server closed the connection'))
        await this.#backoff(++failures)
        continue
      }
      const batch = this.#nextBatch()
      // The first connection waits for the first record (so a fleet does not connect all at once);
      // after that the device holds a connection open even with nothing to send, as real ones do.
      if (!batch && (this.#connection || this.stats.generated === 0)) {
        await this.#changed.wait()
        continue
      }
      const epoch = this.#epoch
      try {
        const connection = this.#connection ?? (await this.#connect())
        if (batch) {
          await this.#send(connection, batch)
          failures = 0
        }
      } catch (error) {
        this.#dropLink('error')
        if (error instanceof AckIgnored) continue
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

  #nextBatch(): QueuedRecord[] | undefined {
    const queued = this.#queue.length
    if (queued === 0) return undefined
    if (queued < this.config.recordsPerPacket && !this.#generationDone) return undefined
    return this.#queue.slice(0, Math.min(queued, this.config.maxRecordsPerPacket))
  }

  async #connect(): Promise<Connection> {
    const { host, port, ackTimeoutMs, imei, protocol } = this.config
    const session = protocol.connect(imei)
    const link = openLink({
      transport: protocol.transport,
      host,
      port,
      ...(this.config.localAddress === undefined ? {} : { localAddress: this.config.localAddress }),
      read: (chunk) => session.read(chunk),
      onClose: () => this.#changed.notify(),
    })
    const connection: Connection = { link, protocol: session, identified: false }
    this.#connection = connection
    try {
      await link.connect(ackTimeoutMs)
    } catch (error) {
      throw new DeviceError('connectFailed', describe(error))
    }
    const hello = session.hello()
    if (hello) {
      link.send(hello.payload)
      let reply: string
      try {
        reply = await link.nextReply(ackTimeoutMs)
      } catch (error) {
        throw linkFailure(error, 'handshakeTimeout', 'identification')
      }
      if (reply === hello.refusal) throw new DeviceError('refused', `the server refused IMEI ${imei} (${reply})`)
      if (reply !== hello.ack) throw new DeviceError('badHandshakeReply', `expected ${hello.ack}, got ${reply}`)
    }
    connection.identified = true
    this.stats.connections++
    return connection
  }

  async #send({ link, protocol }: Connection, batch: QueuedRecord[]): Promise<void> {
    const messages = protocol.encode(batch)
    for (const q of batch) {
      if (q.sends > 0) this.stats.resent++
      q.sends++
    }
    this.stats.sent += batch.length
    // Messages are written back to back (a device uploading history does not wait in between) and
    // confirmed in order: the gateway handles a connection's messages strictly one after another.
    for (const noise of this.#garbage.splice(0)) {
      link.sendNoise(noise)
      this.stats.garbageBytes += noise.length
    }
    const writtenAt = performance.now()
    for (const message of messages) {
      const trickle = this.#trickleBytesPerSec
      if (trickle !== null && Buffer.isBuffer(message.payload)) await link.trickle(message.payload, trickle)
      else link.send(message.payload)
      this.stats.packetsSent++
    }
    for (const message of messages) {
      let reply: string
      try {
        reply = await link.nextReply(this.config.ackTimeoutMs)
      } catch (error) {
        throw linkFailure(error, 'ackTimeout', `${message.records} record(s) unacknowledged`)
      }
      if (reply !== message.ack) {
        throw new DeviceError('ackMismatch', `expected ${message.ack}, got ${reply}: ${message.records} record(s) unacknowledged`)
      }
      if (this.#acksToIgnore > 0) {
        this.#acksToIgnore--
        this.stats.acksIgnored++
        throw new AckIgnored()
      }
      this.stats.ackLatenciesMs.push(performance.now() - writtenAt)
      this.stats.packetsAcked++
      this.#confirm(message.records)
    }
  }

  /** The oldest `count` queued records are stored: the batch is the head of the queue; new records only join the tail. */
  #confirm(count: number): void {
    for (const { record, history } of this.#queue.splice(0, count)) {
      this.stats.ackedRecords.push({
        imei: this.config.imei,
        fixTime: new Date(record.timeMs).toISOString(),
        latitude: record.latitude,
        longitude: record.longitude,
        speedKmh: record.speedKmh,
        ignition: record.ignition,
        history,
        ...(record.event === undefined ? {} : { event: record.event }),
      })
    }
    this.stats.acked += count
    this.#changed.notify()
  }

  #dropLink(reason: string): void {
    this.#connection?.link.close(reason)
    this.#connection = undefined
  }

  #countError(error: DeviceError): void {
    this.stats.errors++
    this.stats.errorsByKind[error.kind]++
    this.stats.lastError = `${error.kind}: ${error.message}`
  }
}

/** The device read its ACK and acts as if it had not: it reconnects at once and resends. */
class AckIgnored extends Error {}

/** A failed wait on the link as the device error it means. */
function linkFailure(error: unknown, onTimeout: DeviceErrorKind, what: string): DeviceError {
  const kind = error instanceof LinkError ? error.kind : undefined
  const deviceKind = kind === 'timeout' ? onTimeout : kind === 'connect' ? 'connectFailed' : 'connectionLost'
  return new DeviceError(deviceKind, `${what}: ${describe(error)}`)
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))
