import { describe, expect, it } from 'vitest'
import { Driver, MAX_CRUISE_KMH, cornerSpeedMs } from './drive.ts'
import { createRandom } from './random.ts'
import { EARTH_RADIUS_M, distanceM } from '../core/geo.ts'
import { bearingDeg, interpolate, normalizeDeg, turnDeg } from './route.ts'
import { ROUTES, type Route } from './routes.ts'
import { SimulatedVehicle } from './vehicle.ts'
import type { SimEventType } from './record.ts'

const ONE_DEGREE_M = (Math.PI / 180) * EARTH_RADIUS_M

describe('route geometry', () => {
  it('measures one degree along a meridian and along the equator as the same arc', () => {
    expect(distanceM({ latitude: 0, longitude: 0 }, { latitude: 1, longitude: 0 })).toBeCloseTo(ONE_DEGREE_M, 3)
    expect(distanceM({ latitude: 0, longitude: 10 }, { latitude: 0, longitude: 11 })).toBeCloseTo(ONE_DEGREE_M, 3)
  })

  it('measures a city-scale distance like a known reference value', () => {
    // Vilnius Cathedral Square to the railway station, about 1.7 km as the crow flies.
    const d = distanceM({ latitude: 54.6858, longitude: 25.2877 }, { latitude: 54.6707, longitude: 25.2836 })
    expect(d).toBeGreaterThan(1650)
    expect(d).toBeLessThan(1720)
  })

  it('gives compass bearings for due north, east, south and west', () => {
    const o = { latitude: 0, longitude: 0 }
    expect(bearingDeg(o, { latitude: 1, longitude: 0 })).toBeCloseTo(0, 9)
    expect(bearingDeg(o, { latitude: 0, longitude: 1 })).toBeCloseTo(90, 9)
    expect(bearingDeg(o, { latitude: -1, longitude: 0 })).toBeCloseTo(180, 9)
    expect(bearingDeg(o, { latitude: 0, longitude: -1 })).toBeCloseTo(270, 9)
  })

  it('interpolates along the great circle, which bows towards the pole between two points on a parallel', () => {
    const a = { latitude: 50, longitude: 0 }
    const b = { latitude: 50, longitude: 20 }
    const mid = interpolate(a, b, 0.5)
    expect(mid.longitude).toBeCloseTo(10, 9)
    expect(mid.latitude).toBeGreaterThan(50.3)
    expect(distanceM(a, mid)).toBeCloseTo(distanceM(a, b) / 2, 3)
    expect(distanceM(a, mid) + distanceM(mid, b)).toBeCloseTo(distanceM(a, b), 3)
  })

  it('returns the end points at fractions 0 and 1 and handles identical points', () => {
    const a = { latitude: 54.68, longitude: 25.28 }
    const b = { latitude: 54.69, longitude: 25.3 }
    expect(interpolate(a, b, 0).latitude).toBeCloseTo(a.latitude, 12)
    expect(interpolate(a, b, 1).longitude).toBeCloseTo(b.longitude, 12)
    expect(interpolate(a, a, 0.5)).toEqual(a)
  })

  it('measures turns as the smaller angle, across north', () => {
    expect(turnDeg(350, 10)).toBeCloseTo(20)
    expect(turnDeg(10, 350)).toBeCloseTo(20)
    expect(turnDeg(0, 180)).toBe(180)
    expect(normalizeDeg(-90)).toBe(270)
    expect(normalizeDeg(720)).toBe(0)
  })

  it('slows for sharp corners but not for gentle bends', () => {
    expect(cornerSpeedMs(5)).toBe(Infinity)
    expect(cornerSpeedMs(90) * 3.6).toBeLessThan(35)
    expect(cornerSpeedMs(180) * 3.6).toBeCloseTo(15, 9)
  })
})

describe('driving a route', () => {
  const square: Route = {
    name: 'square',
    waypoints: [
      { latitude: 54.68, longitude: 25.28, altitude: 100, stopSec: 30, ignitionOff: true },
      { latitude: 54.69, longitude: 25.28, altitude: 110 },
      { latitude: 54.69, longitude: 25.3, altitude: 120, stopSec: 10 },
      { latitude: 54.68, longitude: 25.3, altitude: 110 },
    ],
  }

  function drive(route: Route, seconds: number, seed = 1) {
    const driver = new Driver(route, createRandom(seed), { segment: 1, fraction: 0.3 })
    const samples = [driver.snapshot()]
    for (let t = 0; t < seconds; t++) {
      driver.advance(1)
      samples.push(driver.snapshot())
    }
    return samples
  }

  it('keeps speeds between standstill and 90 km/h, changing speed by less than 2.6 m/s each second', () => {
    const samples = drive(square, 1200)
    for (let i = 1; i < samples.length; i++) {
      const s = samples[i]!
      expect(s.speedKmh).toBeGreaterThanOrEqual(0)
      expect(s.speedKmh).toBeLessThanOrEqual(MAX_CRUISE_KMH + 1e-9)
      expect(Math.abs(s.speedKmh - samples[i - 1]!.speedKmh) / 3.6).toBeLessThan(2.6)
    }
    expect(Math.max(...samples.map((s) => s.speedKmh))).toBeGreaterThan(30)
  })

  it('stands still with motion off at stop waypoints and switches the engine off where the route says so', () => {
    const samples = drive(square, 1200)
    const stopped = samples.filter((s) => !s.moving)
    expect(stopped.length).toBeGreaterThan(30)
    for (const s of stopped) expect(s.speedKmh).toBe(0)
    const engineOff = samples.filter((s) => !s.ignition)
    expect(engineOff.length).toBeGreaterThan(20)
    for (const s of engineOff) {
      expect(s.moving).toBe(false)
      expect(distanceM(s, square.waypoints[0]!)).toBeLessThan(1)
    }
  })

  it('accumulates driven distance that matches the path between samples', () => {
    const samples = drive(square, 600)
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]!
      const b = samples[i]!
      const step = b.distanceM - a.distanceM
      expect(step).toBeGreaterThanOrEqual(0)
      // Straight-line distance never exceeds the path length (equal unless a corner was cut).
      expect(distanceM(a, b)).toBeLessThanOrEqual(step + 0.01)
    }
  })

  it('reports the course as the bearing of travel once through a corner', () => {
    const samples = drive(square, 600)
    let checked = 0
    let matching = 0
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]!
      const b = samples[i]!
      const moved = distanceM(a, b)
      if (!a.moving || !b.moving || Math.abs(moved - (b.distanceM - a.distanceM)) > 0.01 || moved < 5) continue
      checked++
      if (turnDeg(b.courseDeg, bearingDeg(a, b)) < 1) matching++
    }
    expect(checked).toBeGreaterThan(100)
    // The rest are the seconds right after a corner, while the course is still turning.
    expect(matching / checked).toBeGreaterThan(0.8)
  })

  it('turns through corners at about 0.2 g, well below what harsh-cornering detection calls harsh (0.4 g)', () => {
    const samples = drive(square, 1200)
    let turns = 0
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]!
      const b = samples[i]!
      const turn = turnDeg(a.courseDeg, b.courseDeg)
      if (turn > 5) turns++
      const lateralG = (((a.speedKmh + b.speedKmh) / 2 / 3.6) * ((turn * Math.PI) / 180)) / 9.80665
      expect(lateralG, `second ${i}`).toBeLessThan(0.3)
    }
    expect(turns).toBeGreaterThan(10)
  })

  it('parks by braking to a halt with the engine off, and drives on when unparked', () => {
    const driver = new Driver(square, createRandom(3), { segment: 1, fraction: 0.3 })
    driver.advance(30)
    expect(driver.snapshot().moving).toBe(true)
    driver.setParked(true)
    const stopping: number[] = []
    for (let t = 0; t < 30; t++) {
      driver.advance(1)
      stopping.push(driver.snapshot().speedKmh)
    }
    for (let i = 1; i < stopping.length; i++) expect(stopping[i - 1]! - stopping[i]!).toBeLessThan(2.6 * 3.6)
    expect(driver.snapshot()).toMatchObject({ speedKmh: 0, moving: false, ignition: false })
    const parkedAt = driver.snapshot()
    driver.advance(60)
    expect(distanceM(driver.snapshot(), parkedAt)).toBe(0)
    driver.setParked(false)
    driver.advance(10)
    expect(driver.snapshot()).toMatchObject({ moving: true, ignition: true })
  })

  it('is reproducible from its seed', () => {
    expect(drive(ROUTES[0]!, 300, 42)).toEqual(drive(ROUTES[0]!, 300, 42))
    expect(drive(ROUTES[0]!, 300, 42)).not.toEqual(drive(ROUTES[0]!, 300, 43))
  })

  it('turns each moment into a record with plausible satellites, voltages and an odometer that follows the distance', () => {
    const vehicle = new SimulatedVehicle(ROUTES[1]!, createRandom(7), { segment: 0, fraction: 0.5 })
    const start = Date.UTC(2026, 0, 1)
    const records = Array.from({ length: 900 }, (_, t) => vehicle.recordAt(t, start + t * 1000))
    for (const [i, r] of records.entries()) {
      expect(r.timeMs).toBe(start + i * 1000)
      expect(r.satellites).toBeGreaterThanOrEqual(8)
      expect(r.satellites).toBeLessThanOrEqual(14)
      expect(r.course).toBeGreaterThanOrEqual(0)
      expect(r.course).toBeLessThan(360)
      expect(Math.round(r.latitude * 1e7)).toBeCloseTo(r.latitude * 1e7, 6)
      if (r.speedKmh > 0) expect(r.moving).toBe(true)
      if (!r.moving) expect(r.speedKmh).toBe(0)
      if (r.ignition) expect(r.externalVoltageMv).toBeGreaterThanOrEqual(13_800)
      if (r.ignition) expect(r.externalVoltageMv).toBeLessThanOrEqual(14_400)
      expect(r.batteryVoltageMv).toBeGreaterThanOrEqual(3_950)
      expect(r.batteryVoltageMv).toBeLessThanOrEqual(4_100)
      expect(r.gsmLevel).toBeGreaterThanOrEqual(0)
      expect(r.gsmLevel).toBeLessThanOrEqual(5)
      expect(r.event).toBeUndefined()
      if (i > 0) expect(r.odometerM).toBeGreaterThanOrEqual(records[i - 1]!.odometerM)
      if (i > 0) expect(r.ignitionChanged).toBe(r.ignition !== records[i - 1]!.ignition)
    }
    const drivenM = records.at(-1)!.odometerM - records[0]!.odometerM
    expect(drivenM).toBeGreaterThan(1000) // 15 minutes in town, stops included
    expect(records.some((r) => !r.ignition)).toBe(true) // the airport stop switches the engine off
    expect(records.some((r) => r.ignitionChanged)).toBe(true)
  })

  it('reports the supply at 0 V from a power cut until power is restored', () => {
    const vehicle = new SimulatedVehicle(ROUTES[0]!, createRandom(8), { segment: 0, fraction: 0 })
    const at = (t: number, event?: SimEventType) => vehicle.recordAt(t, t * 1000, event)
    expect(at(0).externalVoltageMv).toBeGreaterThan(12_000)
    expect(at(1, 'powerCut')).toMatchObject({ externalVoltageMv: 0, event: 'powerCut' })
    expect(at(2)).toMatchObject({ externalVoltageMv: 0 })
    expect(at(3, 'powerRestored')).toMatchObject({ event: 'powerRestored' })
    expect(at(3).externalVoltageMv).toBeGreaterThan(12_000)
  })
})
