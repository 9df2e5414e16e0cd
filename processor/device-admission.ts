import type { Admission, DeviceAdmission } from '../gateway/admission.ts'
import type { Protocol } from '../core/record.ts'
import type { VehicleStateView } from './vehicle-states.ts'

export type RegistrationMode = 'open' | 'closed'

/**
 * `open`: every new IMEI is admitted and registered at once, so it shows in the device list as
 * unassigned. `closed`: only devices registered beforehand (API or earlier traffic) are admitted.
 * Either way a device stays bound to the protocol it registered with. A registered device is one the
 * processor holds a state for (every devices row is loaded at start, and registering commits one), so
 * a device's every datagram or request is answered from memory.
 */
export class DeviceRegistration implements DeviceAdmission {
  constructor(
    private readonly mode: RegistrationMode,
    private readonly states: Pick<VehicleStateView, 'get'>,
    /** The processor's command: registers the device, resolving with the protocol it is registered with. */
    private readonly register: (imei: string, protocol: Protocol) => Promise<Protocol>,
  ) {}

  async admit(imei: string, protocol: Protocol): Promise<Admission> {
    const registered = this.states.get(imei)?.protocol
    if (registered !== undefined) return registered === protocol ? 'admitted' : 'otherProtocol'
    if (this.mode === 'closed') return 'unknown'
    const stored = await this.register(imei, protocol)
    return stored === protocol ? 'admitted' : 'otherProtocol'
  }
}
