/**
 * OsmAnd over HTTP (docs/protocols.md, OsmAnd), as a phone tracking app sends it. A live record is one
 * request in the query form Traccar Client uses (`POST /?id=...&lat=...&timestamp=...`); a backlog (the
 * records the phone queued without coverage, or several live records at once) goes as one JSON upload
 * of the queue, as Transistorsoft background-geolocation does with batch sync. Events ride as
 * `alarm=<name>` (JSON: `extras.alarm`). The gateway answers 200 once the records are stored. OsmAnd
 * does not flag history: the gateway recognises it by its age.
 */
import { JSON_CONTENT_TYPE, type OsmandFixInput, encodeJsonBody, encodeQueryTarget } from '../../gateway/protocols/osmand/encode.ts'
import { osmand } from '../../gateway/protocols/osmand/index.ts'
import { SIM_EVENT_TYPES, type SimRecord, batteryPercent } from '../record.ts'
import type { SimConnection, SimProtocolFamily } from './types.ts'

/** What a phone's GPS typically claims, metres. */
const ACCURACY_M = 5
const OK = 'http:200'

export const osmandSim: SimProtocolFamily = {
  name: 'osmand',
  transports: ['http'],
  defaultPort: osmand.defaultPort,
  fixTimeResolutionMs: 1,
  reportsIgnition: false, // phones have no ignition
  // The gateway reads any of our event names from `alarm`.
  events: SIM_EVENT_TYPES,
  create: () => ({
    name: 'osmand',
    transport: 'http',
    // Times go as fractional seconds or ISO with milliseconds, coordinates as decimal text: nothing is lost.
    quantize: (record) => record,
    connect: osmandConnection,
  }),
}

export function toOsmandFix(r: SimRecord): OsmandFixInput {
  return {
    timeMs: r.timeMs,
    latitude: r.latitude,
    longitude: r.longitude,
    speedKmh: r.speedKmh,
    course: r.course,
    altitude: r.altitude,
    accuracyM: ACCURACY_M,
    batteryLevelPct: batteryPercent(r.batteryVoltageMv),
    charging: r.externalVoltageMv > 0,
    moving: r.moving,
    odometerM: r.odometerM,
    ...(r.event === undefined ? {} : { attributes: { alarm: r.event } }),
  }
}

function osmandConnection(id: string): SimConnection {
  return {
    hello: () => null,
    encode: (batch) => {
      if (batch.length === 1) {
        return [{ payload: { method: 'POST', target: encodeQueryTarget(id, toOsmandFix(batch[0]!.record)) }, records: 1, ack: OK }]
      }
      const body = encodeJsonBody(
        id,
        batch.map((q) => toOsmandFix(q.record)),
      )
      return [{ payload: { method: 'POST', target: '/', contentType: JSON_CONTENT_TYPE, body }, records: batch.length, ack: OK }]
    },
    // HTTP replies are read by the link (`http:<status>`).
    read: () => [],
  }
}
