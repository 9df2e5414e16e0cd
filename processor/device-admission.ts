import type { Database } from '../db/client.ts'
import type { Protocol } from '../gateway/record.ts'

export type RegistrationMode = 'open' | 'closed'

/** Decides whether a device that identified itself may talk to us (DEVICE_REGISTRATION). */
export interface DeviceAdmission {
  admit(imei: string, protocol: Protocol): Promise<boolean>
}

/**
 * `open`: every new IMEI is admitted and registered at once, so it shows in the device list as
 * unassigned. `closed`: only devices registered beforehand (API or earlier traffic) are admitted.
 * Known IMEIs are kept in memory: a device's every datagram or request asks again.
 */
export class DatabaseDeviceAdmission implements DeviceAdmission {
  private constructor(
    private readonly db: Database,
    private readonly mode: RegistrationMode,
    private readonly known: Set<string>,
  ) {}

  static async load(db: Database, mode: RegistrationMode): Promise<DatabaseDeviceAdmission> {
    const { rows } = await db.query<{ imei: string }>('SELECT imei FROM devices')
    return new DatabaseDeviceAdmission(db, mode, new Set(rows.map((row) => row.imei)))
  }

  async admit(imei: string, protocol: Protocol): Promise<boolean> {
    if (this.known.has(imei)) return true
    if (this.mode === 'closed') return false
    await this.register(imei, protocol)
    return true
  }

  /** Registers a device ahead of its first connection (the only way in when registration is closed). */
  async register(imei: string, protocol: Protocol): Promise<void> {
    await this.db.query('INSERT INTO devices (imei, protocol) VALUES ($1, $2) ON CONFLICT (imei) DO NOTHING', [imei, protocol])
    this.known.add(imei)
  }
}
