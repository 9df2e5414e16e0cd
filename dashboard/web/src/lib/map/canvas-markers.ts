/**
 * Every vehicle drawn on one canvas: thousands of markers moving every second cost one redraw per frame
 * instead of thousands of DOM updates. Positions are projected once per zoom level; a redraw only subtracts
 * the view's origin. Clicks and hovers are hit-tested against the drawn dots.
 */
import L from 'leaflet'
import type { DeviceSummary, LivePosition, VehicleStatus } from '../../../../shared/contract.ts'
import { describeMarker, showsHeading, type MarkerLayer, type MarkerState } from './marker-layer.ts'
import { MARKER_RADIUS, MarkerSprites, SPRITE_SIZE } from './marker-sprites.ts'
import { STATUSES } from '../vehicles/vehicle-query.ts'

interface Dot extends MarkerState {
  /** Radians clockwise from north, when a heading is shown. */
  heading: number | null
  tooltip: string
  /** World pixel position at `#zoom`. */
  x: number
  y: number
}

const RADIUS = MARKER_RADIUS
const HIT_RADIUS = RADIUS + 5
const TAU = Math.PI * 2
/**
 * A redraw waits until this many times its own last duration has passed since the previous one: a small
 * fleet redraws every frame, a very large one a few times a second (each vehicle reports about once a
 * second anyway), and drawing never takes more than about a tenth of the main thread.
 */
const DRAW_SPACING = 8
const MAX_DRAW_WAIT_MS = 250

const STATUS_VARIABLES: Record<VehicleStatus, string> = {
  moving: '--status-moving',
  idle: '--status-idle',
  stopped: '--status-stopped',
  noUpdate: '--status-no-update',
  never: '--status-never',
}

export class CanvasMarkers implements MarkerLayer {
  readonly mode = 'canvas'
  #map: L.Map
  #onClick: (imei: string) => void
  #canvas: HTMLCanvasElement
  #context: CanvasRenderingContext2D
  #dots = new Map<string, Dot>()
  #sprites: MarkerSprites
  #zoom: number
  /** Layer point of the canvas's top-left corner, and its size in CSS pixels. */
  #origin = L.point(0, 0)
  #size = L.point(0, 0)
  #highlighted: string | null = null
  #tooltip = L.tooltip({ direction: 'top', offset: [0, -RADIUS - 2] })
  #hoverFrame: number | null = null
  #moveFrame: number | null = null
  #lastDrawAt = 0
  #lastDrawMs = 0
  #drawTimer: ReturnType<typeof setTimeout> | null = null
  #hoverPoint: L.Point | null = null

  constructor(map: L.Map, onClick: (imei: string) => void) {
    this.#map = map
    this.#onClick = onClick
    this.#zoom = map.getZoom()
    const pane = map.getPane('fleetCanvas') ?? map.createPane('fleetCanvas')
    pane.style.zIndex = '610'
    pane.style.pointerEvents = 'none'
    this.#canvas = L.DomUtil.create('canvas', 'fleet-canvas', pane)
    const context = this.#canvas.getContext('2d')
    if (!context) throw new Error('This browser cannot draw on a canvas')
    this.#context = context
    const style = getComputedStyle(map.getContainer())
    const colours = Object.fromEntries(
      STATUSES.map((status) => [status, style.getPropertyValue(STATUS_VARIABLES[status]).trim() || '#888']),
    ) as Record<VehicleStatus, string>
    this.#sprites = new MarkerSprites(colours, window.devicePixelRatio || 1)
    map.on('moveend resize viewreset', this.#reset)
    map.on('move', this.#moved)
    map.on('zoomstart', this.#hide)
    map.on('click', this.#click)
    map.on('mousemove', this.#hover)
    map.on('mouseout', this.#unhover)
    this.#reset()
  }

  get size(): number {
    return this.#dots.size
  }

  set(device: DeviceSummary, position: LivePosition): void {
    const projected = this.#map.project([position.latitude, position.longitude], this.#zoom)
    const heading = showsHeading(device, position) ? ((position.course ?? 0) * Math.PI) / 180 : null
    this.#dots.set(device.imei, {
      lat: position.latitude,
      lng: position.longitude,
      status: device.status,
      heading,
      tooltip: describeMarker(device, position),
      x: projected.x,
      y: projected.y,
    })
  }

  delete(imei: string): void {
    this.#dots.delete(imei)
  }

  flush(): void {
    if (this.#drawTimer !== null) return
    const wait = Math.min(MAX_DRAW_WAIT_MS, this.#lastDrawMs * DRAW_SPACING) - (performance.now() - this.#lastDrawAt)
    if (wait <= 0) return this.#draw()
    this.#drawTimer = setTimeout(() => {
      requestAnimationFrame(() => {
        this.#drawTimer = null
        this.#draw()
      })
    }, wait)
  }

  get(imei: string): MarkerState | null {
    const dot = this.#dots.get(imei)
    return dot ? { lat: dot.lat, lng: dot.lng, status: dot.status } : null
  }

  latLngs(): L.LatLng[] {
    return [...this.#dots.values()].map((dot) => L.latLng(dot.lat, dot.lng))
  }

  highlight(imei: string | null): void {
    this.#highlighted = imei
    this.#draw()
  }

  destroy(): void {
    this.#map.off('moveend resize viewreset', this.#reset)
    this.#map.off('move', this.#moved)
    if (this.#moveFrame !== null) cancelAnimationFrame(this.#moveFrame)
    if (this.#drawTimer !== null) clearTimeout(this.#drawTimer)
    this.#map.off('zoomstart', this.#hide)
    this.#map.off('click', this.#click)
    this.#map.off('mousemove', this.#hover)
    this.#map.off('mouseout', this.#unhover)
    if (this.#hoverFrame !== null) cancelAnimationFrame(this.#hoverFrame)
    this.#tooltip.remove()
    this.#map.getContainer().style.cursor = ''
    this.#canvas.remove()
    this.#dots.clear()
  }

  /**
   * During a pan the canvas follows the view once per frame. It covers the view exactly: every pixel more is
   * copied to the compositor on each redraw, which is what a redraw costs most without a GPU.
   */
  #moved = (): void => {
    this.#moveFrame ??= requestAnimationFrame(() => {
      this.#moveFrame = null
      if (this.#canvas.style.visibility !== 'hidden') this.#reset()
    })
  }

  /** After a pan or zoom: cover the view again, reproject on a new zoom level, redraw. */
  #reset = (): void => {
    const map = this.#map
    this.#origin = map.containerPointToLayerPoint([0, 0])
    this.#size = map.getSize()
    const ratio = window.devicePixelRatio || 1
    L.DomUtil.setPosition(this.#canvas, this.#origin)
    this.#canvas.width = Math.round(this.#size.x * ratio)
    this.#canvas.height = Math.round(this.#size.y * ratio)
    this.#canvas.style.width = `${this.#size.x}px`
    this.#canvas.style.height = `${this.#size.y}px`
    this.#context.setTransform(ratio, 0, 0, ratio, 0, 0)
    if (map.getZoom() !== this.#zoom) {
      this.#zoom = map.getZoom()
      for (const dot of this.#dots.values()) {
        const projected = map.project([dot.lat, dot.lng], this.#zoom)
        dot.x = projected.x
        dot.y = projected.y
      }
    }
    this.#canvas.style.visibility = ''
    this.#draw()
  }

  /** Leaflet scales the map during a zoom animation; the dots would drift, so they sit it out. */
  #hide = (): void => {
    this.#canvas.style.visibility = 'hidden'
  }

  /** World pixel -> canvas pixel offsets. */
  #offset(): { x: number; y: number } {
    const pixelOrigin = this.#map.getPixelOrigin()
    return { x: pixelOrigin.x + this.#origin.x, y: pixelOrigin.y + this.#origin.y }
  }

  #draw(): void {
    const started = performance.now()
    const context = this.#context
    const { x: width, y: height } = this.#size
    context.clearRect(0, 0, width, height)
    const offset = this.#offset()
    const half = SPRITE_SIZE / 2
    for (const dot of this.#dots.values()) {
      const x = Math.round(dot.x - offset.x)
      const y = Math.round(dot.y - offset.y)
      if (x < -half || y < -half || x > width + half || y > height + half) continue
      context.drawImage(this.#sprites.get(dot.status, dot.heading), x - half, y - half, SPRITE_SIZE, SPRITE_SIZE)
    }
    this.#drawHighlight(offset)
    this.#lastDrawAt = performance.now()
    this.#lastDrawMs = this.#lastDrawAt - started
  }

  #drawHighlight(offset: { x: number; y: number }): void {
    const dot = this.#highlighted === null ? undefined : this.#dots.get(this.#highlighted)
    if (!dot) return
    const context = this.#context
    context.beginPath()
    context.arc(dot.x - offset.x, dot.y - offset.y, RADIUS + 4, 0, TAU)
    context.lineWidth = 3
    context.strokeStyle = '#1d2430'
    context.stroke()
  }

  /** The vehicle drawn nearest a container point, within reach of a finger or pointer. */
  #hit(point: L.Point): [string, Dot] | null {
    const layerPoint = this.#map.containerPointToLayerPoint(point)
    const pixelOrigin = this.#map.getPixelOrigin()
    const worldX = layerPoint.x + pixelOrigin.x
    const worldY = layerPoint.y + pixelOrigin.y
    let best: [string, Dot] | null = null
    let bestDistance = HIT_RADIUS * HIT_RADIUS
    for (const entry of this.#dots) {
      const dx = entry[1].x - worldX
      const dy = entry[1].y - worldY
      const distance = dx * dx + dy * dy
      if (distance <= bestDistance) {
        best = entry
        bestDistance = distance
      }
    }
    return best
  }

  #click = (event: L.LeafletMouseEvent): void => {
    const hit = this.#hit(event.containerPoint)
    if (hit) this.#onClick(hit[0])
  }

  #hover = (event: L.LeafletMouseEvent): void => {
    this.#hoverPoint = event.containerPoint
    this.#hoverFrame ??= requestAnimationFrame(() => {
      this.#hoverFrame = null
      const hit = this.#hoverPoint && this.#hit(this.#hoverPoint)
      this.#map.getContainer().style.cursor = hit ? 'pointer' : ''
      if (!hit) return void this.#tooltip.remove()
      this.#tooltip.setLatLng([hit[1].lat, hit[1].lng]).setContent(hit[1].tooltip)
      if (!this.#map.hasLayer(this.#tooltip)) this.#tooltip.addTo(this.#map)
    })
  }

  #unhover = (): void => {
    this.#hoverPoint = null
    this.#tooltip.remove()
  }
}
