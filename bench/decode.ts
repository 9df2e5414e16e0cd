/**
 * Decoding speed per protocol, in this process (pure CPU): our decoders (framing + decode, exactly
 * what the gateway runs per message) beside a bare loop over the same bytes that reads only the
 * fields a record needs — time, latitude, longitude, speed, course, satellites and the IO/element
 * count — without validation, checksums or allocating records: the physical limit for those bytes.
 *
 * Teltonika also beside two npm parsers (complete-teltonika-parser, teltonika-parser) on the same
 * packets, and how many of the shared real vectors each decodes correctly (bench/teltonika-vectors.ts).
 *
 * The messages come from each protocol's encode.ts, shaped like real devices' traffic.
 */
import { createRequire } from 'node:module'
import type { DecodeContext, Session } from '../gateway/protocols/types.ts'
import { gt06 } from '../gateway/protocols/gt06/index.ts'
import { encodeLocation } from '../gateway/protocols/gt06/encode.ts'
import { osmand } from '../gateway/protocols/osmand/index.ts'
import { encodeQueryTarget } from '../gateway/protocols/osmand/encode.ts'
import { queclink } from '../gateway/protocols/queclink/index.ts'
import { encodeReport, type QueclinkRecordInput } from '../gateway/protocols/queclink/encode.ts'
import { teltonika } from '../gateway/protocols/teltonika/index.ts'
import { encodeAvlPacket, type TeltonikaRecordInput } from '../gateway/protocols/teltonika/encode.ts'
import type { ProtocolDescriptor } from '../gateway/protocols/types.ts'
import { vectorsDecodedCorrectly, type ComparableRecord, type TeltonikaPacketParser } from './teltonika-vectors.ts'

export interface DecodeBenchOptions {
  /** Time per measurement round, ms (default 1000); the best of `rounds` rounds counts. */
  roundMs?: number
  rounds?: number
}

export interface DecodeRate {
  protocol: string
  /** Records per second through our framing + decode. */
  ours: number
  /** Records per second through the bare field-reading loop. */
  bare: number
}

export interface PeerRate {
  peer: string
  /** Records per second, ours and the peer's, on the same Teltonika packets. */
  ours: number
  theirs: number
  /** Shared real vectors decoded correctly, ours and the peer's, out of `vectors`. */
  oursCorrect: number
  theirsCorrect: number
  vectors: number
}

export interface DecodeBenchResult {
  rates: DecodeRate[]
  peers: PeerRate[]
}

const MAX_FRAME_BYTES = 65_536
const IMEI = '356307042441013'
const MESSAGES = 200
const BASE_TIME = Date.UTC(2026, 10, 22, 8, 0, 0)
const CONTEXT: DecodeContext = { now: new Date(BASE_TIME + 3_600_000), crc: 'strict' }

/** Keeps results alive so no loop is optimised away. */
let sink = 0

export function decodeBench(options: DecodeBenchOptions = {}): DecodeBenchResult {
  const roundMs = options.roundMs ?? 1000
  const rounds = options.rounds ?? 3
  const best = (run: () => number) => bestRate(run, roundMs, rounds)

  const teltonikaPackets = teltonikaCorpus()
  const gt06Messages = gt06Corpus()
  const queclinkSentences = queclinkCorpus()
  const osmandTargets = osmandCorpus()
  const oursTeltonika = best(() => decodeStream(teltonika, teltonikaPackets))
  const rates: DecodeRate[] = [
    { protocol: 'teltonika', ours: oursTeltonika, bare: best(() => bareTeltonika(teltonikaPackets)) },
    { protocol: 'gt06', ours: best(() => decodeStream(gt06, gt06Messages)), bare: best(() => bareGt06(gt06Messages)) },
    { protocol: 'queclink', ours: best(() => decodeStream(queclink, queclinkSentences)), bare: best(() => bareQueclink(queclinkSentences)) },
    { protocol: 'osmand', ours: best(() => decodeOsmand(osmandTargets)), bare: best(() => bareOsmand(osmandTargets)) },
  ]

  const oursCorrect = vectorsDecodedCorrectly(oursParser)
  const peers: PeerRate[] = PEERS.map(({ name, parse }) => {
    const theirsCorrect = vectorsDecodedCorrectly(parse)
    return {
      peer: name,
      ours: oursTeltonika,
      theirs: best(() => teltonikaPackets.reduce((records, packet) => records + (parse(packet)?.length ?? 0), 0)),
      oursCorrect: oursCorrect.correct,
      theirsCorrect: theirsCorrect.correct,
      vectors: oursCorrect.total,
    }
  })
  if (sink === 0.5) console.log(sink)
  return { rates, peers }
}

/** Records per second: `run` is repeated for `roundMs` per round and returns the records it decoded. */
function bestRate(run: () => number, roundMs: number, rounds: number): number {
  run() // warm-up
  let best = 0
  for (let round = 0; round < rounds; round++) {
    let records = 0
    const start = performance.now()
    let elapsed = 0
    while (elapsed < roundMs) {
      records += run()
      elapsed = performance.now() - start
    }
    best = Math.max(best, (records * 1000) / elapsed)
  }
  return best
}

// --- the messages -----------------------------------------------------------------------------

/** An FMB-style codec 8 record: the IO elements an FMB920 sends by default. */
function teltonikaRecord(sequence: number): TeltonikaRecordInput {
  return {
    timeMs: BASE_TIME + sequence * 1000,
    latitude: 54.6872 + sequence * 1e-5,
    longitude: 25.2797 - sequence * 1e-5,
    altitude: 120,
    course: (sequence * 7) % 360,
    satellites: 11,
    speedKmh: 42 + (sequence % 30),
    io: { 239: 1, 240: 1, 80: 1, 21: 4, 200: 0, 69: 1, 181: 9, 182: 7, 66: 13_980, 24: 42, 205: 1402, 206: 6611, 67: 4012, 68: 0, 16: 1_234_567 + sequence * 10, 241: 24_602 },
  }
}

/** Live packets of one record and buffered ones of several, as devices send after coverage gaps. */
function teltonikaCorpus(): Buffer[] {
  const recordsPerPacket = [1, 1, 1, 4, 1, 1, 10, 1]
  let sequence = 0
  return Array.from({ length: MESSAGES }, (_, index) =>
    encodeAvlPacket(Array.from({ length: recordsPerPacket[index % recordsPerPacket.length]! }, () => teltonikaRecord(sequence++))),
  )
}

function gt06Corpus(): Buffer[] {
  return Array.from({ length: MESSAGES }, (_, index) =>
    encodeLocation(
      { timeMs: BASE_TIME + index * 10_000, latitude: 54.6872 + index * 1e-5, longitude: 25.2797, speedKmh: 42, course: (index * 7) % 360, satellites: 9, ignition: true, cell: { mcc: 246, mnc: 1, lac: 6611, cellId: 1402 } },
      index,
    ),
  )
}

function queclinkRecord(sequence: number): QueclinkRecordInput {
  return { timeMs: BASE_TIME + sequence * 30_000, latitude: 54.6872 + sequence * 1e-5, longitude: 25.2797, speedKmh: 42.5, course: (sequence * 7) % 360, altitude: 120.4, externalVoltageV: 13.98, batteryLevelPct: 100, odometerKm: 1234.5, engineHoursH: 321.25, ignition: true }
}

/** GTFRI reports: one position, or several when the device reports at a short interval. */
function queclinkCorpus(): Buffer[] {
  const recordsPerReport = [1, 1, 1, 4]
  let sequence = 0
  return Array.from({ length: MESSAGES }, (_, index) => {
    const records = Array.from({ length: recordsPerReport[index % recordsPerReport.length]! }, () => queclinkRecord(sequence++))
    return encodeReport('GTFRI', IMEI, records, { countNumber: index })
  })
}

/** Traccar Client requests, as phones send them. */
function osmandCorpus(): string[] {
  return Array.from({ length: MESSAGES }, (_, index) =>
    encodeQueryTarget('123456', { timeMs: BASE_TIME + index * 5000, latitude: 54.6872 + index * 1e-5, longitude: 25.2797, speedKmh: 36, course: 90, altitude: 120, accuracyM: 5, batteryLevelPct: 80, charging: false, moving: true }),
  )
}

// --- ours ---------------------------------------------------------------------------------------

/** Each message as one read of an identified TCP connection: frame, then decode every frame. */
function decodeStream(protocol: ProtocolDescriptor, messages: Buffer[]): number {
  const session: Session = { transport: 'tcp', imei: IMEI }
  let records = 0
  for (const message of messages) {
    for (const frame of protocol.frame(message, MAX_FRAME_BYTES).frames) {
      const decoded = protocol.decode(frame, session, CONTEXT)
      if (decoded.error) throw new Error(`${protocol.name}: ${decoded.error.code} ${decoded.error.message}`)
      records += decoded.records.length
    }
  }
  return records
}

function decodeOsmand(targets: string[]): number {
  let records = 0
  const body = Buffer.alloc(0)
  for (const target of targets) {
    const decoded = osmand.decodeRequest({ method: 'GET', target, contentType: '', body }, CONTEXT)
    if (decoded.error) throw new Error(`osmand: ${decoded.error.code} ${decoded.error.message}`)
    records += decoded.records.length
  }
  return records
}

const oursParser: TeltonikaPacketParser = (packet) => {
  const decoded = teltonika.decode(packet, { transport: 'tcp', imei: IMEI }, CONTEXT)
  if (decoded.error) return undefined
  return decoded.records.map((record) => ({
    timeMs: Date.parse(record.fixTime),
    latitude: record.latitude,
    longitude: record.longitude,
    speedKmh: record.speedKmh,
    course: record.course,
    altitude: record.altitude,
    satellites: record.satellites,
    io: record.io,
  }))
}

// --- bare loops: read the fields straight from the bytes, nothing else ---------------------------

/** Codec 8 packets: per record time, coordinates, course, satellites, speed, IO count; IO values skipped by width. */
function bareTeltonika(packets: Buffer[]): number {
  let records = 0
  for (const packet of packets) {
    const count = packet[9]!
    let at = 10
    for (let i = 0; i < count; i++) {
      const timeMs = packet.readUInt32BE(at) * 4_294_967_296 + packet.readUInt32BE(at + 4)
      const longitude = packet.readInt32BE(at + 9) / 1e7
      const latitude = packet.readInt32BE(at + 13) / 1e7
      const course = packet.readUInt16BE(at + 19)
      const satellites = packet[at + 21]!
      const speed = packet.readUInt16BE(at + 22)
      const ioCount = packet[at + 25]!
      at += 26
      at += 1 + packet[at]! * 2 // 1-byte values
      at += 1 + packet[at]! * 3 // 2-byte values
      at += 1 + packet[at]! * 5 // 4-byte values
      at += 1 + packet[at]! * 9 // 8-byte values
      sink += timeMs + latitude + longitude + course + satellites + speed + ioCount
      records++
    }
  }
  return records
}

/** 0x22 location: BCD-free YY MM DD hh mm ss, satellites nibble, coordinates, speed, course word. */
function bareGt06(messages: Buffer[]): number {
  for (const message of messages) {
    const at = 4
    const timeMs = Date.UTC(2000 + message[at]!, message[at + 1]! - 1, message[at + 2]!, message[at + 3]!, message[at + 4]!, message[at + 5]!)
    const satellites = message[at + 6]! & 0x0f
    const word = message.readUInt16BE(at + 16)
    const latitude = (message.readUInt32BE(at + 7) / 1_800_000) * (word & 0x0400 ? 1 : -1)
    const longitude = (message.readUInt32BE(at + 11) / 1_800_000) * (word & 0x0800 ? -1 : 1)
    const speed = message[at + 15]!
    const course = word & 0x03ff
    const acc = message[at + 26]!
    sink += timeMs + latitude + longitude + speed + course + satellites + acc
  }
  return messages.length
}

const COMMA = 0x2c

/** GTFRI: the position count, then per 12-field block speed, azimuth, longitude, latitude, GNSS time. */
function bareQueclink(sentences: Buffer[]): number {
  let records = 0
  for (const sentence of sentences) {
    let at = skipFields(sentence, 0, 6)
    const count = decimalAt(sentence, at)
    at = skipFields(sentence, at, 1)
    for (let i = 0; i < count; i++) {
      at = skipFields(sentence, at, 1) // accuracy
      const speed = decimalAt(sentence, at)
      at = skipFields(sentence, at, 1)
      const course = decimalAt(sentence, at)
      at = skipFields(sentence, at, 2) // altitude
      const longitude = decimalAt(sentence, at)
      at = skipFields(sentence, at, 1)
      const latitude = decimalAt(sentence, at)
      at = skipFields(sentence, at, 1)
      const timeMs = compactTimeAt(sentence, at)
      at = skipFields(sentence, at, 6)
      sink += timeMs + latitude + longitude + speed + course + count
      records++
    }
  }
  return records
}

/** `id`, `timestamp`, `lat`, `lon`, `speed`, `bearing` from the query string, and how many parameters. */
function bareOsmand(targets: string[]): number {
  for (const target of targets) {
    let params = 0
    let at = target.indexOf('?') + 1
    while (at > 0 && at < target.length) {
      const equals = target.indexOf('=', at)
      let end = target.indexOf('&', equals)
      if (end < 0) end = target.length
      const first = target.charCodeAt(at)
      const keyLength = equals - at
      // timestamp, lat, lon, speed, bearing: told apart by first letter and length, values read in place.
      if ((first === 0x74 && keyLength === 9) || (first === 0x6c && keyLength === 3) || (first === 0x73 && keyLength === 5) || (first === 0x62 && keyLength === 7)) {
        sink += decimalInString(target, equals + 1, end)
      }
      params++
      at = end + 1
    }
    sink += params
  }
  return targets.length
}

function skipFields(bytes: Buffer, at: number, fields: number): number {
  for (let n = 0; n < fields; n++) at = bytes.indexOf(COMMA, at) + 1
  return at
}

/** A signed decimal number starting at `at`, up to the next non-digit. */
function decimalAt(bytes: Buffer, at: number): number {
  let sign = 1
  if (bytes[at] === 0x2d) {
    sign = -1
    at++
  }
  let value = 0
  let scale = 0
  for (;; at++) {
    const byte = bytes[at]!
    if (byte === 0x2e) scale = 1
    else if (byte >= 0x30 && byte <= 0x39) {
      value = value * 10 + byte - 0x30
      scale *= 10
    } else break
  }
  return (sign * value) / (scale || 1)
}

function decimalInString(text: string, at: number, end: number): number {
  let value = 0
  let scale = 0
  let sign = 1
  for (; at < end; at++) {
    const code = text.charCodeAt(at)
    if (code === 0x2d) sign = -1
    else if (code === 0x2e) scale = 1
    else {
      value = value * 10 + code - 0x30
      scale *= 10
    }
  }
  return (sign * value) / (scale || 1)
}

/** YYYYMMDDHHMMSS. */
function compactTimeAt(bytes: Buffer, at: number): number {
  const digits = (from: number, count: number) => {
    let value = 0
    for (let i = 0; i < count; i++) value = value * 10 + bytes[at + from + i]! - 0x30
    return value
  }
  return Date.UTC(digits(0, 4), digits(4, 2) - 1, digits(6, 2), digits(8, 2), digits(10, 2), digits(12, 2))
}

// --- the npm peers (called, never copied) -------------------------------------------------------

interface CompleteAvlData {
  Timestamp: Date
  GPSelement: { Longitude: number; Latitude: number; Altitude: number; Angle: number; Satellites: number; Speed: number }
  IOelement: { Elements: Record<string, number | string> }
}
interface TeltonikaParserRecord {
  timestamp: Date
  gps: { longitude: number; latitude: number; altitude: number; angle: number; satellites: number; speed: number }
  ioElements: { id: number; value: number | string | bigint }[]
}

const require = createRequire(import.meta.url)
const complete = require('complete-teltonika-parser') as { ProtocolParser: new (hex: string) => { Content: { AVL_Datas?: CompleteAvlData[] } | null } }
const TeltonikaParser = require('teltonika-parser') as new (buffer: Buffer) => { getAvl(): { records?: TeltonikaParserRecord[] } }

/** Both take the packet as received; complete-teltonika-parser wants it as a hex string, so that conversion is part of its cost. */
const PEERS: { name: string; parse: TeltonikaPacketParser }[] = [
  {
    name: 'complete-teltonika-parser',
    parse: (packet) =>
      (new complete.ProtocolParser(packet.toString('hex')).Content?.AVL_Datas ?? undefined)?.map(
        (record): ComparableRecord => ({
          timeMs: new Date(record.Timestamp).getTime(),
          latitude: record.GPSelement.Latitude,
          longitude: record.GPSelement.Longitude,
          speedKmh: record.GPSelement.Speed,
          course: record.GPSelement.Angle,
          altitude: record.GPSelement.Altitude,
          satellites: record.GPSelement.Satellites,
          io: record.IOelement.Elements,
        }),
      ),
  },
  {
    name: 'teltonika-parser',
    parse: (packet) =>
      new TeltonikaParser(packet).getAvl().records?.map(
        (record): ComparableRecord => ({
          timeMs: new Date(record.timestamp).getTime(),
          latitude: record.gps.latitude,
          longitude: record.gps.longitude,
          speedKmh: record.gps.speed,
          course: record.gps.angle,
          altitude: record.gps.altitude,
          satellites: record.gps.satellites,
          io: Object.fromEntries(record.ioElements.map((element) => [element.id, element.value])),
        }),
      ),
  },
]
