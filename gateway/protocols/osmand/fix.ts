/** What one OsmAnd location says, in our units, and how it becomes a DeviceRecord (shared by both forms). */
import { omitUndefined } from '../../lib/omit-undefined.ts'
import type { DeviceRecord, RawIo, RecordEvent } from '../../../core/record.ts'
import { ALARM_EVENTS, SPEED_DECIMALS } from './constants.ts'

export interface Fix {
  /** The fix time, ms since the epoch; undefined when the app sent none (the arrival time is used). */
  timeMs?: number
  /** Both or neither. */
  latitude?: number
  longitude?: number
  /** The app's validity flag; a fix is valid unless it says otherwise. */
  valid?: boolean
  speedKmh?: number
  course?: number
  altitude?: number
  hdop?: number
  batteryLevelPct?: number
  ignition?: boolean
  motion?: boolean
  odometerKm?: number
  events: RecordEvent[]
  io: RawIo
}

/**
 * `receivedAt`: the gateway clock, ISO 8601. A location without coordinates (a status report: battery,
 * alarm) is stored without a position and `valid: false`; nothing is invented.
 */
export function toDeviceRecord(fix: Fix, id: string, receivedAt: string): DeviceRecord {
  const hasPosition = fix.latitude !== undefined && fix.longitude !== undefined
  return omitUndefined<DeviceRecord>({
    imei: id,
    protocol: 'osmand',
    fixTime: fix.timeMs === undefined ? receivedAt : new Date(fix.timeMs).toISOString(),
    receivedAt,
    // Phones upload their offline queue later; the processor recognises such history by its lag.
    buffered: false,
    valid: hasPosition && fix.valid !== false,
    latitude: hasPosition ? fix.latitude : undefined,
    longitude: hasPosition ? fix.longitude : undefined,
    speedKmh: fix.speedKmh === undefined ? undefined : roundTo(fix.speedKmh, SPEED_DECIMALS),
    course: fix.course,
    altitude: fix.altitude,
    hdop: fix.hdop,
    ignition: fix.ignition,
    motion: fix.motion,
    batteryLevelPct: fix.batteryLevelPct,
    odometerKm: fix.odometerKm,
    events: fix.events,
    io: fix.io,
  })
}

/** The events an `alarm` value raises: one or several alarm names, comma-separated; unknown names raise none. */
export function alarmEvents(alarm: string): RecordEvent[] {
  const events = alarm.split(',').flatMap((name) => {
    const event = ALARM_EVENTS.get(name.trim())
    return event ? [event] : []
  })
  return [...new Set(events)]
}

/** Negative speeds, headings and battery levels are the apps' "unknown"; out-of-range values are unknown too. */
export function within(value: number | undefined, min: number, max: number): number | undefined {
  return value !== undefined && value >= min && value <= max ? value : undefined
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals
  return Math.round(value * scale) / scale
}
