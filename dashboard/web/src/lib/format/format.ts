/** Pure formatting for the dashboard: no DOM, no clock (callers pass `now`). */
import type { VehicleStatus } from '../../../../shared/contract.ts'

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

/** `formatAge` as a phrase: "12 s ago", "now", "never". */
export function formatAgo(time: string | null, now: number): string {
  const age = formatAge(time, now)
  return age === 'never' || age === 'now' || age === 'unknown' ? age : `${age} ago`
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

/** The status as a dispatcher reads it: "No Update · 3 d 4 h" says how long a silent device has been silent. */
export function formatStatus(status: VehicleStatus, lastSeen: string | null, now: number): string {
  if (status !== 'noUpdate') return STATUS_LABELS[status]
  const age = formatAge(lastSeen, now)
  return age === 'never' || age === 'unknown' ? 'No Update' : `No Update · ${age}`
}

/** "12.6 V"; a dash when not reported. */
export function formatVoltage(volts: number | undefined): string {
  return volts === undefined ? '–' : `${volts.toFixed(1)} V`
}

export function formatOnOff(value: boolean | undefined): string {
  return value === undefined ? '–' : value ? 'On' : 'Off'
}

const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })

/** "12,345.6 km"; a dash when unknown. */
export function formatKm(km: number | undefined): string {
  return km === undefined ? '–' : `${oneDecimal.format(km)} km`
}

/** "1,234.5 h"; a dash when unknown. */
export function formatHours(hours: number | undefined): string {
  return hours === undefined ? '–' : `${oneDecimal.format(hours)} h`
}

/** Local wall-clock time with seconds, "14:03:22"; `timeZone` for tests. */
export function formatClock(time: string, timeZone?: string): string {
  const date = new Date(time)
  if (Number.isNaN(date.getTime())) return '–'
  return date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone })
}

/** Local date and time, "22 Nov 2026, 14:03"; `timeZone` for tests. */
export function formatDateTime(time: string, timeZone?: string): string {
  const date = new Date(time)
  if (Number.isNaN(date.getTime())) return '–'
  return date.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone })
}

/** Whether a device that reported at `lastSeen` has been silent for longer than `afterMs` (never reported counts). */
export function isStale(lastSeen: string | null, now: number, afterMs: number): boolean {
  if (lastSeen === null) return true
  const seen = Date.parse(lastSeen)
  return Number.isNaN(seen) || now - seen > afterMs
}
