/** GT06 messages as a device sends them (for the simulator and tests) and the server's replies. */
import { encodeBcd } from '../../lib/bcd.ts'
import { crcItu } from '../../lib/crc.ts'
import { ByteWriter } from '../../lib/writer.ts'
import type { RecordEvent } from '../../../core/record.ts'
import {
  COORDINATE_UNITS_PER_DEGREE,
  COURSE_NORTH,
  COURSE_POSITIONED,
  COURSE_WEST,
  CRC_BYTES,
  LANGUAGE_ENGLISH,
  LENGTH_OVERHEAD,
  LONG_HEADER,
  MESSAGE,
  SHORT_HEADER,
  TERMINAL,
  TERMINATOR,
  TIME_ZONE_WEST,
} from './constants.ts'

export interface Gt06Cell {
  mcc: number
  mnc: number
  lac: number
  /** 3 bytes on the wire. */
  cellId: number
}

export interface Gt06RecordInput {
  /** Sent in whole seconds, UTC. */
  timeMs: number
  /** Decimal degrees; sent in 1/1,800,000 degree steps. */
  latitude: number
  longitude: number
  /** 0-255 (one byte on the wire). */
  speedKmh: number
  course: number
  /** 0-15 (more are sent as 15). */
  satellites: number
  /** GPS positioned (course-word bit 12); true unless said otherwise. */
  valid?: boolean
  ignition?: boolean
  cell?: Gt06Cell
}

/** What the terminal-info / status block says besides ignition. */
export interface Gt06StatusInput {
  ignition?: boolean
  charging?: boolean
  armed?: boolean
  /** Battery voltage level 0-6 (6 by default). */
  voltageLevel?: number
  /** GSM signal 0-4 (4 by default). */
  gsmSignal?: number
}

/** Alarms the encoder can send in a 0x26 alarm packet, named as the decoder reports them. */
export type Gt06Alarm = Extract<
  RecordEvent,
  'sos' | 'powerCut' | 'vibration' | 'lowBattery' | 'tampering' | 'harshBraking' | 'harshAcceleration' | 'harshCornering' | 'accident'
>

/** The alarm code the encoder uses for each alarm (constants.ts ALARM_CODES maps them back). */
export const GT06_ALARM_CODES: Readonly<Record<Gt06Alarm, number>> = {
  sos: 0x01,
  powerCut: 0x02,
  vibration: 0x03,
  lowBattery: 0x0e,
  tampering: 0x13,
  harshBraking: 0x1a,
  harshAcceleration: 0x26,
  harshCornering: 0x1b,
  accident: 0x2c,
}

/** Real devices also raise these in terminal-info bits 3-5. */
const TERMINAL_ALARM_BITS: Partial<Record<Gt06Alarm, number>> = { vibration: 1, powerCut: 2, lowBattery: 3, sos: 4 }

const NO_CELL: Gt06Cell = { mcc: 0, mnc: 0, lac: 0, cellId: 0 }
/** Length byte of the cell block in 0x16/0x26/0x27, counting itself. */
const CELL_BLOCK_LENGTH = 9
/** GPS info length (high nibble of the satellites byte) that GT06 devices send. */
const GPS_INFO_LENGTH = 0x0c

/** A complete message: start bits, length, protocol number, content, serial, CRC-ITU, `0D 0A`. */
export function encodePacket(type: number, content: Uint8Array, serial: number): Buffer {
  const length = LENGTH_OVERHEAD + content.length
  const long = length > 0xff
  const writer = new ByteWriter(content.length + 12)
  if (long) writer.u8(LONG_HEADER).u8(LONG_HEADER).u16(length)
  else writer.u8(SHORT_HEADER).u8(SHORT_HEADER).u8(length)
  const unsigned = writer.u8(type).bytes(content).u16(serial).toBuffer()
  const crc = crcItu(unsigned.subarray(2))
  return Buffer.concat([unsigned, new ByteWriter(CRC_BYTES).u16(crc).toBuffer(), TERMINATOR])
}

/** The serial-number echo: `78 78 05 <type> <serial> <crc> 0D 0A` (login, location, status, alarm...). */
export function encodeServerAck(type: number, serial: number): Buffer {
  return encodePacket(type, new Uint8Array(), serial)
}

/** The server's answer read back, for the simulator: its protocol number and serial, or undefined. */
export function readServerAck(bytes: Buffer): { type: number; serial: number } | undefined {
  const size = 3 + LENGTH_OVERHEAD + TERMINATOR.length
  if (bytes.length !== size || bytes[0] !== SHORT_HEADER || bytes[1] !== SHORT_HEADER || bytes[2] !== LENGTH_OVERHEAD) return undefined
  if (bytes.readUInt16BE(6) !== crcItu(bytes.subarray(2, 6)) || !bytes.subarray(8).equals(TERMINATOR)) return undefined
  return { type: bytes[3]!, serial: bytes.readUInt16BE(4) }
}

/** Reply to a Wi-Fi message (zero length field): `78 78 00 <type> <its 6 BCD time bytes> 0D 0A`, no serial, no CRC. */
export function encodeWifiReply(type: number, time: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(SHORT_HEADER, SHORT_HEADER, 0, type), time, TERMINATOR])
}

/** Reply to a time request (0x8A): the gateway's UTC time, YY MM DD hh mm ss. */
export function encodeTimeReply(now: Date, serial: number): Buffer {
  return encodePacket(MESSAGE.timeRequest, deviceTime(now.getTime()), serial)
}

/** Login: BCD IMEI with a leading zero nibble, then optionally a model id and the time-zone word. */
export function encodeLogin(imei: string, serial: number, options: { modelId?: number; timeZoneOffsetMinutes?: number } = {}): Buffer {
  const writer = new ByteWriter(12).bytes(encodeBcd(`0${imei}`))
  if (options.modelId !== undefined || options.timeZoneOffsetMinutes !== undefined) {
    writer.u16(options.modelId ?? 0)
    if (options.timeZoneOffsetMinutes !== undefined) writer.u16(timeZoneWord(options.timeZoneOffsetMinutes))
  }
  return encodePacket(MESSAGE.login, writer.toBuffer(), serial)
}

/** Minutes east of UTC as the login's time-zone word: decimal hhmm in bits 15-4, bit 3 for west. */
export function timeZoneWord(offsetMinutes: number): number {
  const minutes = Math.abs(offsetMinutes)
  const hhmm = Math.trunc(minutes / 60) * 100 + (minutes % 60)
  return (hhmm << 4) | (offsetMinutes < 0 ? TIME_ZONE_WEST : 0)
}

/** Location as 0x22: GPS, cell, ACC, upload mode (0: timed) and the re-upload flag (history). */
export function encodeLocation(record: Gt06RecordInput, serial: number, options: { reupload?: boolean; uploadMode?: number } = {}): Buffer {
  const writer = new ByteWriter(32)
  writeGps(writer, record)
  writeCell(writer, record.cell ?? NO_CELL)
  writer.u8(record.ignition ? 1 : 0).u8(options.uploadMode ?? 0).u8(options.reupload ? 1 : 0)
  return encodePacket(MESSAGE.gpsCellUpload, writer.toBuffer(), serial)
}

/** Status/heartbeat as 0x13: terminal info, voltage level, GSM signal, no alarm, English. */
export function encodeHeartbeat(status: Gt06StatusInput, serial: number): Buffer {
  const writer = new ByteWriter(5)
  writeStatusBlock(writer, status, 0, 0)
  return encodePacket(MESSAGE.status, writer.toBuffer(), serial)
}

/**
 * Alarm as 0x26: GPS, length-prefixed cell, status block carrying the alarm code (and terminal bits where
 * they exist). Without an alarm (code 0) it reports a status change, e.g. charging again after a power cut.
 */
export function encodeAlarm(record: Gt06RecordInput, alarm: Gt06Alarm | null, serial: number, status: Gt06StatusInput = {}): Buffer {
  const writer = new ByteWriter(40)
  writeGps(writer, record)
  writeCell(writer.u8(CELL_BLOCK_LENGTH), record.cell ?? NO_CELL)
  const terminalBits = alarm === null ? 0 : (TERMINAL_ALARM_BITS[alarm] ?? 0)
  writeStatusBlock(writer, { ignition: record.ignition, ...status }, terminalBits, alarm === null ? 0 : GT06_ALARM_CODES[alarm])
  return encodePacket(MESSAGE.gpsCellStatusAlarm, writer.toBuffer(), serial)
}

function writeGps(writer: ByteWriter, record: Gt06RecordInput): void {
  let word = Math.round(record.course) % 361
  if (record.valid ?? true) word |= COURSE_POSITIONED
  if (record.latitude >= 0) word |= COURSE_NORTH
  if (record.longitude < 0) word |= COURSE_WEST
  writer
    .bytes(deviceTime(record.timeMs))
    .u8((GPS_INFO_LENGTH << 4) | Math.min(record.satellites, 15))
    .u32(Math.round(Math.abs(record.latitude) * COORDINATE_UNITS_PER_DEGREE))
    .u32(Math.round(Math.abs(record.longitude) * COORDINATE_UNITS_PER_DEGREE))
    .u8(Math.round(record.speedKmh))
    .u16(word)
}

function writeCell(writer: ByteWriter, cell: Gt06Cell): void {
  writer.u16(cell.mcc).u8(cell.mnc).u16(cell.lac).u8(cell.cellId >>> 16).u16(cell.cellId & 0xffff)
}

function writeStatusBlock(writer: ByteWriter, status: Gt06StatusInput, terminalAlarm: number, alarmCode: number): void {
  let terminal = terminalAlarm << TERMINAL.alarmShift
  if (status.ignition) terminal |= TERMINAL.acc
  if (status.charging) terminal |= TERMINAL.charging
  if (status.armed) terminal |= TERMINAL.armed
  writer
    .u8(terminal)
    .u8(status.voltageLevel ?? 6)
    .u8(status.gsmSignal ?? 4)
    .u8(alarmCode)
    .u8(LANGUAGE_ENGLISH)
}

/** YY MM DD hh mm ss, UTC, whole seconds. */
function deviceTime(timeMs: number): Buffer {
  const date = new Date(timeMs)
  return new ByteWriter(6)
    .u8(date.getUTCFullYear() - 2000)
    .u8(date.getUTCMonth() + 1)
    .u8(date.getUTCDate())
    .u8(date.getUTCHours())
    .u8(date.getUTCMinutes())
    .u8(date.getUTCSeconds())
    .toBuffer()
}
