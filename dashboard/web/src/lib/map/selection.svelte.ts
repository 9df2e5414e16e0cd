/** The vehicle the map page is looking at: its card, whether the map follows it, and today's trail. */
import type { StoredPosition, Vehicle } from '../../../../shared/contract.ts'
import * as api from '../api/client.ts'
import type { FleetSource } from './leaflet-map.ts'
import { extendTrail, localMidnight, splitTrail, type TrailSegment } from './trail.ts'

/** One request returns at most this many positions; a busy day takes a few pages. */
const PAGE_SIZE = 20_000
/** Beyond this the trail stops loading older-first pages: a day this long is a report, not a breadcrumb. */
const MAX_POSITIONS = 100_000

export type TrailState = 'idle' | 'loading' | 'ready' | 'error'

export class Selection {
  /** The selected device, or null. */
  imei = $state<string | null>(null)
  /** A selected vehicle that has no device (nothing on the map; the card says so). */
  vehicle = $state.raw<Vehicle | null>(null)
  following = $state(false)
  trail = $state.raw<TrailSegment[]>([])
  trailState = $state<TrailState>('idle')
  trailError = $state<string | null>(null)
  /** True when the day had more positions than MAX_POSITIONS: the trail shows the first of them. */
  trailTruncated = $state(false)

  #request = 0
  #unsubscribe: () => void

  constructor(fleet: FleetSource) {
    this.#unsubscribe = fleet.subscribe((changed) => {
      if (this.trailState !== 'ready' || this.imei === null) return
      const device = changed.find((candidate) => candidate.imei === this.imei)
      if (device?.position) this.trail = extendTrail(this.trail, device.position)
    })
  }

  selectDevice(imei: string): void {
    this.vehicle = null
    this.following = true
    if (this.imei === imei) return
    this.imei = imei
    void this.#loadTrail(imei)
  }

  selectVehicleWithoutDevice(vehicle: Vehicle): void {
    this.clear()
    this.vehicle = vehicle
  }

  clear(): void {
    this.#request += 1
    this.imei = null
    this.vehicle = null
    this.following = false
    this.trail = []
    this.trailState = 'idle'
    this.trailError = null
    this.trailTruncated = false
  }

  reloadTrail(): void {
    if (this.imei !== null) void this.#loadTrail(this.imei)
  }

  close(): void {
    this.#request += 1
    this.#unsubscribe()
  }

  async #loadTrail(imei: string): Promise<void> {
    const request = ++this.#request
    this.trail = []
    this.trailState = 'loading'
    this.trailError = null
    this.trailTruncated = false
    try {
      const { positions, truncated } = await todaysPositions(imei)
      if (request !== this.#request) return
      this.trail = splitTrail(positions)
      this.trailTruncated = truncated
      this.trailState = 'ready'
    } catch (error) {
      if (request !== this.#request) return
      this.trailError = api.userMessage(error)
      this.trailState = 'error'
    }
  }
}

async function todaysPositions(imei: string): Promise<{ positions: StoredPosition[]; truncated: boolean }> {
  const positions: StoredPosition[] = []
  let from = localMidnight(new Date()).toISOString()
  for (;;) {
    const query = new URLSearchParams({ from, limit: String(PAGE_SIZE) })
    const page = await api.get<StoredPosition[]>(`/api/devices/${encodeURIComponent(imei)}/positions?${query}`)
    // Pages overlap at their boundary (`fix_time >= from`): keep only what is newer than we have.
    const last = positions.at(-1)?.fixTime
    positions.push(...(last === undefined ? page : page.filter((position) => position.fixTime > last)))
    const newest = page.at(-1)?.fixTime
    if (page.length < PAGE_SIZE || newest === undefined || newest === from) return { positions, truncated: false }
    if (positions.length >= MAX_POSITIONS) return { positions, truncated: true }
    from = newest
  }
}
