/**
 * Every vehicle drawn on one canvas: thousands of markers moving every second cost one redraw per frame
 * instead of thousands of DOM updates. Positions are projected once per zoom level; a redraw only subtracts
 * the view's origin. Clicks and hovers are hit-tested against the drawn dots.
 */
import L from 'leaflet'
import type { DeviceSummary, LivePosition, VehicleStatus } from '../../../shared/contract.ts'
import { describeMarker, showsHeading, type MarkerLayer, type MarkerState } from './marker-layer.ts'
import { STATUSES } from './vehicle-query.ts'

interface Dot extends MarkerState {
  /** Radians clockwise from north, when a heading is shown. */
  heading: number | null
  tooltip: string
  /** World pixel position at `#zoom`. */
  x: number
  y: number
}

const RADIUS = 6
const HIT_RADIUS = RADIUS + 5
/** The canvas covers this much beyond the view on each side, so a short pan shows no empty edge. */
const PADDING = 0.25
const TAU = Math.PI * 2

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
  #colours: Record<VehicleStatus, string>
  #zoom: number
  /** Layer point of the canvas's top-left corner, and its size in CSS pixels. */
  #origin = L.point(0, 0)
  #size = L.point(0, 0)
  #highlighted: string | null = null
  #tooltip = L.tooltip({ direction: 'top', offset: [0, -RADIUS - 2] })
  #hoverFrame: number | null = null
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
    this.#colours = Object.fromEntries(
      STATUSES.map((status) => [status, style.getPropertyValue(STATUS_VARIABLES[status]).trim() || '#888']),
    ) as Record<VehicleStatus, string>
    map.on('moveend resize viewreset', this.#reset)
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
    this.#draw()
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

  /** After a pan or zoom: cover the view again, reproject on a new zoom level, redraw. */
  #reset = (): void => {
    const map = this.#map
    const view = map.getSize()
    const pad = view.multiplyBy(PADDING).round()
    this.#origin = map.containerPointToLayerPoint([0, 0]).subtract(pad)
    this.#size = view.add(pad.multiplyBy(2))
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
    const context = this.#context
    const { x: width, y: height } = this.#size
    context.clearRect(0, 0, width, height)
    const offset = this.#offset()
    context.lineWidth = 1.5
    context.strokeStyle = '#fff'
    for (const status of STATUSES) {
      context.beginPath()
      let any = false
      for (const dot of this.#dots.values()) {
        if (dot.status !== status) continue
        const x = dot.x - offset.x
        const y = dot.y - offset.y
        if (x < -HIT_RADIUS || y < -HIT_RADIUS || x > width + HIT_RADIUS || y > height + HIT_RADIUS) continue
        context.moveTo(x + RADIUS, y)
        context.arc(x, y, RADIUS, 0, TAU)
        if (dot.heading !== null) arrow(context, x, y, dot.heading)
        any = true
      }
      if (!any) continue
      context.fillStyle = this.#colours[status]
      context.fill()
      context.stroke()
    }
    this.#drawHighlight(offset)
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

/** A small triangle just outside the dot, pointing where the vehicle is heading (added to the current path). */
function arrow(context: CanvasRenderingContext2D, x: number, y: number, heading: number): void {
  const sin = Math.sin(heading)
  const cos = Math.cos(heading)
  // Screen y grows downwards: north is (0, -1), a heading rotates it clockwise.
  const point = (along: number, across: number) => [x + along * sin + across * cos, y - along * cos + across * sin] as const
  const [tipX, tipY] = point(RADIUS + 7, 0)
  const [leftX, leftY] = point(RADIUS + 1, -4)
  const [rightX, rightY] = point(RADIUS + 1, 4)
  context.moveTo(tipX, tipY)
  context.lineTo(leftX, leftY)
  context.lineTo(rightX, rightY)
  context.closePath()
}
