/** Spherical geometry for simulated routes: bearing and great-circle interpolation (distance is core/geo.ts). */

import { EARTH_RADIUS_M, distanceM, type LatLon } from '../core/geo.ts'

const toRad = (deg: number): number => (deg * Math.PI) / 180
const toDeg = (rad: number): number => (rad * 180) / Math.PI

/** Normalizes an angle to [0, 360). */
export function normalizeDeg(deg: number): number {
  const d = deg % 360
  return d < 0 ? d + 360 : d === 360 ? 0 : d
}

/** Initial bearing from `a` towards `b`, degrees clockwise from true north in [0, 360). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const φ1 = toRad(a.latitude)
  const φ2 = toRad(b.latitude)
  const Δλ = toRad(b.longitude - a.longitude)
  const y = Math.sin(Δλ) * Math.cos(φ2)
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ)
  return normalizeDeg(toDeg(Math.atan2(y, x)))
}

/** The point `fraction` (0..1) of the way from `a` to `b` along the great circle through them. */
export function interpolate(a: LatLon, b: LatLon, fraction: number): LatLon {
  const δ = distanceM(a, b) / EARTH_RADIUS_M
  if (δ < 1e-12) return { latitude: a.latitude, longitude: a.longitude }
  const φ1 = toRad(a.latitude)
  const λ1 = toRad(a.longitude)
  const φ2 = toRad(b.latitude)
  const λ2 = toRad(b.longitude)
  const A = Math.sin((1 - fraction) * δ) / Math.sin(δ)
  const B = Math.sin(fraction * δ) / Math.sin(δ)
  const x = A * Math.cos(φ1) * Math.cos(λ1) + B * Math.cos(φ2) * Math.cos(λ2)
  const y = A * Math.cos(φ1) * Math.sin(λ1) + B * Math.cos(φ2) * Math.sin(λ2)
  const z = A * Math.sin(φ1) + B * Math.sin(φ2)
  return {
    latitude: toDeg(Math.atan2(z, Math.sqrt(x * x + y * y))),
    longitude: toDeg(Math.atan2(y, x)),
  }
}

/** The smallest angle between two headings, in [0, 180]. */
export function turnDeg(fromBearing: number, toBearing: number): number {
  const d = Math.abs(normalizeDeg(toBearing) - normalizeDeg(fromBearing))
  return d > 180 ? 360 - d : d
}
