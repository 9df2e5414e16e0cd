/**
 * One simulated vehicle's telemetry: drives its route and turns each moment into a Teltonika record
 * (position, speed, course, satellites and the IO elements a real FMB installation reports).
 */
import { IO } from '../gateway/protocols/teltonika/constants.ts'
import type { TeltonikaRecordInput } from '../gateway/protocols/teltonika/encode.ts'
import { Driver } from './drive.ts'
import { type Random, between, intBetween, randomWalk } from './random.ts'
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

  /** Drives on to simulated second `simSec` (never backwards) and reports the moment as a record. */
  recordAt(simSec: number, timeMs: number): TeltonikaRecordInput {
    if (simSec > this.#simSec) {
      this.#driver.advance(simSec - this.#simSec)
      this.#simSec = simSec
    }
    const state = this.#driver.snapshot()
    const r = this.#random
    this.#satellites = Math.round(randomWalk(r, this.#satellites, 1, 8, 14))
    this.#gsm = Math.round(randomWalk(r, this.#gsm, 0.6, 2, 5))
    const ignitionChanged = this.#lastIgnition !== undefined && this.#lastIgnition !== state.ignition
    this.#lastIgnition = state.ignition
    return {
      timeMs: Math.round(timeMs),
      latitude: roundE7(state.latitude),
      longitude: roundE7(state.longitude),
      altitude: Math.round(state.altitude + between(r, -2, 2)),
      course: Math.round(state.courseDeg) % 360,
      satellites: this.#satellites,
      speedKmh: Math.round(state.speedKmh),
      priority: ignitionChanged ? 1 : 0,
      eventIoId: ignitionChanged ? IO.ignition : 0,
      io: {
        [IO.ignition]: state.ignition ? 1 : 0,
        [IO.movement]: state.moving ? 1 : 0,
        [IO.gsmSignal]: this.#gsm,
        [IO.totalOdometerM]: this.#odometerBaseM + Math.round(state.distanceM),
        [IO.externalVoltageMv]: state.ignition ? intBetween(r, 13_800, 14_400) : intBetween(r, 12_400, 12_700),
        [IO.batteryVoltageMv]: intBetween(r, 3_950, 4_100),
      },
    }
  }
}
