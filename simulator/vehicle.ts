/**
 * One simulated vehicle's telemetry: drives its route and turns each moment into a protocol-neutral
 * record (position, speed, course, satellites, and what a real installation reports: ignition, motion,
 * GSM level, odometer, supply and battery voltages). A scheduled event rides on the record; a power cut
 * drops the supply voltage to 0 until power is restored. A scenario can park the vehicle with the engine
 * off, or loosen its ignition wire (it drives on while the device reads ignition off).
 */
import { Driver } from './drive.ts'
import { type Random, between, intBetween, randomWalk } from './random.ts'
import type { SimEventType, SimRecord } from './record.ts'
import type { Route } from './routes.ts'

/** Rounds to the 1e-7 degree resolution of the Teltonika wire format, so what is sent is what is reported. */
export const roundE7 = (deg: number): number => Math.round(deg * 1e7) / 1e7

export class SimulatedVehicle {
  readonly #driver: Driver
  readonly #random: Random
  readonly #odometerBaseM: number
  #satellites: number
  #gsm: number
  #lastIgnition: boolean | undefined
  #powerCut = false
  #looseIgnition = false
  #simSec = 0

  constructor(route: Route, random: Random, start: { segment: number; fraction: number }) {
    this.#random = random
    this.#driver = new Driver(route, random, start)
    this.#odometerBaseM = intBetween(random, 20_000, 300_000) * 1000
    this.#satellites = intBetween(random, 9, 13)
    this.#gsm = intBetween(random, 3, 5)
  }

  get routeName(): string {
    return this.#driver.routeName
  }

  /** The vehicle's supply is cut (or restored) without the device reporting an event for it. */
  setPowered(powered: boolean): void {
    this.#powerCut = !powered
  }

  /** Parked: it brakes to a halt and stands with the engine off until unparked, then drives on. */
  setParked(parked: boolean): void {
    this.#driver.setParked(parked)
  }

  /** The ignition wire is loose: the device reads ignition off whatever the engine does. */
  setLooseIgnition(loose: boolean): void {
    this.#looseIgnition = loose
  }

  /** Drives on to simulated second `simSec` (never backwards) and reports the moment as a record. */
  recordAt(simSec: number, timeMs: number, event?: SimEventType): SimRecord {
    if (simSec > this.#simSec) {
      this.#driver.advance(simSec - this.#simSec)
      this.#simSec = simSec
    }
    const state = this.#driver.snapshot()
    const ignition = state.ignition && !this.#looseIgnition
    const r = this.#random
    this.#satellites = Math.round(randomWalk(r, this.#satellites, 1, 8, 14))
    this.#gsm = Math.round(randomWalk(r, this.#gsm, 0.6, 2, 5))
    const ignitionChanged = this.#lastIgnition !== undefined && this.#lastIgnition !== ignition
    this.#lastIgnition = ignition
    if (event === 'powerCut') this.#powerCut = true
    if (event === 'powerRestored') this.#powerCut = false
    // Random draws in a fixed order, so a seed gives the same run.
    const altitude = Math.round(state.altitude + between(r, -2, 2))
    // The supply follows the engine, not the loose wire.
    const supplyMv = state.ignition ? intBetween(r, 13_800, 14_400) : intBetween(r, 12_400, 12_700)
    const batteryVoltageMv = intBetween(r, 3_950, 4_100)
    return {
      timeMs: Math.round(timeMs),
      latitude: roundE7(state.latitude),
      longitude: roundE7(state.longitude),
      altitude,
      course: Math.round(state.courseDeg) % 360,
      satellites: this.#satellites,
      speedKmh: Math.round(state.speedKmh),
      ignition,
      moving: state.moving,
      ignitionChanged,
      gsmLevel: this.#gsm,
      odometerM: this.#odometerBaseM + Math.round(state.distanceM),
      externalVoltageMv: this.#powerCut ? 0 : supplyMv,
      batteryVoltageMv,
      ...(event === undefined ? {} : { event }),
    }
  }
}
