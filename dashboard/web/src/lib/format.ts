/** Pure formatting for the dashboard: no DOM, no clock (callers pass `now`). */
import type { VehicleStatus } from '../../../shared/contract.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** How long ago `time` was, in the two largest units: "12 s", "5 min", "2 h 15 min", "3 d 4 h". */
export function formatAge(time: string | null, now: number): string {
  if (time === null) return 'never'
  const elapsed = now - Date.parse(time)
  if (Number.isNaN(elapsed)) return 'unknown'
  if (elapsed < SECOND) return 'now'
  if (elapsed < MINUTE) return `${Math.floor(elapsed / SECOND)} s`
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min`
  if (elapsed < DAY) return joinUnits(Math.floor(elapsed / HOUR), 'h', Math.floor((elapsed % HOUR) / MINUTE), 'min')
  return joinUnits(Math.floor(elapsed / DAY), 'd', Math.floor((elapsed % DAY) / HOUR), 'h')
}

function joinUnits(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`
}

export function formatSpeed(speedKmh: number | undefined): string {
  return speedKmh === undefined ? '–' : `${Math.round(speedKmh)} km/h`
}

/** "52.52000° N, 13.40500° E": five decimals is about a metre. */
export function formatCoordinates(latitude: number, longitude: number): string {
  const lat = `${Math.abs(latitude).toFixed(5)}° ${latitude < 0 ? 'S' : 'N'}`
  const lng = `${Math.abs(longitude).toFixed(5)}° ${longitude < 0 ? 'W' : 'E'}`
  return `${lat}, ${lng}`
}

export const STATUS_LABELS: Readonly<Record<VehicleStatus, string>> = {
  moving: 'Moving',
  idle: 'Idle',
  stopped: 'Stopped',
  noUpdate: 'No update',
  never: 'Never reported',
}
