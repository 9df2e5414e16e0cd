/** Pure queries over the fleet list: display names, search, status counts. */
import type { DeviceSummary, VehicleStatus } from '../../../../shared/contract.ts'

export const STATUSES: readonly VehicleStatus[] = ['moving', 'idle', 'stopped', 'noUpdate', 'never']

export type StatusCounts = Record<VehicleStatus, number>

export function displayName(device: DeviceSummary): string {
  return device.name.trim() || device.imei
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

export function byDisplayName(a: DeviceSummary, b: DeviceSummary): number {
  return collator.compare(displayName(a), displayName(b)) || a.imei.localeCompare(b.imei)
}

export function countByStatus(devices: Iterable<DeviceSummary>): StatusCounts {
  const counts: StatusCounts = { moving: 0, idle: 0, stopped: 0, noUpdate: 0, never: 0 }
  for (const device of devices) counts[device.status] += 1
  return counts
}

export interface VehicleFilter {
  /** Matched case-insensitively against name and IMEI. */
  search: string
  /** Only this status, or every status when null. */
  status: VehicleStatus | null
}

export function matchesFilter(device: DeviceSummary, filter: VehicleFilter): boolean {
  if (filter.status !== null && device.status !== filter.status) return false
  const needle = filter.search.trim().toLowerCase()
  return needle === '' || device.name.toLowerCase().includes(needle) || device.imei.includes(needle)
}
