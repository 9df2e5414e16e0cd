/**
 * `window.__fleetwire`: a read-only view for browser tests and the benchmark, which cannot find canvas
 * markers in the DOM. `markerPosition(imei)` answers for DOM and canvas markers alike.
 */
import type { MarkerMode, MarkerState } from './marker-layer.ts'

export interface MapProbe {
  markerPosition(imei: string): MarkerState | null
  markerPoint(imei: string): { x: number; y: number } | null
  markerMode(): MarkerMode | null
  markerCount(): number
  frameTimes(): number[]
  updateTimes(): number[]
}

export interface FleetwireTestHook {
  /** Where the vehicle's marker is drawn and its status, or null when the map does not show it. */
  markerPosition(imei: string): MarkerState | null
  /** Where the marker is on screen (viewport pixels, for `page.mouse.click`), or null when not on the map. */
  markerPoint(imei: string): { x: number; y: number } | null
  /** The last frame durations in ms (time between animation frames while the map is open), oldest first. */
  readonly frameTimes: number[]
  /** The time each batch of live updates took to apply and draw, ms. */
  readonly updateTimes: number[]
  readonly markerMode: MarkerMode | null
  readonly markerCount: number
}

declare global {
  interface Window {
    __fleetwire?: FleetwireTestHook
  }
}

let probe: MapProbe | null = null

const hook: FleetwireTestHook = Object.freeze({
  markerPosition: (imei: string) => probe?.markerPosition(imei) ?? null,
  markerPoint: (imei: string) => probe?.markerPoint(imei) ?? null,
  get frameTimes() {
    return probe?.frameTimes() ?? []
  },
  get updateTimes() {
    return probe?.updateTimes() ?? []
  },
  get markerMode() {
    return probe?.markerMode() ?? null
  },
  get markerCount() {
    return probe?.markerCount() ?? 0
  },
})

/** Once, at start: the hook exists before any map does (it answers null and empty lists until then). */
export function installTestHook(): void {
  if (!window.__fleetwire) Object.defineProperty(window, '__fleetwire', { value: hook, writable: false, configurable: false })
}

/** The map on screen registers itself; returns the unregister. */
export function exposeMap(map: MapProbe): () => void {
  probe = map
  return () => {
    if (probe === map) probe = null
  }
}
