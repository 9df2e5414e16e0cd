import type { Protocol } from '../core/record.ts'

/**
 * Whether a device that identified itself may talk to us: `admitted`, `unknown` (registration is
 * closed and the IMEI is not registered) or `otherProtocol` (the IMEI is registered with another
 * protocol: none of the protocols authenticates a device, so a message naming an IMEI in another
 * protocol's words is someone else's, whatever the registration mode).
 */
export type Admission = 'admitted' | 'unknown' | 'otherProtocol'

/** Decides whether a device may talk to us (DEVICE_REGISTRATION); the processor implements it over the devices table. */
export interface DeviceAdmission {
  admit(imei: string, protocol: Protocol): Promise<Admission>
}
