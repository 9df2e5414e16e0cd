/**
 * Pre-drawn vehicle markers for the canvas layer: one small bitmap per status, and per heading (in 10°
 * steps) for moving vehicles. Copying a bitmap is far cheaper to rasterize than thousands of antialiased
 * circles, which matters most where the browser draws canvases without a GPU.
 */
import type { VehicleStatus } from '../../../../shared/contract.ts'

export const MARKER_RADIUS = 6
/** Each sprite is this many CSS pixels square, centred on the vehicle. */
export const SPRITE_SIZE = 32
const HEADING_STEPS = 36
const TAU = Math.PI * 2

export class MarkerSprites {
  #colours: Record<VehicleStatus, string>
  #ratio: number
  #cache = new Map<string, HTMLCanvasElement>()

  constructor(colours: Record<VehicleStatus, string>, ratio: number) {
    this.#colours = colours
    this.#ratio = ratio
  }

  /** `heading`: radians clockwise from north, or null for no arrow. */
  get(status: VehicleStatus, heading: number | null): HTMLCanvasElement {
    const step = heading === null ? -1 : Math.round((heading / TAU) * HEADING_STEPS) % HEADING_STEPS
    const key = `${status}:${step}`
    let sprite = this.#cache.get(key)
    if (!sprite) {
      sprite = this.#draw(status, step < 0 ? null : (step / HEADING_STEPS) * TAU)
      this.#cache.set(key, sprite)
    }
    return sprite
  }

  #draw(status: VehicleStatus, heading: number | null): HTMLCanvasElement {
    const sprite = document.createElement('canvas')
    sprite.width = sprite.height = Math.ceil(SPRITE_SIZE * this.#ratio)
    const context = sprite.getContext('2d')
    if (!context) return sprite
    context.scale(this.#ratio, this.#ratio)
    const centre = SPRITE_SIZE / 2
    context.beginPath()
    context.arc(centre, centre, MARKER_RADIUS, 0, TAU)
    if (heading !== null) arrow(context, centre, centre, heading)
    context.fillStyle = this.#colours[status]
    context.fill()
    context.lineWidth = 1.5
    context.strokeStyle = '#fff'
    context.stroke()
    return sprite
  }
}

/** A small triangle just outside the dot, pointing where the vehicle is heading (added to the current path). */
function arrow(context: CanvasRenderingContext2D, x: number, y: number, heading: number): void {
  const sin = Math.sin(heading)
  const cos = Math.cos(heading)
  // Screen y grows downwards: north is (0, -1), a heading rotates it clockwise.
  const point = (along: number, across: number) => [x + along * sin + across * cos, y - along * cos + across * sin] as const
  const [tipX, tipY] = point(MARKER_RADIUS + 7, 0)
  const [leftX, leftY] = point(MARKER_RADIUS + 1, -4)
  const [rightX, rightY] = point(MARKER_RADIUS + 1, 4)
  context.moveTo(tipX, tipY)
  context.lineTo(leftX, leftY)
  context.lineTo(rightX, rightY)
  context.closePath()
}
