/** Today's trail of the followed vehicle on the map: live stretches solid, buffered history dashed. */
import L from 'leaflet'
import type { TrailSegment } from './trail.ts'

/** Drawn as SVG paths with these classes (`path.trail-live`, `path.trail-buffered`), coloured by app.css. */
export function drawTrail(map: L.Map, segments: readonly TrailSegment[]): L.LayerGroup {
  const group = L.layerGroup()
  for (const segment of segments) {
    if (segment.points.length < 2) continue
    const buffered = segment.kind === 'buffered'
    L.polyline(segment.points.map(([lat, lng]) => L.latLng(lat, lng)), {
      className: buffered ? 'trail-buffered' : 'trail-live',
      weight: buffered ? 3 : 4,
      opacity: 0.85,
      dashArray: buffered ? '6 8' : undefined,
      interactive: false,
    }).addTo(group)
  }
  return group.addTo(map)
}
