import type { Database } from '../db/client.ts'
import type { Protocol } from '../core/record.ts'
import type { LivePosition, VehicleStatus } from '../core/vehicle.ts'
import { rebaseCounters } from './counters.ts'
import { emptyState, type VehicleState } from './state.ts'
import { reviveTracking } from './tracking.ts'

/** A vehicles.counters_set_at within this of the one a state already applied is the same setting. */
const SAME_SETTING_MS = 1_000

/** What outside the processor reads of the vehicles' live states: only the processor changes them. */
export interface VehicleStateView {
  get(imei: string): VehicleState | undefined
  all(): IterableIterator<VehicleState>
  /** The device's current totals, or undefined for a device never seen. */
  countersOf(imei: string): { odometerKm: number; engineHoursH: number } | undefined
}

/**
 * The in-memory live state of every registered device, loaded from the database at start. Its writers
 * are the processor's: ingest commits (records, and the commands it runs between batches) and the
 * connection changes; everyone else reads it through VehicleStateView.
 */
export class VehicleStates implements VehicleStateView {
  readonly #byImei = new Map<string, VehicleState>()

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
        state = rebaseCounters(state, row.odometer_km ?? 0, row.engine_hours_h ?? 0, setAtMs)
      }
      states.#byImei.set(state.imei, state)
    }
    return states
  }

  get(imei: string): VehicleState | undefined {
    return this.#byImei.get(imei)
  }

  /** The device's state, or a fresh one. */
  getOrEmpty(imei: string, protocol: Protocol): VehicleState {
    return this.#byImei.get(imei) ?? emptyState(imei, protocol)
  }

  /**
   * A state computed from an earlier one and now committed (ingest). The connection flag is not the
   * batch's to change: it stays as the connection changes last set it.
   */
  commit(next: VehicleState): VehicleState {
    const current = this.#byImei.get(next.imei)
    const state = current !== undefined && current.connected !== next.connected ? { ...next, connected: current.connected } : next
    this.#byImei.set(state.imei, state)
    return state
  }

  /**
   * A device's connection opened or closed (the gateway's DeviceConnections). Memory only (a restart
   * starts every device disconnected), so it waits for no batch: commit keeps the flag it sets.
   * Returns the device's state as it now stands.
   */
  connectionChanged(imei: string, protocol: Protocol, connected: boolean): VehicleState {
    const state = { ...this.getOrEmpty(imei, protocol), connected }
    this.#byImei.set(imei, state)
    return state
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
