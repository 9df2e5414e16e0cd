/**
 * Queclink @Track (GV300 family) ASCII reports over TCP or UDP (docs/protocols.md, Queclink). No login:
 * every sentence carries the IMEI. Records go out as GTFRI position reports (up to 15 positions a
 * sentence), an ignition change as GTIGN/GTIGF, and an event as its own report: GTMPF power cut, GTMPN
 * power restored, GTHBM harsh braking/acceleration/cornering, GTSOS. What the device recorded without
 * coverage is replayed as `+BUFF` instead of `+RESP`. Each sentence carries a count number, and the
 * device waits for `+SACK:<count number>$`, which Fleetwire's gateway sends once the records are stored
 * (a real device does so when its SACK setting is on).
 */
import {
  type HarshBehaviour,
  type QueclinkRecordInput,
  type QueclinkReportKind,
  encodeReport,
  formatCountNumber,
} from '../../gateway/protocols/queclink/encode.ts'
import { queclink } from '../../gateway/protocols/queclink/index.ts'
import { type SimEventType, type SimRecord, batteryPercent, truncateTime } from '../record.ts'
import { ReplyReader, unexpectedKey } from './replies.ts'
import type { QueuedRecord, SimConnection, SimMessage, SimProtocolFamily } from './types.ts'

/** The report for each event; a harsh report also names the behaviour. */
const EVENT_REPORTS: ReadonlyMap<SimEventType, { kind: QueclinkReportKind; harsh?: HarshBehaviour }> = new Map([
  ['powerCut', { kind: 'GTMPF' }],
  ['powerRestored', { kind: 'GTMPN' }],
  ['harshBraking', { kind: 'GTHBM', harsh: 'braking' }],
  ['harshAcceleration', { kind: 'GTHBM', harsh: 'acceleration' }],
  ['harshCornering', { kind: 'GTHBM', harsh: 'cornering' }],
  ['sos', { kind: 'GTSOS' }],
] as const)
/** Positions one GTFRI sentence can carry. */
const MAX_FRI_POSITIONS = 15
const SACK = /^\+SACK:([0-9A-F]{4})$/
/** Odometer km go on the wire with one decimal. */
const ODOMETER_STEP_M = 100

export const queclinkSim: SimProtocolFamily = {
  name: 'queclink',
  transports: ['tcp', 'udp'],
  defaultPort: queclink.defaultPort,
  fixTimeResolutionMs: 1000,
  reportsIgnition: false, // only GTIGN/GTIGF changes, not on each GTFRI position
  events: [...EVENT_REPORTS.keys()],
  create: ({ transport }) => ({
    name: 'queclink',
    transport,
    quantize: (r) => ({
      ...r,
      timeMs: truncateTime(r.timeMs, 1000),
      latitude: Math.round(r.latitude * 1e6) / 1e6,
      longitude: Math.round(r.longitude * 1e6) / 1e6,
      odometerM: Math.round(r.odometerM / ODOMETER_STEP_M) * ODOMETER_STEP_M,
    }),
    connect: queclinkConnection,
  }),
}

export function toQueclinkRecord(r: SimRecord): QueclinkRecordInput {
  return {
    timeMs: r.timeMs,
    latitude: r.latitude,
    longitude: r.longitude,
    speedKmh: r.speedKmh,
    course: r.course,
    altitude: r.altitude,
    externalVoltageV: r.externalVoltageMv / 1000,
    batteryLevelPct: batteryPercent(r.batteryVoltageMv),
    odometerKm: r.odometerM / 1000,
    ignition: r.ignition,
  }
}

/** The report a record goes out as; only plain position reports share a sentence. */
function reportFor(r: SimRecord): { kind: QueclinkReportKind; harsh?: HarshBehaviour } {
  if (r.event !== undefined) return EVENT_REPORTS.get(r.event) ?? unsupported(r.event)
  if (r.ignitionChanged) return { kind: r.ignition ? 'GTIGN' : 'GTIGF' }
  return { kind: 'GTFRI' }
}

function queclinkConnection(imei: string): SimConnection {
  let count = -1
  const reader = new ReplyReader((bytes) => {
    const keys: string[] = []
    let consumed = 0
    for (let end = bytes.indexOf(0x24); end >= 0; end = bytes.indexOf(0x24, consumed)) {
      const reply = bytes.toString('latin1', consumed, end).trim()
      const sack = SACK.exec(reply)
      keys.push(sack ? sackKey(sack[1]!) : unexpectedKey(Buffer.from(reply, 'latin1')))
      consumed = end + 1
    }
    return { keys, consumed }
  })

  const sentence = (group: QueuedRecord[], report: { kind: QueclinkReportKind; harsh?: HarshBehaviour }): SimMessage => {
    count = (count + 1) & 0xffff
    const payload = encodeReport(
      report.kind,
      imei,
      group.map((q) => toQueclinkRecord(q.record)),
      { countNumber: count, buffered: group[0]!.history, ...(report.harsh ? { harsh: report.harsh } : {}) },
    )
    return { payload, records: group.length, ack: sackKey(formatCountNumber(count)) }
  }

  return {
    hello: () => null,
    encode: (batch) => {
      const messages: SimMessage[] = []
      let group: QueuedRecord[] = []
      const flush = () => {
        if (group.length > 0) messages.push(sentence(group, { kind: 'GTFRI' }))
        group = []
      }
      for (const q of batch) {
        const report = reportFor(q.record)
        if (report.kind !== 'GTFRI') {
          flush()
          messages.push(sentence([q], report))
          continue
        }
        if (group.length === MAX_FRI_POSITIONS || (group.length > 0 && group[0]!.history !== q.history)) flush()
        group.push(q)
      }
      flush()
      return messages
    },
    read: (chunk) => reader.read(chunk),
  }
}

const sackKey = (countNumber: string) => `sack:${countNumber}`

function unsupported(event: SimEventType): never {
  throw new Error(`Queclink cannot report the ${event} event`)
}
