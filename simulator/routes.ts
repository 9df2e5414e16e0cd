/**
 * Bundled routes: closed loops of waypoints around Vilnius (home of Teltonika), roughly following real
 * streets. Vehicles drive each segment along the great circle between waypoints; at a waypoint with
 * `stopSec` they halt (speed 0, motion off) and, when `ignitionOff` is set, switch the engine off
 * (a delivery stop rather than traffic lights).
 */
import type { LatLon } from '../core/geo.ts'

export interface Waypoint extends LatLon {
  /** Metres above sea level. */
  altitude: number
  /** Seconds the vehicle stands still here. */
  stopSec?: number
  /** The driver switches the engine off during the stop. */
  ignitionOff?: boolean
}

export interface Route {
  name: string
  /** Cruise speeds are drawn between 30 km/h and this (at most 90 km/h, the default). */
  maxSpeedKmh?: number
  /** The loop: after the last waypoint the vehicle drives back to the first. */
  waypoints: readonly Waypoint[]
}

export const ROUTES: readonly Route[] = [
  {
    name: 'vilnius-centre-loop',
    waypoints: [
      { latitude: 54.6858, longitude: 25.2877, altitude: 98, stopSec: 20 }, // Cathedral Square
      { latitude: 54.6873, longitude: 25.279, altitude: 100 }, // Gedimino pr. / Vilniaus g.
      { latitude: 54.6893, longitude: 25.2706, altitude: 104 }, // Lukiškių aikštė
      { latitude: 54.6895, longitude: 25.2625, altitude: 106, stopSec: 15 }, // Nepriklausomybės aikštė
      { latitude: 54.6905, longitude: 25.256, altitude: 105 }, // Geležinio Vilko g.
      { latitude: 54.681, longitude: 25.259, altitude: 112 },
      { latitude: 54.674, longitude: 25.264, altitude: 125, stopSec: 25 }, // Naugarduko g.
      { latitude: 54.6707, longitude: 25.2836, altitude: 131, stopSec: 90, ignitionOff: true }, // railway station
      { latitude: 54.6745, longitude: 25.2895, altitude: 126 }, // Gate of Dawn
      { latitude: 54.68, longitude: 25.292, altitude: 110, stopSec: 10 }, // Maironio g.
    ],
  },
  {
    name: 'vilnius-airport-run',
    waypoints: [
      { latitude: 54.6707, longitude: 25.2836, altitude: 131, stopSec: 30 }, // railway station
      { latitude: 54.665, longitude: 25.285, altitude: 140 },
      { latitude: 54.656, longitude: 25.288, altitude: 150 }, // Dariaus ir Girėno g.
      { latitude: 54.644, longitude: 25.286, altitude: 155, stopSec: 20 },
      { latitude: 54.637, longitude: 25.287, altitude: 160, stopSec: 120, ignitionOff: true }, // airport
      { latitude: 54.642, longitude: 25.298, altitude: 158 },
      { latitude: 54.656, longitude: 25.299, altitude: 150 },
      { latitude: 54.665, longitude: 25.293, altitude: 138, stopSec: 15 },
    ],
  },
  {
    name: 'vilnius-north-loop',
    waypoints: [
      { latitude: 54.6905, longitude: 25.2792, altitude: 96 }, // Green Bridge
      { latitude: 54.696, longitude: 25.274, altitude: 100, stopSec: 20 }, // Konstitucijos pr.
      { latitude: 54.6985, longitude: 25.262, altitude: 104 },
      { latitude: 54.71, longitude: 25.263, altitude: 118, stopSec: 100, ignitionOff: true }, // Akropolis
      { latitude: 54.713, longitude: 25.275, altitude: 121, stopSec: 30 }, // Ozas
      { latitude: 54.706, longitude: 25.286, altitude: 115 }, // Kalvarijų g.
      { latitude: 54.696, longitude: 25.285, altitude: 103, stopSec: 15 },
      { latitude: 54.6915, longitude: 25.283, altitude: 97 },
    ],
  },
  {
    name: 'vilnius-west-loop',
    waypoints: [
      { latitude: 54.683, longitude: 25.238, altitude: 110, stopSec: 15 }, // Vingis Park
      { latitude: 54.6872, longitude: 25.2149, altitude: 160 }, // TV tower
      { latitude: 54.673, longitude: 25.203, altitude: 175, stopSec: 60, ignitionOff: true }, // Lazdynai
      { latitude: 54.67, longitude: 25.225, altitude: 165 },
      { latitude: 54.676, longitude: 25.245, altitude: 140, stopSec: 20 },
    ],
  },
]
