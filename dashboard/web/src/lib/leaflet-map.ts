/** The live fleet on a Leaflet map, mounted through `{@attach}`; markers move in place as events arrive. */
import L from 'leaflet'
import { untrack } from 'svelte'
import type { Attachment } from 'svelte/attachments'
import type { DeviceSummary, LivePosition, MapSettings } from '../../../shared/contract.ts'
import type { FleetListener } from './fleet.svelte.ts'
import { formatSpeed, STATUS_LABELS } from './format.ts'
import { displayName } from './vehicle-query.ts'

export interface FleetSource {
  current(): readonly DeviceSummary[]
  subscribe(listener: FleetListener): () => void
}

export interface FleetMapOptions {
  onMarkerClick(imei: string): void
  /** The user dragged the map, so it no longer follows a vehicle. */
  onFollowEnd(): void
}

const WORLD_CENTER: L.LatLngTuple = [20, 0]
const FOLLOW_MIN_ZOOM = 14
const FIT_MAX_ZOOM = 15

// One icon for every vehicle: status and heading are set on each marker's own element.
const vehicleIcon = L.divIcon({
  className: 'vehicle-marker',
  html: '<span class="vehicle-marker-heading"></span>',
  iconSize: [18, 18],
})

/**
 * One marker per positioned device, with `data-imei`, `data-status`, `data-lat` and `data-lng`
 * on its element so browser tests and CSS can find it.
 */
export class FleetMapView {
  #options: FleetMapOptions
  #map: L.Map | null = null
  #markers = new Map<string, L.Marker>()
  #followed: string | null = null
  #fitted = false

  constructor(options: FleetMapOptions) {
    this.#options = options
  }

  /** For `{@attach}` on the map's element. Reads no reactive state, so it runs once per element. */
  attach(fleet: FleetSource, tiles: MapSettings): Attachment<HTMLElement> {
    return (element) => untrack(() => this.#mount(element, fleet, tiles))
  }

  /** Centre on a vehicle and keep it centred as it moves, until the user drags the map. */
  follow(imei: string): void {
    this.#followed = imei
    const marker = this.#markers.get(imei)
    if (this.#map && marker) this.#map.setView(marker.getLatLng(), Math.max(this.#map.getZoom(), FOLLOW_MIN_ZOOM))
  }

  #mount(element: HTMLElement, fleet: FleetSource, { tileUrl, attribution }: MapSettings): () => void {
    const map = L.map(element, { center: WORLD_CENTER, zoom: 2, worldCopyJump: true })
    if (tileUrl !== '') L.tileLayer(tileUrl, { attribution, maxZoom: 19 }).addTo(map)
    map.on('dragstart', () => {
      if (this.#followed === null) return
      this.#followed = null
      this.#options.onFollowEnd()
    })
    const resizeObserver = new ResizeObserver(() => map.invalidateSize())
    resizeObserver.observe(element)
    this.#map = map

    this.#apply(fleet.current(), [])
    const unsubscribe = fleet.subscribe((changed, removed) => this.#apply(changed, removed))

    return () => {
      unsubscribe()
      resizeObserver.disconnect()
      map.remove()
      this.#map = null
      this.#markers.clear()
      this.#fitted = false
    }
  }

  #apply(changed: readonly DeviceSummary[], removed: readonly string[]): void {
    for (const imei of removed) this.#removeMarker(imei)
    for (const device of changed) {
      if (device.position) this.#placeMarker(device, device.position)
      else this.#removeMarker(device.imei)
    }
    if (!this.#fitted) this.#fitToMarkers()
  }

  #placeMarker(device: DeviceSummary, position: LivePosition): void {
    const map = this.#map
    if (!map) return
    const latLng = L.latLng(position.latitude, position.longitude)
    let marker = this.#markers.get(device.imei)
    if (marker) {
      marker.setLatLng(latLng)
    } else {
      marker = L.marker(latLng, { icon: vehicleIcon, keyboard: false })
        .bindTooltip('', { direction: 'top', offset: [0, -10] })
        .on('click', () => this.#options.onMarkerClick(device.imei))
        .addTo(map)
      this.#markers.set(device.imei, marker)
    }
    marker.setTooltipContent(describe(device, position))
    const element = marker.getElement()
    if (element) labelMarkerElement(element, device, position)
    if (device.imei === this.#followed) map.panTo(latLng)
  }

  #removeMarker(imei: string): void {
    this.#markers.get(imei)?.remove()
    this.#markers.delete(imei)
  }

  #fitToMarkers(): void {
    if (!this.#map || this.#markers.size === 0) return
    const bounds = L.latLngBounds([...this.#markers.values()].map((marker) => marker.getLatLng()))
    this.#map.fitBounds(bounds, { padding: [40, 40], maxZoom: FIT_MAX_ZOOM })
    this.#fitted = true
  }
}

function labelMarkerElement(element: HTMLElement, device: DeviceSummary, position: LivePosition): void {
  element.dataset.imei = device.imei
  element.dataset.status = device.status
  element.dataset.lat = String(position.latitude)
  element.dataset.lng = String(position.longitude)
  const showHeading = device.status === 'moving' && position.course !== undefined
  element.classList.toggle('has-heading', showHeading)
  if (showHeading) element.style.setProperty('--course', `${position.course}deg`)
}

function describe(device: DeviceSummary, position: LivePosition): string {
  const name = escapeHtml(displayName(device))
  return `<strong>${name}</strong><br>${STATUS_LABELS[device.status]} · ${formatSpeed(position.speedKmh)}`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
