import type { Database } from '../db/client.ts'
import type { DeviceRecord } from '../gateway/record.ts'
import type { Logger } from '../logger.ts'
import { applyRecord, isHistory, type StateSettings, type VehicleState } from './state.ts'
import type { VehicleStates } from './vehicle-states.ts'

/** The seam between the gateway and storage: resolves only once the records are durable. */
export interface RecordWriter {
  write(records: DeviceRecord[]): Promise<void>
}

interface PendingWrite {
  records: DeviceRecord[]
  resolve: () => void
  reject: (err: unknown) => void
}

export interface IngestOptions {
  settings: StateSettings
  /** Called after a batch committed, with the devices whose state changed, in commit order. */
  onCommitted?: (changed: VehicleState[], records: DeviceRecord[]) => void
  /** Upper bound of records in one transaction; more wait for the next one. */
  maxBatchRecords?: number
}

/**
 * Group commit: writes from every connection that arrive while a transaction is running are
 * committed together by the next one, and all their callers are released at once. No timer: under
 * light load a write commits at once; under heavy load batches grow by themselves.
 */
export class GroupCommitIngest implements RecordWriter {
  #pending: PendingWrite[] = []
  #flushing = false
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
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, resolve, reject })
      if (!this.#flushing) this.#scheduleFlush()
    })
  }

  #scheduleFlush(): void {
    this.#flushing = true
    // Let every connection whose data arrived in this turn of the event loop join the batch.
    setImmediate(() => void this.#flush())
  }

  async #flush(): Promise<void> {
    const batch = this.#takeBatch()
    const records = batch.flatMap((write) => write.records)
    try {
      const changed = this.#nextStates(records)
      await this.#commit(records, changed)
      for (const state of changed) this.states.set(state)
      for (const write of batch) write.resolve()
      this.options.onCommitted?.(changed, records)
    } catch (err) {
      this.log.error({ err, records: records.length }, 'ingest batch failed; devices will retry')
      for (const write of batch) write.reject(err)
    }
    if (this.#pending.length > 0) this.#scheduleFlush()
    else this.#flushing = false
  }

  #takeBatch(): PendingWrite[] {
    let count = 0
    let take = 0
    while (take < this.#pending.length && (take === 0 || count + this.#pending[take]!.records.length <= this.#maxBatchRecords)) {
      count += this.#pending[take]!.records.length
      take++
    }
    return this.#pending.splice(0, take)
  }

  /** Marks history and computes each touched device's next state, in arrival order. */
  #nextStates(records: DeviceRecord[]): VehicleState[] {
    const next = new Map<string, VehicleState>()
    for (const record of records) {
      const state = next.get(record.imei) ?? this.states.getOrEmpty(record.imei, record.protocol)
      const newestFixMs = state.position ? Date.parse(state.position.fixTime) : undefined
      record.buffered = isHistory(record, newestFixMs, this.options.settings)
      next.set(record.imei, applyRecord(state, record, this.options.settings))
    }
    return [...next.values()]
  }

  async #commit(records: DeviceRecord[], states: VehicleState[]): Promise<void> {
    const client = await this.db.connect()
    try {
      await client.query('BEGIN')
      await client.query(INSERT_POSITIONS, [JSON.stringify(records)])
      const events = records.flatMap((r) =>
        r.events.map((type) => ({ imei: r.imei, time: r.fixTime, type, buffered: r.buffered, latitude: r.latitude, longitude: r.longitude })),
      )
      if (events.length > 0) await client.query(INSERT_EVENTS, [JSON.stringify(events)])
      await client.query(UPSERT_DEVICES, [JSON.stringify(states)])
      await client.query('COMMIT')
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw err
    } finally {
      client.release()
    }
  }
}

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

const UPSERT_DEVICES = `
INSERT INTO devices (imei, protocol, first_seen, last_seen, last_fix_time, last_position, last_status)
SELECT "imei", "protocol", "lastSeen", "lastSeen", ("position"->>'fixTime')::timestamptz, "position", "status"
FROM jsonb_to_recordset($1::jsonb) AS s("imei" text, "protocol" text, "lastSeen" timestamptz, "position" jsonb, "status" text)
ON CONFLICT (imei) DO UPDATE SET
  protocol = excluded.protocol,
  last_seen = excluded.last_seen,
  last_fix_time = excluded.last_fix_time,
  last_position = excluded.last_position,
  last_status = excluded.last_status`
