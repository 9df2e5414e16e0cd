import type { Database } from '../../db/client.ts'
import type { Permissions } from '../shared/contract.ts'
import { permissionsOf } from './auth.ts'
import { vehiclesByImei, type VehicleRef } from './devices.ts'

/** The vehicles a user may see: every one (present and future), or these ids. */
export type VisibleVehicles = 'all' | ReadonlySet<number>

/** What a user may do now, as stored: cached per user until a write about users, groups or vehicles. */
export interface UserAccess {
  active: boolean
  permissions: Permissions
  vehicles: VisibleVehicles
}

const NOTHING: ReadonlySet<number> = new Set()
const NO_ACCESS: UserAccess = { active: false, permissions: permissionsOf({}), vehicles: NOTHING }

/** What a user's live sockets may receive: their visible vehicles with Map view (the live map is Map), nothing without it. */
export function liveVehicles(access: UserAccess): VisibleVehicles {
  return access.active && access.permissions.map !== 'none' ? access.vehicles : NOTHING
}

/** Whether a vehicle (or a device's vehicle; null = a device without one) is among the visible ones. Unassigned devices: only for `all`. */
export function seesVehicle(visible: VisibleVehicles, vehicleId: number | null | undefined): boolean {
  return visible === 'all' || (vehicleId != null && visible.has(vehicleId))
}

/**
 * Vehicle visibility in one place, for the API, the socket rooms, the live feed and the alerts:
 * `visibleVehicleIds(userId)` is the set of vehicles the user sees, directly or through groups, or
 * `all` (none for an inactive user). Module access is checked apart from it: routes by the access
 * table, sockets by `liveVehicles` (Map view).
 * It also knows which vehicle each device belongs to (`vehicleOf`), so a device's visibility is its vehicle's.
 *
 * Caches are per process: whoever writes users, groups or vehicles here calls `invalidate` (and
 * `refreshVehicles` after vehicle writes). Past one dashboard process this needs a shared signal.
 */
export class Visibility {
  readonly #byUser = new Map<number, Promise<UserAccess>>()
  #vehicleByImei = new Map<string, VehicleRef>()
  #refreshesStarted = 0
  #refreshApplied = 0

  private constructor(private readonly db: Database) {}

  static async load(db: Database): Promise<Visibility> {
    const visibility = new Visibility(db)
    await visibility.refreshVehicles()
    return visibility
  }

  async visibleVehicleIds(userId: number): Promise<VisibleVehicles> {
    return (await this.accessOf(userId)).vehicles
  }

  /** The user's current permissions and visible vehicles (cached). */
  accessOf(userId: number): Promise<UserAccess> {
    let access = this.#byUser.get(userId)
    if (!access) {
      const loading = this.#load(userId)
      access = loading
      this.#byUser.set(userId, loading)
      loading.catch(() => this.#byUser.get(userId) === loading && this.#byUser.delete(userId))
    }
    return access
  }

  /** The vehicle a device is assigned to, if any. */
  vehicleOf(imei: string): VehicleRef | undefined {
    return this.#vehicleByImei.get(imei)
  }

  seesDevice(visible: VisibleVehicles, imei: string): boolean {
    return seesVehicle(visible, this.vehicleOf(imei)?.id)
  }

  /** Forgets one user's access (their permissions or chosen vehicles changed), or everyone's (groups or vehicles changed). */
  invalidate(userId?: number): void {
    if (userId === undefined) this.#byUser.clear()
    else this.#byUser.delete(userId)
  }

  /** Reads the device-to-vehicle assignments again (after a vehicle write; and periodically). */
  async refreshVehicles(): Promise<void> {
    const refresh = ++this.#refreshesStarted
    const map = await vehiclesByImei(this.db)
    // With a pool an earlier refresh may answer after a later one: keep the latest.
    if (refresh < this.#refreshApplied) return
    this.#refreshApplied = refresh
    this.#vehicleByImei = map
  }

  async #load(userId: number): Promise<UserAccess> {
    const { rows } = await this.db.query<{ active: boolean; permissions: unknown; all_vehicles: boolean; vehicle_ids: number[] }>(
      `SELECT u.active, u.permissions, u.all_vehicles,
              ARRAY(SELECT uv.vehicle_id FROM user_vehicles uv WHERE uv.user_id = u.id
                    UNION
                    SELECT m.vehicle_id FROM user_vehicle_groups ug JOIN vehicle_group_members m ON m.group_id = ug.group_id
                     WHERE ug.user_id = u.id) AS vehicle_ids
         FROM users u WHERE u.id = $1`,
      [userId],
    )
    const row = rows[0]
    if (!row) return NO_ACCESS
    const permissions = permissionsOf(row.permissions)
    const vehicles: VisibleVehicles = !row.active ? NOTHING : row.all_vehicles ? 'all' : new Set(row.vehicle_ids)
    return { active: row.active, permissions, vehicles }
  }
}
