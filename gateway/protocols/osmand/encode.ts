/** OsmAnd requests as phone apps send them (for the simulator and tests). */
import { KMH_PER_MPS, KNOTS_PER_KMH } from './constants.ts'

export interface OsmandFixInput {
  timeMs: number
  latitude: number
  longitude: number
  speedKmh?: number
  course?: number
  altitude?: number
  accuracyM?: number
  batteryLevelPct?: number
  charging?: boolean
  moving?: boolean
  odometerM?: number
  /** Extra parameters (query form) or `extras` (JSON form). */
  attributes?: Record<string, string | number | boolean>
}

export const JSON_CONTENT_TYPE = 'application/json'

/** A Traccar Client request target: seconds, knots, percent. */
export function encodeQueryTarget(id: string, fix: OsmandFixInput): string {
  const params = new URLSearchParams({ id, timestamp: String(fix.timeMs / 1000), lat: String(fix.latitude), lon: String(fix.longitude) })
  const optional: [string, number | boolean | undefined][] = [
    ['speed', fix.speedKmh === undefined ? undefined : fix.speedKmh * KNOTS_PER_KMH],
    ['bearing', fix.course],
    ['altitude', fix.altitude],
    ['accuracy', fix.accuracyM],
    ['batt', fix.batteryLevelPct],
    ['charge', fix.charging],
    ['motion', fix.moving],
  ]
  for (const [key, value] of optional) if (value !== undefined) params.append(key, String(value))
  for (const [key, value] of Object.entries(fix.attributes ?? {})) params.append(key, String(value))
  return `/?${params}`
}

/** A Transistorsoft background-geolocation upload: one location, or the offline queue as an array. */
export function encodeJsonBody(id: string, fixes: readonly OsmandFixInput[]): string {
  const locations = fixes.map((fix) => ({
    timestamp: new Date(fix.timeMs).toISOString(),
    coords: {
      latitude: fix.latitude,
      longitude: fix.longitude,
      speed: fix.speedKmh === undefined ? -1 : fix.speedKmh / KMH_PER_MPS,
      heading: fix.course ?? -1,
      altitude: fix.altitude ?? 0,
      accuracy: fix.accuracyM ?? 10,
    },
    is_moving: fix.moving ?? false,
    odometer: fix.odometerM ?? 0,
    battery: { level: fix.batteryLevelPct === undefined ? -1 : fix.batteryLevelPct / 100, is_charging: fix.charging ?? false },
    ...(fix.attributes ? { extras: fix.attributes } : {}),
  }))
  return JSON.stringify({ location: locations.length === 1 ? locations[0] : locations, device_id: id })
}
