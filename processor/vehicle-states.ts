import type { Database } from '../db/client.ts'
import type { Protocol } from '../gateway/record.ts'
import type { LivePosition, VehicleStatus } from '../dashboard/shared/contract.ts'
import { emptyState, type VehicleState } from './state.ts'

/** The in-memory live state of every device, loaded from the database at start. */
export class VehicleStates {
  readonly #byImei = new Map<string, VehicleState>()

  static async load(db: Database): Promise<VehicleStates> {
    const states = new VehicleStates()
    const { rows } = await db.query<{
      imei: string
      protocol: Protocol
      last_seen: Date | null
      last_position: LivePosition | null
      last_status: VehicleStatus
    }>('SELECT imei, protocol, last_seen, last_position, last_status FROM devices')
    for (const row of rows) {
      states.set({
        imei: row.imei,
        protocol: row.protocol,
        connected: false,
        lastSeen: row.last_seen?.toISOString() ?? null,
        position: row.last_position,
        status: row.last_status,
      })
    }
    return states
  }

  get(imei: string): VehicleState | undefined {
    return this.#byImei.get(imei)
  }

  getOrEmpty(imei: string, protocol: Protocol): VehicleState {
    return this.#byImei.get(imei) ?? emptyState(imei, protocol)
  }

  set(state: VehicleState): void {
    this.#byImei.set(state.imei, state)
  }

  all(): IterableIterator<VehicleState> {
    return this.#byImei.values()
  }

  get size(): number {
    return this.#byImei.size
  }
}
