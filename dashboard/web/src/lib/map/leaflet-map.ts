/**
 * The live fleet on a Leaflet map, mounted through `{@attach}`; markers move in place as batches arrive.
 * Up to CANVAS_THRESHOLD positioned vehicles are DOM markers; beyond it, one canvas draws them all.
 */
import L from 'leaflet'
import { untrack } from 'svelte'
import type { Attachment } from 'svelte/attachments'
import type { DeviceSummary, MapSettings } from '../../../../shared/contract.ts'
import { CanvasMarkers } from './canvas-markers.ts'
import { DomMarkers } from './dom-markers.ts'
import type { FleetListener } from '../live/fleet.svelte.ts'
import { FrameMonitor } from './frame-monitor.ts'
import { drawTrail } from './leaflet-trail.ts'
import type { MarkerLayer, MarkerMode } from './marker-layer.ts'
import { exposeMap } from './test-hook.ts'
import type { TrailSegment } from './trail.ts'

export interface FleetSource {
  current(): readonly DeviceSummary[]
  subscribe(listener: FleetListener): () => void
}

export interface FleetMapOptions {
  onMarkerClick(imei: string): void
  /** The user dragged the map, so it no longer follows a vehicle. */
  onFollowEnd(): void
  /** `auto` switches to canvas above CANVAS_THRESHOLD vehicles (and back below 80 % of it). */
  markerMode?: MarkerMode | 'auto'
}

export const CANVAS_THRESHOLD = 500
const WORLD_CENTER: L.LatLngTuple = [20, 0]
const FOLLOW_MIN_ZOOM = 14
const FIT_MAX_ZOOM = 15
/** DOM markers show their vehicle's name from this zoom on (street level, where they no longer overlap much). */
const LABEL_MIN_ZOOM = 14

export class FleetMapView {
  #options: FleetMapOptions
  #map: L.Map | null = null
  #fleet: FleetSource | null = null
  #layer: MarkerLayer | null = null
  #monitor = new FrameMonitor()
  #followed: string | null = null
  #highlighted: string | null = null
  #fitted = false

  constructor(options: FleetMapOptions) {
    this.#options = options
  }

  /** For `{@attach}` on the map's element. Reads no reactive state, so it runs once per element. */
  attach(fleet: FleetSource, tiles: MapSettings): Attachment<HTMLElement> {
    return (element) => untrack(() => this.#mount(element, fleet, tiles))
  }

  /** For `{@attach}` after `attach`: draws the trail given, and removes it when the trail changes. */
  trail(segments: readonly TrailSegment[]): Attachment<HTMLElement> {
    return () => {
      const map = this.#map
      if (!map || segments.length === 0) return
      const layer = drawTrail(map, segments)
      return () => void layer.remove()
    }
  }

  /** For `{@attach}` after `attach`: emphasises the selected vehicle's marker. */
  highlight(imei: string | null): Attachment<HTMLElement> {
    return () => {
      this.#highlighted = imei
      this.#layer?.highlight(imei)
    }
  }

  /** Centre on a vehicle and keep it centred as it moves, until the user drags the map. */
  follow(imei: string): void {
    this.#followed = imei
    const position = this.#layer?.get(imei)
    if (this.#map && position) this.#map.setView([position.lat, position.lng], Math.max(this.#map.getZoom(), FOLLOW_MIN_ZOOM))
  }

  unfollow(): void {
    this.#followed = null
  }

  #mount(element: HTMLElement, fleet: FleetSource, { tileUrl, attribution }: MapSettings): () => void {
    const map = L.map(element, { center: WORLD_CENTER, zoom: 2, worldCopyJump: true, zoomControl: true })
    if (tileUrl !== '') L.tileLayer(tileUrl, { attribution, maxZoom: 19 }).addTo(map)
    map.on('dragstart', () => {
      if (this.#followed === null) return
      this.#followed = null
      this.#options.onFollowEnd()
    })
    const showLabels = () => element.classList.toggle('labels-on', map.getZoom() >= LABEL_MIN_ZOOM)
    map.on('zoomend', showLabels)
    showLabels()
    const resizeObserver = new ResizeObserver(() => map.invalidateSize())
    resizeObserver.observe(element)
    this.#map = map
    this.#fleet = fleet
    this.#monitor.start()
    const unexpose = exposeMap({
      markerPosition: (imei) => this.#layer?.get(imei) ?? null,
      markerPoint: (imei) => this.#screenPoint(imei),
      markerMode: () => this.#layer?.mode ?? null,
      markerCount: () => this.#layer?.size ?? 0,
      frameTimes: () => this.#monitor.frameTimes.values(),
      updateTimes: () => this.#monitor.updateTimes.values(),
    })

    this.#apply(fleet.current(), [])
    const unsubscribe = fleet.subscribe((changed, removed) => this.#monitor.measure(() => this.#apply(changed, removed)))

    return () => {
      unsubscribe()
      unexpose()
      this.#monitor.stop()
      resizeObserver.disconnect()
      this.#layer?.destroy()
      this.#layer = null
      map.remove()
      this.#map = null
      this.#fleet = null
      this.#fitted = false
    }
  }

  #apply(changed: readonly DeviceSummary[], removed: readonly string[]): void {
    const map = this.#map
    if (!map) return
    const layer = this.#layerFor(changed.length)
    for (const imei of removed) layer.delete(imei)
    for (const device of changed) {
      if (device.position) layer.set(device, device.position)
      else layer.delete(device.imei)
    }
    layer.flush()
    if (this.#followed !== null) {
      const followed = changed.find((device) => device.imei === this.#followed)
      if (followed?.position) map.panTo([followed.position.latitude, followed.position.longitude])
    }
    if (!this.#fitted) this.#fitToMarkers()
  }

  /** The layer to draw with, switching kinds when the fleet crosses the threshold. */
  #layerFor(incoming: number): MarkerLayer {
    const map = this.#map as L.Map
    const wanted = this.#wantedMode(Math.max(this.#layer?.size ?? 0, incoming))
    if (this.#layer?.mode === wanted) return this.#layer
    this.#layer?.destroy()
    const onClick = (imei: string) => this.#options.onMarkerClick(imei)
    const layer: MarkerLayer = wanted === 'canvas' ? new CanvasMarkers(map, onClick) : new DomMarkers(map, onClick)
    this.#layer = layer
    // A new kind of layer starts from the whole fleet, not only this batch.
    for (const device of this.#fleet?.current() ?? []) if (device.position) layer.set(device, device.position)
    layer.highlight(this.#highlighted)
    return layer
  }

  #wantedMode(count: number): MarkerMode {
    const mode = this.#options.markerMode ?? 'auto'
    if (mode !== 'auto') return mode
    if (this.#layer?.mode === 'canvas') return count < CANVAS_THRESHOLD * 0.8 ? 'dom' : 'canvas'
    return count > CANVAS_THRESHOLD ? 'canvas' : 'dom'
  }

  #screenPoint(imei: string): { x: number; y: number } | null {
    const position = this.#layer?.get(imei)
    if (!this.#map || !position) return null
    const point = this.#map.latLngToContainerPoint([position.lat, position.lng])
    const box = this.#map.getContainer().getBoundingClientRect()
    return { x: box.left + point.x, y: box.top + point.y }
  }

  #fitToMarkers(): void {
    const latLngs = this.#layer?.latLngs() ?? []
    if (!this.#map || latLngs.length === 0) return
    this.#map.fitBounds(L.latLngBounds(latLngs), { padding: [40, 40], maxZoom: FIT_MAX_ZOOM })
    this.#fitted = true
  }
}

/** `?markers=dom|canvas` in the page URL forces one kind of marker (tests, benchmarks); anything else is auto. */
export function markerModeFrom(search: string): MarkerMode | 'auto' {
  const wanted = new URLSearchParams(search).get('markers')
  return wanted === 'dom' || wanted === 'canvas' ? wanted : 'auto'
}
