/** One Leaflet divIcon marker per vehicle: fine for hundreds, and easy for CSS and browser tests to find. */
import L from 'leaflet'
import type { DeviceSummary, LivePosition } from '../../../../shared/contract.ts'
import { describeMarker, showsHeading, type MarkerLayer, type MarkerState } from './marker-layer.ts'
import { displayName } from '../vehicles/vehicle-query.ts'

// One icon for every vehicle: status and heading are set on each marker's own element.
const vehicleIcon = L.divIcon({
  className: 'vehicle-marker',
  html: '<span class="vehicle-marker-heading"></span><span class="vehicle-marker-label"></span>',
  iconSize: [18, 18],
})

/** Markers carry `data-imei`, `data-status`, `data-lat` and `data-lng` on their element, and the vehicle's name. */
export class DomMarkers implements MarkerLayer {
  readonly mode = 'dom'
  #map: L.Map
  #onClick: (imei: string) => void
  #markers = new Map<string, { marker: L.Marker; state: MarkerState }>()
  #highlighted: string | null = null

  constructor(map: L.Map, onClick: (imei: string) => void) {
    this.#map = map
    this.#onClick = onClick
  }

  get size(): number {
    return this.#markers.size
  }

  set(device: DeviceSummary, position: LivePosition): void {
    const latLng = L.latLng(position.latitude, position.longitude)
    let entry = this.#markers.get(device.imei)
    if (entry) {
      entry.marker.setLatLng(latLng)
    } else {
      const marker = L.marker(latLng, { icon: vehicleIcon, keyboard: false })
        .bindTooltip('', { direction: 'top', offset: [0, -10] })
        .on('click', () => this.#onClick(device.imei))
        .addTo(this.#map)
      entry = { marker, state: { lat: 0, lng: 0, status: device.status } }
      this.#markers.set(device.imei, entry)
    }
    entry.state = { lat: position.latitude, lng: position.longitude, status: device.status }
    entry.marker.setTooltipContent(describeMarker(device, position))
    entry.marker.setZIndexOffset(device.imei === this.#highlighted ? 1000 : 0)
    const element = entry.marker.getElement()
    if (element) label(element, device, position, device.imei === this.#highlighted)
  }

  delete(imei: string): void {
    this.#markers.get(imei)?.marker.remove()
    this.#markers.delete(imei)
  }

  flush(): void {}

  get(imei: string): MarkerState | null {
    return this.#markers.get(imei)?.state ?? null
  }

  latLngs(): L.LatLng[] {
    return [...this.#markers.values()].map(({ marker }) => marker.getLatLng())
  }

  highlight(imei: string | null): void {
    for (const id of [this.#highlighted, imei]) {
      const entry = id === null ? undefined : this.#markers.get(id)
      entry?.marker.getElement()?.classList.toggle('is-followed', id === imei)
      entry?.marker.setZIndexOffset(id === imei ? 1000 : 0)
    }
    this.#highlighted = imei
  }

  destroy(): void {
    for (const { marker } of this.#markers.values()) marker.remove()
    this.#markers.clear()
  }
}

function label(element: HTMLElement, device: DeviceSummary, position: LivePosition, followed: boolean): void {
  element.dataset.imei = device.imei
  element.dataset.status = device.status
  element.dataset.lat = String(position.latitude)
  element.dataset.lng = String(position.longitude)
  element.classList.toggle('is-followed', followed)
  // The name under the marker, shown when zoomed in (app.css, `.labels-on`).
  const name = displayName(device)
  const labelElement = element.lastElementChild
  if (labelElement && labelElement.textContent !== name) labelElement.textContent = name
  const heading = showsHeading(device, position)
  element.classList.toggle('has-heading', heading)
  if (heading) element.style.setProperty('--course', `${position.course}deg`)
}
