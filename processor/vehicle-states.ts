import type { Database } from '../db/client.ts'
import type { Protocol } from '../core/record.ts'
import type { LivePosition, VehicleStatus } from '../core/vehicle.ts'
import { rebaseCounters } from './counters.ts'
import { emptyState, type VehicleState } from './state.ts'
import { reviveTracking } from './tracking.ts'

interface CountersSet {
  odometerKm: number
  engineHoursH: number
  atMs: number
  seq: number
}

/** A vehicles.counters_set_at within this of the one a state already applied is the same setting. */
const SAME_SETTING_MS = 1_000

/** The in-memory live state of every device, loaded from the database at start. */
export class VehicleStates {
  readonly #byImei = new Map<string, VehicleState>()
  /** Counters set while a batch may be in flight; applied to whatever state is committed until one carrying them is. */
  readonly #countersSet = new Map<string, CountersSet>()
  #seq = 0

  /**
   * Devices with their live state and tracking. A vehicle whose counters were set after the state its
   * device last persisted (counters_set_at newer; e.g. set through the API while this process was down)
   * starts from the vehicle's values.
   */
  static async load(db: Database): Promise<VehicleStates> {
    const states = new VehicleStates()
    const { rows } = await db.query<{
      imei: string
      protocol: Protocol
      last_seen: Date | null
      last_position: LivePosition | null
      last_status: VehicleStatus
      tracking: Record<string, unknown>
      odometer_km: number | null
      engine_hours_h: number | null
      counters_set_at: Date | null
    }>(
      `SELECT d.imei, d.protocol, d.last_seen, d.last_position, d.last_status, d.tracking,
              v.odometer_km, v.engine_hours_h, v.counters_set_at
         FROM devices d LEFT JOIN vehicles v ON v.device_imei = d.imei`,
    )
    for (const row of rows) {
      const lastSeen = row.last_seen?.toISOString() ?? null
      const tracking = reviveTracking(row.tracking, lastSeen)
      // setCounters sequence numbers belong to one process.
      tracking.counters.seq = 0
      let state: VehicleState = {
        imei: row.imei,
        protocol: row.protocol,
        connected: false,
        lastSeen,
        position: row.last_position,
        status: row.last_status,
        odometerKm: numberOr(row.tracking.odometerKm, 0),
        engineHoursH: numberOr(row.tracking.engineHoursH, 0),
        tracking,
      }
      const setAtMs = row.counters_set_at?.getTime()
      const appliedMs = tracking.counters.setAtMs
      if (setAtMs !== undefined && (appliedMs === null || setAtMs - appliedMs > SAME_SETTING_MS)) {
        state = rebaseCounters(state, row.odometer_km ?? 0, row.engine_hours_h ?? 0, setAtMs, 0)
      }
      states.set(state)
    }
    return states
  }

  get(imei: string): VehicleState | undefined {
    return this.#byImei.get(imei)
  }

  /** The device's state, or a fresh one (carrying counters already set for it). */
  getOrEmpty(imei: string, protocol: Protocol): VehicleState {
    const state = this.#byImei.get(imei)
    if (state) return state
    const set = this.#countersSet.get(imei)
    const empty = emptyState(imei, protocol)
    return set ? rebaseCounters(empty, set.odometerKm, set.engineHoursH, set.atMs, set.seq) : empty
  }

  set(state: VehicleState): void {
    this.#byImei.set(state.imei, state)
  }

  /**
   * A state computed from an earlier one and now committed (ingest). What changed meanwhile outside the
   * batch is kept: the connection flag, and counters set after the batch was computed.
   */
  commit(next: VehicleState): VehicleState {
    const current = this.#byImei.get(next.imei)
    let state = current !== undefined && current.connected !== next.connected ? { ...next, connected: current.connected } : next
    const set = this.#countersSet.get(next.imei)
    if (set !== undefined) {
      if (state.tracking.counters.seq === set.seq) this.#countersSet.delete(next.imei)
      else state = rebaseCounters(state, set.odometerKm, set.engineHoursH, set.atMs, set.seq)
    }
    this.#byImei.set(state.imei, state)
    return state
  }

  /**
   * An office user set the vehicle's current mileage and engine hours (PUT /api/vehicles/:id/counters), for
   * the device `imei` assigned to it: from `at` on they grow from these values. Call it with the time you
   * store in vehicles.counters_set_at (within 1 s), after that write commits: the totals persist with the
   * device's next committed batch, and until then a restart re-applies them from the vehicles row. Safe
   * while records are being committed (a batch computed before is rebased when it commits). Returns the
   * device's state as it now stands, or undefined if the device has not reported yet (it starts from these
   * values when it does).
   */
  setCounters(imei: string, odometerKm: number, engineHoursH: number, at: Date | string): VehicleState | undefined {
    const atMs = typeof at === 'string' ? Date.parse(at) : at.getTime()
    const set: CountersSet = { odometerKm, engineHoursH, atMs, seq: ++this.#seq }
    this.#countersSet.set(imei, set)
    const state = this.#byImei.get(imei)
    if (state === undefined) return undefined
    const rebased = rebaseCounters(state, odometerKm, engineHoursH, atMs, set.seq)
    this.#byImei.set(imei, rebased)
    return rebased
  }

  /** The device's current totals, or undefined for a device never seen. */
  countersOf(imei: string): { odometerKm: number; engineHoursH: number } | undefined {
    const state = this.#byImei.get(imei)
    return state && { odometerKm: state.odometerKm, engineHoursH: state.engineHoursH }
  }

  all(): IterableIterator<VehicleState> {
    return this.#byImei.values()
  }

  get size(): number {
    return this.#byImei.size
  }
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}
