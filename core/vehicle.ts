/** A vehicle's live state as the processor keeps it and the dashboard shows it. */

export type VehicleStatus = 'moving' | 'idle' | 'stopped' | 'noUpdate' | 'never'

export interface LivePosition {
  fixTime: string
  latitude: number
  longitude: number
  speedKmh?: number
  course?: number
  ignition?: boolean
  satellites?: number
  externalVoltageV?: number
  batteryVoltageV?: number
}

/** Where ignition comes from when a device reports none (VIRTUAL_IGNITION). */
export const VIRTUAL_IGNITION_MODES = ['none', 'voltage', 'motion'] as const
export type VirtualIgnition = (typeof VIRTUAL_IGNITION_MODES)[number]
