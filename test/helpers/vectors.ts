import { readFileSync } from 'node:fs'

/** One real device message from test/fixtures/vectors/<protocol>.json (the fields are described in its README.md). */
export interface Vector<Expect = Record<string, unknown>> {
  id: string
  protocol: string
  transport: 'tcp' | 'udp' | 'http'
  kind: string
  hex?: string
  text?: string
  httpMethod?: string
  contentType?: string
  expect: Expect
}

/** `expect.records[]` of a vector: Traccar's names and units (power/battery in V, odometer in m, hours in ms). */
export interface ExpectedRecord {
  fixTime?: string
  deviceTime?: string
  outdated?: boolean
  note?: string
  latitude?: number
  longitude?: number
  speedKmh?: number
  course?: number
  altitude?: number
  satellites?: number
  hdop?: number
  valid?: boolean
  ignition?: boolean
  motion?: boolean
  power?: number
  battery?: number
  batteryLevel?: number
  odometer?: number
  hours?: number
  alarms?: string[]
  alarmsIfFmbModel?: string[]
  io?: Record<string, number | string>
}

const VECTOR_PROTOCOLS = ['teltonika', 'gt06', 'queclink', 'osmand'] as const

function readVectors<Expect>(protocol: string): Vector<Expect>[] {
  const file = new URL(`../fixtures/vectors/${protocol}.json`, import.meta.url)
  return JSON.parse(readFileSync(file, 'utf8')) as Vector<Expect>[]
}

/** The vectors of one protocol (or all), typed with what the caller expects in `expect`. */
export function loadVectors<Expect = Record<string, unknown>>(protocol?: string): Vector<Expect>[] {
  return protocol === undefined ? VECTOR_PROTOCOLS.flatMap((name) => readVectors<Expect>(name)) : readVectors<Expect>(protocol)
}

/** The message bytes as a device sends them. */
export function vectorBytes(vector: Vector<unknown>): Buffer {
  return vector.hex !== undefined ? Buffer.from(vector.hex, 'hex') : Buffer.from(vector.text ?? '', 'utf8')
}
