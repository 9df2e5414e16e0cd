/** What the fleet map needs from a way of drawing vehicles: DOM markers for small fleets, one canvas for big ones. */
import type L from 'leaflet'
import type { DeviceSummary, LivePosition, VehicleStatus } from '../../../../shared/contract.ts'
import { formatSpeed, STATUS_LABELS } from '../format/format.ts'
import { displayName } from '../vehicles/vehicle-query.ts'

export type MarkerMode = 'dom' | 'canvas'

/** What tests read back for a vehicle: where its marker is drawn and in which status. */
export interface MarkerState {
  lat: number
  lng: number
  status: VehicleStatus
}

export interface MarkerLayer {
  readonly mode: MarkerMode
  readonly size: number
  /** Place or move a vehicle's marker; drawing may wait for `flush`. */
  set(device: DeviceSummary, position: LivePosition): void
  delete(imei: string): void
  /** The end of a batch: draw what changed. */
  flush(): void
  get(imei: string): MarkerState | null
  latLngs(): L.LatLng[]
  /** The followed vehicle is drawn emphasised. */
  highlight(imei: string | null): void
  destroy(): void
}

/** The hover text of a marker, as HTML. */
export function describeMarker(device: DeviceSummary, position: LivePosition): string {
  const name = escapeHtml(displayName(device))
  return `<strong>${name}</strong><br>${STATUS_LABELS[device.status]} · ${formatSpeed(position.speedKmh)}`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** A heading arrow is drawn for moving vehicles whose device reports a course. */
export function showsHeading(device: DeviceSummary, position: LivePosition): boolean {
  return device.status === 'moving' && position.course !== undefined
}
