import type { Database } from '../db/client.ts'
import { DatabaseUnavailableError, isConnectionError, type DatabaseHealth } from '../db/health.ts'
import type { DeviceRecord, Protocol } from '../core/record.ts'
import type { RecordWriter } from '../gateway/record-writer.ts'
import type { Logger } from '../logger.ts'
import type { AlertChange } from './alerts/changes.ts'
import { storeAlertChanges, type StoredChanges } from './alert-store.ts'
import { rebaseCounters } from './counters.ts'
import { sweepNoUpdate, type SweepTarget } from './no-update-sweep.ts'
import { processRecord } from './pipeline.ts'
import { emptyState, type StateSettings, type VehicleState } from './state.ts'
import { compactTracking } from './tracking.ts'
import type { VehicleStates } from './vehicle-states.ts'

interface PendingWrite {
  records: DeviceRecord[]
  resolve: () => void
  reject: (err: unknown) => void
}

export interface IngestOptions {
  settings: StateSettings
  /**
   * Called after a batch committed, with the devices whose state changed, the records, and the alerts the
   * transaction stored: newly raised ones (publish them as `alert`) and earlier ones it cleared.
   */
  onCommitted?: (changed: VehicleState[], records: DeviceRecord[], alerts: StoredChanges) => void
  /** Upper bound of records in one transaction; more wait for the next one. */
  maxBatchRecords?: number
  /** Told of failed batches; while it says the database is down, writes fail at once. */
  health?: Pick<DatabaseHealth, 'state' | 'status' | 'failed'>
}

/**
 * A change of vehicle state that comes from no record: the no-update sweep, a device registered, the
 * counters an office user set. Run in the ingest sequence, after the batch's records and on top of their
 * states, and committed in the batch's transaction.
 */
type Command =
  | { kind: 'sweep'; now: number }
  | { kind: 'register'; imei: string; protocol: Protocol }
  | { kind: 'counters'; imei: string; odometerKm: number; engineHoursH: number; atMs: number }

interface PendingCommand {
  command: Command
  /** With the state the command left for its device (none for a sweep), once it is committed. */
  resolve: (state: VehicleState | undefined) => void
  reject: (err: unknown) => void
}

/**
 * Group commit: writes from every connection that arrive while a transaction is running are
 * committed together by the next one, and all their callers are released at once. No timer: under
 * light load a write commits at once; under heavy load batches grow by themselves.
 *
 * Each record goes through the processor pipeline (pipeline.ts) before the transaction; the records,
 * their events, the alerts raised or cleared and the devices' next states (tracking included) are then
 * written in that one transaction, so an ACKed record's state and alerts are as durable as the record.
 * The changes of state that come from no record — the no-update sweep (`sweep`), a device registered
 * (`register`), counters set by an office user (`startCountersFrom`) — run in the same sequence as
 * commands, so none races a batch for a device, and they are as durable as the records.
 *
 * While a transaction runs, the writes arriving for the next one are prepared at once (pipeline and
 * JSON) on top of the states that transaction will commit, so the database is not kept waiting for
 * the main thread; should the transaction fail, that work is done again from the committed states.
 *
 * Failures: a batch that lost its connection fails all its writers (their devices resend), and while
 * the database is down (`health`) writes fail at once instead of piling up. A batch the database
 * refused for its data is committed apart (#commitApart) so only the offending write is rejected.
 */
export class GroupCommitIngest implements RecordWriter, SweepTarget {
  #pending: PendingWrite[] = []
  #commands: PendingCommand[] = []
  #flushing = false
  /** The next states of the transaction in flight, not committed yet. */
  #inflight: ReadonlyMap<string, VehicleState> | undefined
  #prepared: PreparedBatch = emptyBatch()
  readonly #maxBatchRecords: number

  constructor(
    private readonly db: Database,
    private readonly states: VehicleStates,
    private readonly log: Logger,
    private readonly options: IngestOptions,
  ) {
    this.#maxBatchRecords = options.maxBatchRecords ?? 20_000
  }

  write(records: DeviceRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve()
    const health = this.options.health
    if (health?.state === 'down') return Promise.reject(new DatabaseUnavailableError(health.status()))
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, resolve, reject })
      if (!this.#flushing) this.#scheduleFlush()
      else if (this.#inflight) this.#prepare()
    })
  }

  /** Runs the no-update sweep at `now` between batches and stores its alerts; resolves once they are committed. */
  async sweep(now: number): Promise<void> {
    await this.#run({ kind: 'sweep', now })
  }

  /**
   * Registers a device (its devices row, and its live state in memory). Resolves once committed, with the
   * protocol the IMEI is registered with: an IMEI registered already keeps its own.
   */
  async register(imei: string, protocol: Protocol): Promise<Protocol> {
    return (await this.#run({ kind: 'register', imei, protocol }))?.protocol ?? protocol
  }

  /**
   * An office user set the current mileage and engine hours of the vehicle that has device `imei`: from
   * `at` on they grow from these values (counters.ts, rebaseCounters). Pass the time stored in
   * vehicles.counters_set_at, which a restart re-applies should this never commit. Resolves once the
   * device's state carrying them is committed; a device without a state (never registered) has nothing to rebase.
   */
  async startCountersFrom(imei: string, counters: { odometerKm: number; engineHoursH: number }, at: Date): Promise<void> {
    await this.#run({ kind: 'counters', imei, odometerKm: counters.odometerKm, engineHoursH: counters.engineHoursH, atMs: at.getTime() })
  }

  #run(command: Command): Promise<VehicleState | undefined> {
    return new Promise((resolve, reject) => {
      this.#commands.push({ command, resolve, reject })
      if (!this.#flushing) this.#scheduleFlush()
    })
  }

  #scheduleFlush(): void {
    this.#flushing = true
    // Let every connection whose data arrived in this turn of the event loop join the batch.
    setImmediate(() => void this.#flush())
  }

  async #flush(): Promise<void> {
    if (this.#failWhileDatabaseAway()) return
    this.#prepare()
    const batch = this.#prepared
    this.#prepared = emptyBatch()
    const commands = this.#commands.splice(0)
    const { writes, records } = batch
    try {
      const { changed, results } = this.#applyCommands(batch, commands)
      this.#inflight = batch.next
      const alerts = await this.#store(batch, changed)
      this.#inflight = undefined
      const committed = changed.map((state) => this.states.commit(state))
      // The next transaction starts before this one's writers hear back: the database works on it
      // while the ACKs go out and the live feed is told.
      this.#next()
      for (const write of writes) write.resolve()
      commands.forEach((command, i) => command.resolve(results[i]))
      if (records.length > 0 || committed.length > 0) this.options.onCommitted?.(committed, records, alerts)
    } catch (err) {
      this.#inflight = undefined
      this.options.health?.failed(err)
      // What was prepared meanwhile assumed this batch's states: prepare it again from the committed ones.
      this.#pending.unshift(...unprepare(this.#prepared))
      this.#prepared = emptyBatch()
      if (!isConnectionError(err) && writes.length + (commands.length > 0 ? 1 : 0) > 1) {
        this.log.warn({ err, writes: writes.length, records: records.length }, 'ingest batch refused by the database; committing its writes apart')
        await this.#commitApart(unprepare(batch), commands)
        this.#next()
        return
      }
      this.log.error({ err, records: records.length }, 'ingest batch failed; devices will retry')
      this.#next()
      for (const write of writes) write.reject(err)
      for (const command of commands) command.reject(err)
    }
  }

  /**
   * A batch the database refused for its data (not for a lost connection) is committed again in
   * halves, each prepared anew from the committed states, until each write that still fails is alone:
   * that write is rejected (its device resends it, or the gateway refuses it), every other one commits
   * and its writer is released. One device's bad record never keeps another device's records out.
   * The commands go on their own. Writes arriving meanwhile wait for the next batch.
   */
  async #commitApart(writes: PendingWrite[], commands: PendingCommand[]): Promise<void> {
    const groups: { writes: PendingWrite[]; commands: PendingCommand[] }[] = halves(writes).map((half) => ({ writes: half, commands: [] }))
    if (commands.length > 0) groups.push({ writes: [], commands })
    while (groups.length > 0) {
      const group = groups.shift()!
      const batch = emptyBatch()
      for (const write of group.writes) this.#prepareWrite(batch, write)
      try {
        const { changed, results } = this.#applyCommands(batch, group.commands)
        const alerts = await this.#store(batch, changed)
        const committed = changed.map((state) => this.states.commit(state))
        for (const write of group.writes) write.resolve()
        group.commands.forEach((command, i) => command.resolve(results[i]))
        if (batch.records.length > 0 || committed.length > 0) this.options.onCommitted?.(committed, batch.records, alerts)
      } catch (err) {
        unprepare(batch)
        if (isConnectionError(err)) {
          this.options.health?.failed(err)
          this.log.error({ err }, 'ingest batch failed; devices will retry')
          for (const rest of [group, ...groups.splice(0)]) {
            for (const write of rest.writes) write.reject(err)
            for (const command of rest.commands) command.reject(err)
          }
          return
        }
        if (group.writes.length > 1) {
          groups.unshift(...halves(group.writes).map((half) => ({ writes: half, commands: [] })))
          continue
        }
        const [first] = batch.records
        this.log.error({ err, imei: first?.imei, fixTime: first?.fixTime, records: batch.records.length }, 'records refused by the database; not acknowledging them')
        for (const write of group.writes) write.reject(err)
        for (const command of group.commands) command.reject(err)
      }
    }
  }

  /**
   * While the database is known to be away, every waiting write and command fails at once (devices keep
   * their data and resend) instead of piling up behind it. Returns whether it was away.
   */
  #failWhileDatabaseAway(): boolean {
    const health = this.options.health
    if (health?.state !== 'down') return false
    const err = new DatabaseUnavailableError(health.status())
    const writes = [...unprepare(this.#prepared), ...this.#pending.splice(0)]
    this.#prepared = emptyBatch()
    const commands = this.#commands.splice(0)
    this.#flushing = false
    for (const write of writes) write.reject(err)
    for (const command of commands) command.reject(err)
    return true
  }

  /** Flushes what arrived meanwhile, at once (the flush runs up to sending its statement), or stops flushing. */
  #next(): void {
    if (this.#pending.length > 0 || this.#prepared.writes.length > 0 || this.#commands.length > 0) void this.#flush()
    else this.#flushing = false
  }

  /** Moves pending writes into the prepared batch, up to maxBatchRecords (a larger write goes alone). */
  #prepare(): void {
    const batch = this.#prepared
    let taken = 0
    while (taken < this.#pending.length) {
      const write = this.#pending[taken]!
      if (batch.records.length > 0 && batch.records.length + write.records.length > this.#maxBatchRecords) break
      taken++
      this.#prepareWrite(batch, write)
    }
    this.#pending.splice(0, taken)
  }

  /**
   * Adds a write to `batch`: each record through the pipeline, in arrival order, from its device's
   * newest state — in the batch, in flight or committed — and into JSON.
   */
  #prepareWrite(batch: PreparedBatch, write: PendingWrite): void {
    batch.writes.push(write)
    for (const record of write.records) {
      const state = batch.next.get(record.imei) ?? this.#inflight?.get(record.imei) ?? this.states.getOrEmpty(record.imei, record.protocol)
      const processed = processRecord(state, record, this.options.settings)
      if (processed.failures) {
        for (const { step, err } of processed.failures) this.log.error({ err, step, imei: record.imei, fixTime: record.fixTime }, 'processor step failed; skipped for this record')
      }
      batch.deviceBuffered.push(record.buffered)
      record.buffered = processed.buffered
      batch.next.set(record.imei, processed.state)
      for (const change of processed.changes) batch.changes.push(change)
      batch.records.push(record)
      batch.recordsJson.push(JSON.stringify(record))
    }
  }

  /**
   * Runs the commands, in order, on top of the batch's states; returns every state the batch changes and
   * each command's result (the state it left for its device).
   */
  #applyCommands(batch: PreparedBatch, commands: PendingCommand[]): { changed: VehicleState[]; results: (VehicleState | undefined)[] } {
    const results = commands.map(({ command }) => this.#apply(batch, command))
    return { changed: [...batch.next.values()], results }
  }

  #apply(batch: PreparedBatch, command: Command): VehicleState | undefined {
    if (command.kind === 'sweep') {
      const swept = sweepNoUpdate(this.states.all(), command.now, this.options.settings, batch.next)
      for (const state of swept.states) batch.next.set(state.imei, state)
      for (const raise of swept.raised) batch.changes.push(raise)
      return undefined
    }
    const current = batch.next.get(command.imei) ?? this.states.get(command.imei)
    if (command.kind === 'register') {
      if (current !== undefined) return current
      const registered = emptyState(command.imei, command.protocol)
      batch.next.set(command.imei, registered)
      return registered
    }
    if (current === undefined) return undefined
    const rebased = rebaseCounters(current, command.odometerKm, command.engineHoursH, command.atMs)
    batch.next.set(command.imei, rebased)
    return rebased
  }

  async #store(batch: PreparedBatch, changed: VehicleState[]): Promise<StoredChanges> {
    return batch.records.length > 0 || changed.length > 0 ? this.#commit(batch, changed) : NO_ALERTS
  }

  async #commit({ records, recordsJson, changes }: PreparedBatch, states: VehicleState[]): Promise<StoredChanges> {
    const events = records.flatMap((r) =>
      r.events.map((type) => ({ imei: r.imei, time: r.fixTime, type, buffered: r.buffered, latitude: r.latitude, longitude: r.longitude })),
    )
    const rows = [`[${recordsJson.join(',')}]`, JSON.stringify(events), JSON.stringify(states.map(deviceRow))]
    // Most batches change no alert: their records, events and device states go as one statement, which
    // is its own transaction — one round trip to the database instead of four.
    if (changes.length === 0) {
      await this.db.query(WRITE_BATCH, rows)
      return NO_ALERTS
    }
    const client = await this.db.connect()
    try {
      await client.query('BEGIN')
      const alerts = await storeAlertChanges(client, changes)
      await client.query(WRITE_BATCH, rows)
      await client.query('COMMIT')
      return alerts
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      client.release()
    }
  }
}

/** Writes taken for the next transaction, already through the pipeline, with their records as JSON. */
interface PreparedBatch {
  writes: PendingWrite[]
  records: DeviceRecord[]
  /** Each record's `buffered` as the device sent it (the pipeline overwrites it). */
  deviceBuffered: boolean[]
  recordsJson: string[]
  /** Each touched device's state after these records. */
  next: Map<string, VehicleState>
  changes: AlertChange[]
}

const emptyBatch = (): PreparedBatch => ({ writes: [], records: [], deviceBuffered: [], recordsJson: [], next: new Map(), changes: [] })

/** Gives the records back their `buffered` as the devices sent them, to be prepared again; returns the batch's writes. */
function unprepare(batch: PreparedBatch): PendingWrite[] {
  batch.records.forEach((record, i) => (record.buffered = batch.deviceBuffered[i]!))
  return batch.writes
}

/** The writes in two halves, in order (one group when there is a single write). */
function halves(writes: PendingWrite[]): PendingWrite[][] {
  if (writes.length <= 1) return [writes]
  const middle = Math.ceil(writes.length / 2)
  return [writes.slice(0, middle), writes.slice(middle)]
}

const NO_ALERTS: StoredChanges = Object.freeze({ raised: [], cleared: [] })

// Rows travel as one JSON document per statement: no per-column array encoding, no parameter limit.
const INSERT_POSITIONS = `
INSERT INTO positions (imei, fix_time, received_at, buffered, valid, latitude, longitude, speed_kmh, course, altitude,
  satellites, hdop, ignition, motion, external_voltage_v, battery_voltage_v, battery_level_pct, odometer_km,
  engine_hours_h, gsm_signal, events, io)
SELECT "imei", "fixTime", "receivedAt", "buffered", "valid", "latitude", "longitude", "speedKmh", "course", "altitude",
  "satellites", "hdop", "ignition", "motion", "externalVoltageV", "batteryVoltageV", "batteryLevelPct", "odometerKm",
  "engineHoursH", "gsmSignal", "events", "io"
FROM jsonb_to_recordset($1::jsonb) AS r("imei" text, "fixTime" timestamptz, "receivedAt" timestamptz, "buffered" boolean,
  "valid" boolean, "latitude" float8, "longitude" float8, "speedKmh" real, "course" real, "altitude" real,
  "satellites" smallint, "hdop" real, "ignition" boolean, "motion" boolean, "externalVoltageV" real,
  "batteryVoltageV" real, "batteryLevelPct" real, "odometerKm" float8, "engineHoursH" float8, "gsmSignal" smallint,
  "events" text[], "io" jsonb)
ON CONFLICT DO NOTHING`

const INSERT_EVENTS = `
INSERT INTO events (imei, time, type, buffered, latitude, longitude)
SELECT "imei", "time", "type", "buffered", "latitude", "longitude"
FROM jsonb_to_recordset($1::jsonb) AS e("imei" text, "time" timestamptz, "type" text, "buffered" boolean, "latitude" float8, "longitude" float8)
ON CONFLICT DO NOTHING`

/** A device's row: its live state, and the tracking (compact) carrying the counters' totals (VehicleStates.load reads them back). */
function deviceRow(state: VehicleState) {
  const { imei, protocol, lastSeen, position, status } = state
  return { imei, protocol, lastSeen, position, status, tracking: { ...compactTracking(state.tracking), odometerKm: state.odometerKm, engineHoursH: state.engineHoursH } }
}

const UPSERT_DEVICES = `
INSERT INTO devices (imei, protocol, first_seen, last_seen, last_fix_time, last_position, last_status, tracking)
SELECT "imei", "protocol", COALESCE("lastSeen", now()), "lastSeen", ("position"->>'fixTime')::timestamptz, "position", "status", "tracking"
FROM jsonb_to_recordset($1::jsonb) AS s("imei" text, "protocol" text, "lastSeen" timestamptz, "position" jsonb, "status" text, "tracking" jsonb)
ON CONFLICT (imei) DO UPDATE SET
  protocol = excluded.protocol,
  last_seen = excluded.last_seen,
  last_fix_time = excluded.last_fix_time,
  last_position = excluded.last_position,
  last_status = excluded.last_status,
  tracking = excluded.tracking`

/** Records ($1), their events ($2) and the devices' next states ($3) in one statement (data-modifying CTEs all run). */
const WRITE_BATCH = `
WITH positions_written AS (${INSERT_POSITIONS}),
events_written AS (${INSERT_EVENTS.replace('$1', '$2')}),
devices_written AS (${UPSERT_DEVICES.replace('$1', '$3')})
SELECT 1`
