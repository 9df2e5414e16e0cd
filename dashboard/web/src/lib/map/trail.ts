/**
 * Today's breadcrumb trail of one vehicle, split into what was seen live and what the device uploaded
 * later from its memory (buffered history). A buffered stretch is drawn from the last live point before
 * it to the first live point after it: a "jump" from where coverage was lost to where it came back.
 */
import type { LivePosition, StoredPosition } from '../../../../shared/contract.ts'

export type LatLng = readonly [latitude: number, longitude: number]

export interface TrailSegment {
  kind: 'live' | 'buffered'
  points: LatLng[]
}

/** Midnight of the local day containing `now`, for `?from=`. */
export function localMidnight(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate())
}

/**
 * Positions in fix-time order -> segments. Records without coordinates or without a valid fix are left out;
 * neighbouring segments share their joining point so the line is continuous.
 */
export function splitTrail(positions: readonly StoredPosition[]): TrailSegment[] {
  const segments: TrailSegment[] = []
  let current: TrailSegment | null = null
  for (const position of positions) {
    if (!position.valid || position.latitude === undefined || position.longitude === undefined) continue
    const point: LatLng = [position.latitude, position.longitude]
    const kind = position.buffered ? 'buffered' : 'live'
    if (current === null) {
      current = { kind, points: [point] }
      segments.push(current)
      continue
    }
    if (current.kind !== kind) {
      const joint: LatLng | undefined = current.points[current.points.length - 1]
      if (kind === 'live') current.points.push(point) // the buffered stretch ends where live data resumes
      current = { kind, points: joint && kind === 'buffered' ? [joint, point] : [point] }
      segments.push(current)
      continue
    }
    if (!samePoint(current.points[current.points.length - 1], point)) current.points.push(point)
  }
  return segments.filter((segment) => segment.points.length > 1 || segments.length === 1)
}

/** The trail with a new live position at its end (a new array; the segments given are not changed). */
export function extendTrail(segments: readonly TrailSegment[], position: Pick<LivePosition, 'latitude' | 'longitude'>): TrailSegment[] {
  const point: LatLng = [position.latitude, position.longitude]
  const last = segments[segments.length - 1]
  if (last === undefined) return [{ kind: 'live', points: [point] }]
  const end = last.points[last.points.length - 1]
  if (samePoint(end, point)) return [...segments]
  if (last.kind === 'live') return [...segments.slice(0, -1), { kind: 'live', points: [...last.points, point] }]
  return [...segments, { kind: 'live', points: end ? [end, point] : [point] }]
}

/** How many points the trail draws (joints counted once per segment). */
export function trailPointCount(segments: readonly TrailSegment[]): number {
  return segments.reduce((sum, segment) => sum + segment.points.length, 0)
}

export function hasBufferedStretch(segments: readonly TrailSegment[]): boolean {
  return segments.some((segment) => segment.kind === 'buffered')
}

function samePoint(a: LatLng | undefined, b: LatLng): boolean {
  return a !== undefined && a[0] === b[0] && a[1] === b[1]
}
