import type { Database } from '../db/client.ts'
import type { Admission, DeviceAdmission } from '../gateway/admission.ts'
import type { Protocol } from '../core/record.ts'

export type RegistrationMode = 'open' | 'closed'

/**
 * `open`: every new IMEI is admitted and registered at once, so it shows in the device list as
 * unassigned. `closed`: only devices registered beforehand (API or earlier traffic) are admitted.
 * Either way a device stays bound to the protocol it registered with. Known IMEIs and their protocol
 * are kept in memory: a device's every datagram or request asks again.
 */
export class DatabaseDeviceAdmission implements DeviceAdmission {
  private constructor(
    private readonly db: Database,
    private readonly mode: RegistrationMode,
    private readonly known: Map<string, Protocol>,
  ) {}

  static async load(db: Database, mode: RegistrationMode): Promise<DatabaseDeviceAdmission> {
    const { rows } = await db.query<{ imei: string; protocol: Protocol }>('SELECT imei, protocol FROM devices')
    return new DatabaseDeviceAdmission(db, mode, new Map(rows.map((row) => [row.imei, row.protocol])))
  }

  async admit(imei: string, protocol: Protocol): Promise<Admission> {
    const registered = this.known.get(imei)
    if (registered !== undefined) return registered === protocol ? 'admitted' : 'otherProtocol'
    if (this.mode === 'closed') return 'unknown'
    const stored = await this.register(imei, protocol)
    return stored === protocol ? 'admitted' : 'otherProtocol'
  }

  /**
   * Registers a device ahead of its first connection (the only way in when registration is closed).
   * Resolves with the protocol the IMEI is registered with: an IMEI already registered keeps its own.
   */
  async register(imei: string, protocol: Protocol): Promise<Protocol> {
    const { rows } = await this.db.query<{ protocol: Protocol }>(
      `INSERT INTO devices (imei, protocol) VALUES ($1, $2)
       ON CONFLICT (imei) DO UPDATE SET imei = EXCLUDED.imei
       RETURNING protocol`,
      [imei, protocol],
    )
    const registered = rows[0]?.protocol ?? protocol
    this.known.set(imei, registered)
    return registered
  }
}
