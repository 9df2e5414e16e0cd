/** Today's trail of the followed vehicle on the map: live stretches solid, buffered history dashed. */
import L from 'leaflet'
import type { TrailSegment } from './trail.ts'

/**
 * Drawn as SVG paths with these classes (`path.trail-live`, `path.trail-buffered`), coloured by app.css, in a
 * pane above the vehicle markers: where many vehicles share the roads the followed one's trail stays visible.
 */
export function drawTrail(map: L.Map, segments: readonly TrailSegment[]): L.LayerGroup {
  if (!map.getPane('trail')) {
    const pane = map.createPane('trail')
    pane.style.zIndex = '620'
    pane.style.pointerEvents = 'none'
  }
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
      pane: 'trail',
    }).addTo(group)
  }
  return group.addTo(map)
}
