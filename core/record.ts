/** The one normalized record every part of Fleetwire speaks: decoders make it, the processor and the dashboard read it. */

export const PROTOCOLS = ['teltonika', 'gt06', 'queclink', 'osmand'] as const
export type Protocol = (typeof PROTOCOLS)[number]

/** Events a device can report. Extend the list here, in one place, when a protocol needs more. */
export const RECORD_EVENTS = [
  'powerCut',
  'powerRestored',
  'harshBraking',
  'harshAcceleration',
  'harshCornering',
  'ignitionOn',
  'ignitionOff',
  'sos',
  'lowBattery',
  'tampering',
  'vibration',
  'accident',
  'jamming',
  'towing',
  'deviceReset',
] as const
export type RecordEvent = (typeof RECORD_EVENTS)[number]

/** Raw protocol attributes. Values above 2^53-1 are decimal strings; variable-length values are "x:<hex>". */
export type RawIo = Record<string, number | string | boolean>

export interface DeviceRecord {
  imei: string
  protocol: Protocol
  /** Time of the GPS fix, device clock, ISO 8601 UTC. */
  fixTime: string
  /** Gateway clock when the message arrived, ISO 8601 UTC. */
  receivedAt: string
  /** History the device stored without coverage and uploaded later. */
  buffered: boolean
  valid: boolean
  /** Omitted only when the message carried no coordinates at all (valid is then false). */
  latitude?: number
  longitude?: number
  speedKmh?: number
  course?: number
  altitude?: number
  satellites?: number
  hdop?: number
  ignition?: boolean
  motion?: boolean
  externalVoltageV?: number
  batteryVoltageV?: number
  batteryLevelPct?: number
  odometerKm?: number
  engineHoursH?: number
  gsmSignal?: number
  /** The force the device measured for the harsh-driving event it reports in `events`, in g; only when it gives one. */
  harshForceG?: number
  /** Whether the vehicle's supply is connected, from devices that report it as a flag rather than as a voltage. */
  externalPowerConnected?: boolean
  events: RecordEvent[]
  io: RawIo
}
