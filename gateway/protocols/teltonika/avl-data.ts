/**
 * Reads the AVL data field (codec id … second record count) into wire records, without
 * interpreting them: values as on the wire, IO elements keyed by id (docs/protocols.md, Teltonika AVL
 * records).
 */
import { ByteCursor } from '../../lib/cursor.ts'
import { fail } from '../errors.ts'
import {
  CODEC,
  GH3000_BLOCKS,
  GH3000_EPOCH_SECONDS,
  GH3000_GPS_FIELDS,
  GH3000_TIME_MASK,
  IO_GROUP_WIDTHS,
  IO_LAYOUTS,
  type IoLayout,
  type IoWidth,
} from './constants.ts'

/** IO values: unsigned integers, decimal strings above 2^53-1, "x:<hex>" for variable-length elements. */
export type WireIo = Record<string, number | string>

export interface WireRecord {
  /** Device time, milliseconds since the Unix epoch. */
  timeMs: number
  /** Absent when a codec 7 record carries no coordinates. */
  position?: { latitude: number; longitude: number }
  altitude?: number
  course?: number
  satellites?: number
  speedKmh?: number
  /** The IO id that triggered the record (0: periodic). Codec 7 has none. */
  eventIoId?: number
  io: WireIo
}

export type AvlData = { kind: 'records'; records: WireRecord[] } | { kind: 'commandResponse' }

/** Latest instant a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15

/** Codec 7 IO ids and counts are single bytes, like codec 8. */
const GH3000_IO_LAYOUT = IO_LAYOUTS.get(CODEC.codec8)!
const GH3000_IO_GROUPS = [
  [GH3000_BLOCKS.io1, 1],
  [GH3000_BLOCKS.io2, 2],
  [GH3000_BLOCKS.io4, 4],
] as const

export function readAvlData(data: Buffer): AvlData {
  const cursor = new ByteCursor(data)
  const codec = cursor.u8()
  const count = cursor.u8()
  if (codec === CODEC.codec12 || codec === CODEC.codec13) {
    // Real responses carry inconsistent size fields (a codec 13 quirk), so only the two counts are checked.
    checkSecondCount(count, data[data.length - 1]!)
    return { kind: 'commandResponse' }
  }
  const readRecord = recordReader(codec)
  const records = Array.from({ length: count }, () => readRecord(cursor))
  checkSecondCount(count, cursor.u8())
  if (cursor.remaining > 0) fail('MALFORMED', `${cursor.remaining} byte(s) after the last record`)
  return { kind: 'records', records }
}

function checkSecondCount(first: number, second: number): void {
  if (first !== second) fail('MALFORMED', `record counts disagree: ${first} before the records, ${second} after`)
}

function recordReader(codec: number): (cursor: ByteCursor) => WireRecord {
  if (codec === CODEC.gh3000) return readGh3000Record
  const layout = IO_LAYOUTS.get(codec)
  if (!layout) fail('UNKNOWN_TYPE', `unknown codec 0x${codec.toString(16).padStart(2, '0')}`)
  return (cursor) => readRecord(cursor, layout)
}

/** Codec 8, 8E and 16. */
function readRecord(cursor: ByteCursor, layout: IoLayout): WireRecord {
  const timeMs = checkedTime(cursor.u64())
  cursor.skip(1) // priority
  const longitude = cursor.i32() / 1e7
  const latitude = cursor.i32() / 1e7
  const record: WireRecord = {
    timeMs,
    position: checkedPosition(latitude, longitude),
    altitude: cursor.i16(),
    course: cursor.u16(),
    satellites: cursor.u8(),
    speedKmh: cursor.u16(),
    eventIoId: readSized(cursor, layout.idBytes),
    io: {},
  }
  if (layout.generationType) cursor.skip(1)
  readSized(cursor, layout.countBytes) // total IO count; the group counts below are what delimit the data
  for (const width of IO_GROUP_WIDTHS) readIoGroup(cursor, layout, width, record.io)
  if (layout.variableLengthGroup) readVariableLengthGroup(cursor, layout, record.io)
  return record
}

/** Codec 7 (GH3000): a global mask says which blocks follow, a GPS mask which GPS fields. */
function readGh3000Record(cursor: ByteCursor): WireRecord {
  const seconds = (cursor.u32() & GH3000_TIME_MASK) + GH3000_EPOCH_SECONDS
  const blocks = cursor.u8()
  const record: WireRecord = { timeMs: seconds * 1000, io: {} }
  if (blocks & GH3000_BLOCKS.gps) readGh3000Gps(cursor, record)
  for (const [block, width] of GH3000_IO_GROUPS) {
    if (blocks & block) readIoGroup(cursor, GH3000_IO_LAYOUT, width, record.io)
  }
  return record
}

function readGh3000Gps(cursor: ByteCursor, record: WireRecord): void {
  const fields = cursor.u8()
  if (fields & GH3000_GPS_FIELDS.coordinates) {
    const latitude = cursor.f32()
    record.position = checkedPosition(latitude, cursor.f32())
  }
  if (fields & GH3000_GPS_FIELDS.altitude) record.altitude = cursor.i16()
  if (fields & GH3000_GPS_FIELDS.course) record.course = (cursor.u8() * 360) / 256
  if (fields & GH3000_GPS_FIELDS.speed) record.speedKmh = cursor.u8()
  if (fields & GH3000_GPS_FIELDS.satellites) record.satellites = cursor.u8()
  if (fields & GH3000_GPS_FIELDS.cell) cursor.skip(4) // location area code, cell id
  if (fields & GH3000_GPS_FIELDS.signalQuality) cursor.skip(1)
  if (fields & GH3000_GPS_FIELDS.operator) cursor.skip(4)
}

function readIoGroup(cursor: ByteCursor, layout: IoLayout, width: IoWidth, io: WireIo): void {
  const count = readSized(cursor, layout.countBytes)
  for (let i = 0; i < count; i++) {
    const id = readSized(cursor, layout.idBytes)
    io[id] = width === 8 ? exactInteger(cursor.u64()) : readSized(cursor, width)
  }
}

function readVariableLengthGroup(cursor: ByteCursor, layout: IoLayout, io: WireIo): void {
  const count = readSized(cursor, layout.countBytes)
  for (let i = 0; i < count; i++) {
    const id = readSized(cursor, layout.idBytes)
    io[id] = `x:${cursor.bytes(cursor.u16()).toString('hex')}`
  }
}

function readSized(cursor: ByteCursor, bytes: 1 | 2 | 4): number {
  if (bytes === 4) return cursor.u32()
  return bytes === 2 ? cursor.u16() : cursor.u8()
}

/** A number while it is exact, else its decimal string. */
function exactInteger(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()
}

function checkedTime(ms: bigint): number {
  if (ms > BigInt(MAX_DATE_MS)) fail('MALFORMED', `timestamp ${ms} ms is not a date`)
  return Number(ms)
}

function checkedPosition(latitude: number, longitude: number): WireRecord['position'] {
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
    fail('MALFORMED', `coordinates out of range: ${latitude}, ${longitude}`)
  }
  return { latitude, longitude }
}
