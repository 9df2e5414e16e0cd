/** A vehicle's live state as the processor keeps it and the dashboard shows it. */

export type VehicleStatus = 'moving' | 'idle' | 'stopped' | 'noUpdate' | 'never'

export interface LivePosition {
  fixTime: string
  latitude: number
  longitude: number
  /** Whether the device had a GPS fix; without one the coordinates are its last known place. */
  valid: boolean
  speedKmh?: number
  course?: number
  ignition?: boolean
  satellites?: number
  externalVoltageV?: number
  batteryVoltageV?: number
  /** The GSM signal the device reported, in its own bars (0 to 4 or 5, by device). */
  gsmSignal?: number
}

/** Where ignition comes from when a device reports none (VIRTUAL_IGNITION). */
export const VIRTUAL_IGNITION_MODES = ['none', 'voltage', 'motion'] as const
export type VirtualIgnition = (typeof VIRTUAL_IGNITION_MODES)[number]
