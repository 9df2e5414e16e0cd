/**
 * Readers for the blocks GT06 messages are built from (docs/protocols.md, GT06 blocks): device time,
 * GPS, cell, terminal status, the ACC / upload-mode / re-upload trailer. Each writes what it finds into
 * an Observation; nothing is interpreted twice.
 */
import type { ByteCursor } from '../../lib/cursor.ts'
import type { RawIo, RecordEvent } from '../../../core/record.ts'
import { fail } from '../errors.ts'
import {
  ALARM_CODES,
  CELL_BYTES,
  COORDINATE_UNITS_PER_DEGREE,
  COURSE_ACC,
  COURSE_HAS_ACC,
  COURSE_MASK,
  COURSE_NORTH,
  COURSE_POSITIONED,
  COURSE_WEST,
  MCC_WIDE_MNC,
  TERMINAL,
  TERMINAL_ALARMS,
  VOLTAGE_LEVEL_MAX,
} from './constants.ts'

/** What one message says about the device, before it becomes a DeviceRecord. */
export interface Observation {
  /**
   * The device clock's reading, taken as if it were UTC: the session's clock offset turns it into UTC.
   * Absent when the message carries none (the record then takes the gateway clock).
   */
  deviceClockMs?: number
  /** A time the message gives in UTC (Unix time), used as it is. */
  timeMs?: number
  position?: { latitude: number; longitude: number }
  /** Course-word bit 12: GPS positioned. */
  positioned: boolean
  speedKmh?: number
  course?: number
  satellites?: number
  ignition?: boolean
  batteryLevelPct?: number
  batteryVoltageV?: number
  externalVoltageV?: number
  /** Terminal-info "charging": the vehicle's supply is connected (most messages carry no voltage). */
  externalPowerConnected?: boolean
  odometerKm?: number
  gsmSignal?: number
  buffered: boolean
  events: RecordEvent[]
  io: RawIo
}

export function newObservation(type: number): Observation {
  return { positioned: false, buffered: false, events: [], io: { type } }
}

export function addEvent(observation: Observation, event: RecordEvent | undefined): void {
  if (event !== undefined && !observation.events.includes(event)) observation.events.push(event)
}

/**
 * YY MM DD hh mm ss, binary (not BCD), in the device's own time zone (UTC unless its login gave one);
 * returned as if UTC. A field out of its calendar range is MALFORMED.
 */
export function readDeviceTime(cursor: ByteCursor): number {
  const [year, month, day, hour, minute, second] = cursor.bytes(6)
  const timeMs = Date.UTC(2000 + year!, month! - 1, day!, hour!, minute!, second!)
  const date = new Date(timeMs)
  const exact =
    month! >= 1 && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day && hour! < 24 && minute! < 60 && second! < 60
  if (!exact) fail('MALFORMED', `device time ${[year, month, day, hour, minute, second].join('-')} is not a date`)
  return timeMs
}

/** Which fields a GPS block holds besides time, coordinates and the course word. */
export interface GpsLayout {
  /** A byte whose low nibble is the satellite count, before the coordinates. */
  satellites: boolean
  /** 1-byte speed before the course word (standard), 2-byte speed after it (JC400), or none. */
  speed: 'u8BeforeCourse' | 'u16AfterCourse' | 'none'
}

export const STANDARD_GPS: GpsLayout = { satellites: true, speed: 'u8BeforeCourse' }

export function readGps(cursor: ByteCursor, observation: Observation, layout: GpsLayout = STANDARD_GPS): void {
  observation.deviceClockMs = readDeviceTime(cursor)
  if (layout.satellites) observation.satellites = cursor.u8() & 0x0f
  const latitude = cursor.u32() / COORDINATE_UNITS_PER_DEGREE
  const longitude = cursor.u32() / COORDINATE_UNITS_PER_DEGREE
  if (layout.speed === 'u8BeforeCourse') observation.speedKmh = cursor.u8()
  const word = cursor.u16()
  if (layout.speed === 'u16AfterCourse') observation.speedKmh = cursor.u16()

  const course = word & COURSE_MASK
  if (course > 360) fail('MALFORMED', `course ${course} is not a bearing`)
  if (latitude > 90 || longitude > 180) fail('MALFORMED', `coordinates out of range: ${latitude}, ${longitude}`)
  observation.course = course
  observation.positioned = (word & COURSE_POSITIONED) !== 0
  observation.position = {
    latitude: word & COURSE_NORTH ? latitude : -latitude,
    longitude: word & COURSE_WEST ? -longitude : longitude,
  }
  if (word & COURSE_HAS_ACC) observation.ignition = (word & COURSE_ACC) !== 0
}

/** Size of the cell block starting at `offset`: one more byte when the MCC's top bit announces a 2-byte MNC. */
export function cellBytesAt(content: Buffer, offset: number): number {
  return offset + 2 <= content.length && content.readUInt16BE(offset) & MCC_WIDE_MNC ? CELL_BYTES + 1 : CELL_BYTES
}

/**
 * MCC, MNC, LAC and cell id into `io`, for installers. Clones differ in widths (1 or 2-byte MNC,
 * 3 or 4-byte cell id, a length byte or none), so the block's size decides; a size that fits no
 * layout is skipped rather than misread.
 */
export function readCell(block: Buffer, io: RawIo, { lengthPrefixed = false, wideMnc = false } = {}): void {
  const cell = lengthPrefixed ? block.subarray(1) : block
  if (cell.length < 2) return
  const mcc = cell.readUInt16BE(0)
  const mncBytes = wideMnc || mcc & MCC_WIDE_MNC ? 2 : 1
  const cellIdAt = 2 + mncBytes + 2
  const cellIdBytes = cell.length - cellIdAt
  if (cellIdBytes < 3 || cellIdBytes > 4) return
  io.mcc = mcc & ~MCC_WIDE_MNC
  io.mnc = cell.readUIntBE(2, mncBytes)
  io.lac = cell.readUInt16BE(2 + mncBytes)
  io.cellId = cell.readUIntBE(cellIdAt, cellIdBytes)
}

/** The terminal-info byte: ACC, charging, fuel/relay cut, armed, and an alarm in bits 3-5. */
export function readTerminalInfo(terminal: number, observation: Observation, { alarmBits = true } = {}): void {
  observation.io.status = terminal
  observation.ignition = (terminal & TERMINAL.acc) !== 0
  observation.externalPowerConnected = (terminal & TERMINAL.charging) !== 0
  observation.io.charging = observation.externalPowerConnected
  observation.io.armed = (terminal & TERMINAL.armed) !== 0
  if (!alarmBits) return
  observation.io.blocked = (terminal & TERMINAL.blocked) !== 0
  addEvent(observation, TERMINAL_ALARMS.get((terminal >>> TERMINAL.alarmShift) & TERMINAL.alarmMask))
}

/**
 * Terminal info, voltage level, GSM signal, then (when present) alarm code, language and geofence.
 * A level up to 6 is a sixth of a full battery; SEEWORLD clones send a percentage.
 */
export function readStatusBlock(block: Buffer, observation: Observation): void {
  const [terminal, level, gsm, alarm, language, geofence] = block
  readTerminalInfo(terminal!, observation)
  observation.io.voltageLevel = level!
  if (level! <= VOLTAGE_LEVEL_MAX) observation.batteryLevelPct = Math.trunc((level! * 100) / VOLTAGE_LEVEL_MAX)
  else if (level! <= 100) observation.batteryLevelPct = level!
  observation.gsmSignal = gsm!
  if (alarm !== undefined) {
    observation.io.alarm = alarm
    addEvent(observation, ALARM_CODES.get(alarm))
  }
  if (language !== undefined) observation.io.language = language
  if (geofence !== undefined) observation.io.geofence = geofence
}

/** ACC, data-upload mode and the re-upload flag (0 real time, 1 history) that end 0x22/0x2D/0x37. */
export function readUploadTrailer(cursor: ByteCursor, observation: Observation): void {
  observation.ignition = cursor.u8() > 0
  observation.io.uploadMode = cursor.u8()
  const reupload = cursor.u8()
  observation.io.reupload = reupload
  observation.buffered = reupload > 0
}

/** An unsigned big-endian value while it is exact, else `x:<hex>` like the other protocols' raw bytes. */
export function rawValue(bytes: Buffer): number | string {
  return bytes.length > 0 && bytes.length <= 6 ? bytes.readUIntBE(0, bytes.length) : `x:${bytes.toString('hex')}`
}
