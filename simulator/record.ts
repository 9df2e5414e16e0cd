/**
 * What a simulated device knows about one moment, before any protocol: the vehicle's position and
 * telemetry plus the scheduled events it reports. Each protocol adapter (simulator/protocols/) turns it
 * into its own wire format with that protocol's encode.ts.
 */

/** Events a simulation can schedule (a subset of the record events in core/record.ts). */
export const SIM_EVENT_TYPES = [
  'powerCut',
  'powerRestored',
  'harshBraking',
  'harshAcceleration',
  'harshCornering',
  'sos',
] as const
export type SimEventType = (typeof SIM_EVENT_TYPES)[number]

export interface SimRecord {
  /** Fix time, epoch milliseconds (rounded to the protocol's time resolution once queued). */
  timeMs: number
  latitude: number
  longitude: number
  /** Metres. */
  altitude: number
  /** Degrees, 0-359. */
  course: number
  satellites: number
  speedKmh: number
  ignition: boolean
  moving: boolean
  /** The ignition differs from the previous record's (the device reports the change). */
  ignitionChanged: boolean
  /** GSM signal level 0-5. */
  gsmLevel: number
  odometerM: number
  /** Vehicle supply; 0 while it is cut (between a `powerCut` and a `powerRestored` event). */
  externalVoltageMv: number
  /** Internal backup battery. */
  batteryVoltageMv: number
  /** A scheduled event this record reports (one at most: events due together go on consecutive records). */
  event?: SimEventType
}

/** The internal battery's charge in percent, from its voltage (3.6 V empty to 4.2 V full, linear). */
export function batteryPercent(batteryVoltageMv: number): number {
  return Math.min(100, Math.max(0, Math.round((batteryVoltageMv - 3_600) / 6)))
}

/** Fix time at a wire's resolution: whole `stepMs` steps, truncated as devices do. */
export function truncateTime(timeMs: number, stepMs: number): number {
  return Math.floor(timeMs / stepMs) * stepMs
}
