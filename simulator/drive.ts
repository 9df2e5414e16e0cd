/**
 * A vehicle driving a looped route: cruise speed per segment (30-90 km/h), gentle acceleration and braking,
 * slowing for sharp corners and turning through them at a comfortable rate, standing still at stop
 * waypoints, and parking (braking to a halt, engine off) when told. Pure and deterministic for a given
 * seed: it only moves when `advance` is called.
 */
import { type Random, between } from './random.ts'
import { distanceM, type LatLon } from '../core/geo.ts'
import { bearingDeg, interpolate, turnDeg } from './route.ts'
import type { Route } from './routes.ts'

export const MIN_CRUISE_KMH = 30
export const MAX_CRUISE_KMH = 90
/** Comfortable rates, well below what telematics alerts call harsh (about 3-4 m/s²). */
export const ACCEL_MS2 = 1.5
export const BRAKE_MS2 = 1.8
/** Braking is planned gentler than the limit, leaving room to correct the step-by-step integration. */
const PLANNED_BRAKE_MS2 = 1.5
const STEP_SEC = 0.2
/** Sideways acceleration through a turn, about 0.2 g: what a driver does without throwing the load about. */
const LATERAL_MS2 = 2
/** Below this speed the turn rate stops growing (a car turning on the spot is not a thing). */
const MIN_TURN_SPEED_MS = 3
/** Far enough to brake from the top cruise speed to a standstill. */
const LOOKAHEAD_M = (MAX_CRUISE_KMH / 3.6) ** 2 / (2 * PLANNED_BRAKE_MS2) + 50

export interface DriveSnapshot extends LatLon {
  altitude: number
  speedKmh: number
  /** Bearing of travel; the last one while standing still. */
  courseDeg: number
  moving: boolean
  ignition: boolean
  /** Metres driven since the start of the simulation. */
  distanceM: number
}

/** The speed (m/s) below which a vehicle can take a turn of `turn` degrees. */
export function cornerSpeedMs(turn: number): number {
  if (turn < 15) return Infinity
  return Math.max(15, 70 * (1 - turn / 150)) / 3.6
}

export class Driver {
  readonly #route: Route
  readonly #random: Random
  readonly #lengths: number[]
  /** Speed limit on arrival at each waypoint: 0 for a stop, lower for sharper corners. */
  readonly #arrivalLimit: number[]
  #segment: number
  #alongM: number
  #speedMs = 0
  #cruiseMs = 0
  #dwellSec = 0
  #parked = false
  #ignition = true
  #distanceM = 0
  #courseDeg: number

  constructor(route: Route, random: Random, start: { segment: number; fraction: number }) {
    const n = route.waypoints.length
    if (n < 2) throw new Error(`route ${route.name} needs at least two waypoints`)
    this.#route = route
    this.#random = random
    const wp = (i: number) => route.waypoints[((i % n) + n) % n]!
    this.#lengths = route.waypoints.map((_, i) => distanceM(wp(i), wp(i + 1)))
    if (this.#lengths.reduce((a, b) => a + b, 0) < 1) throw new Error(`route ${route.name} has no length`)
    this.#arrivalLimit = route.waypoints.map((w, i) => {
      if (w.stopSec) return 0
      return cornerSpeedMs(turnDeg(bearingDeg(wp(i - 1), w), bearingDeg(w, wp(i + 1))))
    })
    this.#segment = ((start.segment % n) + n) % n
    this.#alongM = this.#lengths[this.#segment]! * Math.min(1, Math.max(0, start.fraction))
    this.#courseDeg = bearingDeg(wp(this.#segment), wp(this.#segment + 1))
    this.#pickCruise()
    this.#speedMs = Math.min(this.#cruiseMs, this.#allowedMs())
  }

  get routeName(): string {
    return this.#route.name
  }

  advance(dtSec: number): void {
    let left = dtSec
    while (left > 1e-9) {
      const h = Math.min(STEP_SEC, left)
      left -= h
      this.#step(h)
    }
  }

  snapshot(): DriveSnapshot {
    const a = this.#waypoint(this.#segment)
    const b = this.#waypoint(this.#segment + 1)
    const length = this.#lengths[this.#segment]!
    const fraction = length > 0 ? this.#alongM / length : 0
    const here = interpolate(a, b, fraction)
    const moving = this.#dwellSec <= 0 && this.#speedMs > 0
    return {
      latitude: here.latitude,
      longitude: here.longitude,
      altitude: a.altitude + (b.altitude - a.altitude) * fraction,
      speedKmh: moving ? this.#speedMs * 3.6 : 0,
      courseDeg: this.#courseDeg,
      moving,
      ignition: this.#ignition,
      distanceM: this.#distanceM,
    }
  }

  /** Parking brakes the vehicle to a halt and switches the engine off; unparking starts it and drives on. */
  setParked(parked: boolean): void {
    this.#parked = parked
    if (!parked && this.#dwellSec <= 0) this.#ignition = true
  }

  #waypoint(i: number) {
    const n = this.#route.waypoints.length
    return this.#route.waypoints[((i % n) + n) % n]!
  }

  #pickCruise(): void {
    const length = this.#lengths[this.#segment]!
    const limitKmh = Math.min(MAX_CRUISE_KMH, this.#route.maxSpeedKmh ?? MAX_CRUISE_KMH)
    const maxKmh = Math.min(limitKmh, Math.max(40, MIN_CRUISE_KMH + length / 15))
    this.#cruiseMs = between(this.#random, Math.min(MIN_CRUISE_KMH, maxKmh), maxKmh) / 3.6
  }

  /** Fastest speed from which every upcoming waypoint can still be reached at or below its limit. */
  #allowedMs(): number {
    const n = this.#route.waypoints.length
    let allowed = this.#cruiseMs
    let ahead = this.#lengths[this.#segment]! - this.#alongM
    for (let k = 1; k <= n; k++) {
      const limit = this.#arrivalLimit[(this.#segment + k) % n]!
      if (Number.isFinite(limit)) allowed = Math.min(allowed, Math.sqrt(limit * limit + 2 * PLANNED_BRAKE_MS2 * ahead))
      if (ahead > LOOKAHEAD_M) break
      ahead += this.#lengths[(this.#segment + k) % n]!
    }
    return allowed
  }

  #step(h: number): void {
    if (this.#dwellSec > 0) {
      this.#speedMs = 0
      this.#dwellSec -= h
      if (this.#dwellSec <= 0) {
        this.#dwellSec = 0
        this.#ignition = true
      }
      return
    }
    if (this.#parked && this.#speedMs === 0) {
      this.#ignition = false
      return
    }
    const allowed = this.#parked ? 0 : this.#allowedMs()
    const before = this.#speedMs
    this.#speedMs =
      before < allowed ? Math.min(allowed, before + ACCEL_MS2 * h) : Math.max(allowed, before - BRAKE_MS2 * h)
    // Constant acceleration within the step, so braking follows the planned curve down to the stop.
    let move = ((before + this.#speedMs) / 2) * h
    this.#distanceM += move
    const n = this.#route.waypoints.length
    while (this.#alongM + move >= this.#lengths[this.#segment]!) {
      move -= this.#lengths[this.#segment]! - this.#alongM
      this.#segment = (this.#segment + 1) % n
      this.#alongM = 0
      this.#pickCruise()
      const arrived = this.#route.waypoints[this.#segment]!
      if (arrived.stopSec) {
        this.#distanceM -= move
        this.#speedMs = 0
        this.#dwellSec = arrived.stopSec
        if (arrived.ignitionOff) this.#ignition = false
        return
      }
    }
    this.#alongM += move
    this.#turn(h)
  }

  /** Turns the course towards the segment's bearing, no faster than LATERAL_MS2 allows at this speed. */
  #turn(h: number): void {
    const target = bearingDeg(this.#waypoint(this.#segment), this.#waypoint(this.#segment + 1))
    const wanted = ((target - this.#courseDeg + 540) % 360) - 180
    const maxDeg = (LATERAL_MS2 / Math.max(this.#speedMs, MIN_TURN_SPEED_MS)) * h * (180 / Math.PI)
    this.#courseDeg = (this.#courseDeg + Math.max(-maxDeg, Math.min(maxDeg, wanted)) + 360) % 360
  }
}
