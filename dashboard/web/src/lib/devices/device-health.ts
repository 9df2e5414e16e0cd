/** The installer's view of a device: is it reporting, and what does its latest position say. */
import type { DeviceSummary, LivePosition } from '../../../../shared/contract.ts'
import { isStale } from '../format/format.ts'

/** Silent for longer than this: the last-packet time turns red. */
export const STALE_AFTER_MS = 10 * 60_000

/**
 * never: it never sent anything; silent: no packet for STALE_AFTER_MS (or the server's no-update status);
 * offline: recently heard but its connection is closed (UDP and HTTP devices look like this between reports);
 * ok: connected and reporting.
 */
export type DeviceHealth = 'never' | 'silent' | 'offline' | 'ok'

export function deviceHealth(device: DeviceSummary, now: number): DeviceHealth {
  if (device.lastSeen === null || device.status === 'never') return 'never'
  if (device.status === 'noUpdate' || isStale(device.lastSeen, now, STALE_AFTER_MS)) return 'silent'
  return device.connected ? 'ok' : 'offline'
}

export const HEALTH_LABELS: Readonly<Record<DeviceHealth, string>> = {
  never: 'Never connected',
  silent: 'Stopped reporting',
  offline: 'Not connected',
  ok: 'Reporting',
}

const HEALTH_ORDER: readonly DeviceHealth[] = ['never', 'silent', 'offline', 'ok']

/**
 * Devices needing attention first (never connected, then stopped reporting, then not connected), keeping
 * the given order within each group: pass the fleet already sorted by name, and no sort runs per update.
 */
export function problemsFirst(devices: Iterable<DeviceSummary>, now: number): DeviceSummary[] {
  const groups: Record<DeviceHealth, DeviceSummary[]> = { never: [], silent: [], offline: [], ok: [] }
  for (const device of devices) groups[deviceHealth(device, now)].push(device)
  return HEALTH_ORDER.flatMap((health) => groups[health])
}

export type DeviceFilter = 'all' | 'problems' | 'reporting'

export function matchesDeviceFilter(device: DeviceSummary, filter: DeviceFilter, search: string, now: number): boolean {
  const health = deviceHealth(device, now)
  if (filter === 'problems' && health !== 'never' && health !== 'silent') return false
  if (filter === 'reporting' && (health === 'never' || health === 'silent')) return false
  const needle = search.trim().toLowerCase()
  return needle === '' || device.imei.includes(needle) || device.name.toLowerCase().includes(needle) ||
    device.protocol.toLowerCase().includes(needle)
}

/** "Valid · 9 sats", "No fix · 2 sats", "Valid" (satellites not reported), "–" (no position). */
export function formatFix(position: LivePosition | null): string {
  if (position === null) return '–'
  const validity = position.valid ? 'Valid' : 'No fix'
  return position.satellites === undefined ? validity : `${validity} · ${position.satellites} sats`
}

/** The GSM signal the device last reported, "–" when it reports none. */
export function formatSignal(position: LivePosition | null): string {
  return position?.gsmSignal === undefined ? '–' : `${position.gsmSignal}`
}
