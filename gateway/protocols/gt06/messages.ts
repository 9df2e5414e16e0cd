/**
 * What each GT06 protocol number carries and what the server answers (docs/protocols.md, GT06), one
 * entry per type. A message yields an observation when it reports a fix, device state (ignition, power,
 * battery, signal) or an event; pure cell/Wi-Fi observations and command answers yield none.
 */
import { readBcdDigits } from '../../lib/bcd.ts'
import { ByteCursor } from '../../lib/cursor.ts'
import { fail } from '../errors.ts'
import type { DecodeContext } from '../types.ts'
import {
  addEvent,
  cellBytesAt,
  type GpsLayout,
  newObservation,
  type Observation,
  rawValue,
  readCell,
  readDeviceTime,
  readGps,
  readStatusBlock,
  readTerminalInfo,
  readUploadTrailer,
} from './blocks.ts'
import {
  CELL_BYTES,
  DASHCAM_EVENTS,
  DASHCAM_JC400_MARKER,
  DASHCAM_SHORT_BYTES,
  DASHCAM_SOS,
  MESSAGE,
  MODULE,
  STATUS_BLOCK_BYTES,
  STATUS_ITEM,
} from './constants.ts'
import type { Envelope } from './envelope.ts'
import { encodeServerAck, encodeTimeReply, encodeWifiReply } from './encode.ts'

export interface Handled {
  observation?: Observation
  reply?: Buffer
}

type Handler = (envelope: Envelope, context: DecodeContext) => Handled
/**
 * Reads the content (through `cursor`, or by looking ahead in `content`) into a fresh observation;
 * returns false when the layout is one we do not know.
 */
type Reader = (cursor: ByteCursor, observation: Observation, content: Buffer) => boolean | void

/** The usual case: an observation, answered with the serial-number echo. */
function observed(read: Reader): Handler {
  return (envelope) => {
    const observation = newObservation(envelope.type)
    const known = read(new ByteCursor(envelope.content), observation, envelope.content) !== false
    return { observation: known ? observation : undefined, reply: serialEcho(envelope) }
  }
}

function serialEcho(envelope: Envelope): Buffer {
  return encodeServerAck(envelope.type, serialOf(envelope))
}

/** 0x12: GPS, then the cell, then optionally a 4-byte odometer in metres. */
const readGpsCell: Reader = (cursor, observation, content) => {
  readGps(cursor, observation)
  if (cursor.remaining < CELL_BYTES) return
  readCell(cursor.bytes(cellBytesAt(content, cursor.offset)), observation.io)
  if (cursor.remaining === 4) readOdometerMetres(cursor.u32(), observation)
}

/** 0x11: GPS, then MCC (2), MNC (2), LAC (2), cell id (4). */
const readGpsWideCell: Reader = (cursor, observation) => {
  readGps(cursor, observation)
  readCell(cursor.bytes(Math.min(cursor.remaining, 10)), observation.io, { wideMnc: true })
}

/** 0x22 / 0x2D: GPS, cell, ACC, upload mode, re-upload flag. */
const readGpsCellUpload: Reader = (cursor, observation, content) => {
  readGps(cursor, observation)
  readCell(cursor.bytes(cellBytesAt(content, cursor.offset)), observation.io)
  if (cursor.remaining >= 3) readUploadTrailer(cursor, observation)
}

/** 0x37: as 0x22, then modules (2-byte id, 1-byte length, value) to the end. */
const readGpsCellUploadModules: Reader = (cursor, observation, content) => {
  readGpsCellUpload(cursor, observation, content)
  while (cursor.remaining >= 3) {
    const id = cursor.u16()
    const value = cursor.bytes(cursor.u8())
    observation.io[`module${hex(id, 4)}`] = rawValue(value)
    if (id === MODULE.odometer && value.length === 4) readOdometerMetres(value.readUInt32BE(0), observation)
    if (id === MODULE.power && value.length === 2) observation.externalVoltageV = value.readUInt16BE(0) / 100
  }
}

/**
 * 0x16 / 0x26 / 0x27: GPS, cell, status block (+ geofence for 0x27). Clones send the cell with or
 * without its length byte and with a 3 or 4-byte cell id (SEEWORLD), so when 8-10 bytes lie between
 * the GPS and the status block, the status block is the last thing in the message. Otherwise the
 * standard 9-byte cell is assumed, and what follows the status block is read when it is the
 * ACC / upload-mode / re-upload trailer (with an odometer).
 */
function readGpsCellStatus(statusBytes: number): Reader {
  return (cursor, observation) => {
    readGps(cursor, observation)
    const between = cursor.remaining - statusBytes
    if (between < CELL_BYTES) fail('TRUNCATED', `${cursor.remaining} byte(s) cannot hold a cell and a status block`)
    const cellBytes = between <= CELL_BYTES + 2 ? between : CELL_BYTES + 1
    readCell(cursor.bytes(cellBytes), observation.io, { lengthPrefixed: cellBytes > CELL_BYTES })
    readStatusBlock(cursor.bytes(statusBytes), observation)
    const trailer = cursor.remaining
    if (trailer === 3 || trailer === 7) readUploadTrailer(cursor, observation)
    if (trailer === 7) readOdometerMetres(cursor.u32(), observation)
  }
}

/** 0x19: cell then status block, no GPS. Longer "multi-cell" variants (SPACE10X) carry no state we know how to read. */
const readCellStatus: Reader = (cursor, observation) => {
  const cellBytes = cursor.remaining - STATUS_BLOCK_BYTES
  if (cellBytes !== CELL_BYTES && cellBytes !== CELL_BYTES + 1) return false
  readCell(cursor.bytes(cellBytes), observation.io)
  readStatusBlock(cursor.bytes(STATUS_BLOCK_BYTES), observation)
}

/** 0x13: terminal info, voltage level, GSM signal, [alarm, language]. Other sizes are model-specific layouts. */
const readStatus: Reader = (cursor, observation) => {
  if (cursor.remaining < 3 || cursor.remaining > STATUS_BLOCK_BYTES) return false
  readStatusBlock(cursor.bytes(cursor.remaining), observation)
}

/** 0x23 (GK310): terminal info (armed, ACC, charging), battery voltage /100, GSM signal, language. */
const readHeartbeat: Reader = (cursor, observation) => {
  readTerminalInfo(cursor.u8(), observation, { alarmBits: false })
  if (cursor.remaining >= 2) observation.batteryVoltageV = cursor.u16() / 100
  if (cursor.remaining >= 1) observation.gsmSignal = cursor.u8()
}

const DASHCAM_GPS: GpsLayout = { satellites: false, speed: 'none' }
const JC400_GPS: GpsLayout = { satellites: true, speed: 'u16AfterCourse' }

/**
 * 0x95 (JC100/JC400 dashcams): short form = device time and event code; long form = GPS without
 * satellites or speed, event code, video file names; JC400 form = marker FFFF, version, GPS with
 * satellites and a 2-byte speed after the course word, power /10 V, event code, file names.
 */
const readDashcamAlarm: Reader = (cursor, observation, content) => {
  const short = content.length <= DASHCAM_SHORT_BYTES
  if (short) observation.deviceClockMs = readDeviceTime(cursor)
  else if (content.readUInt16BE(0) === DASHCAM_JC400_MARKER) {
    cursor.skip(3)
    readGps(cursor, observation, JC400_GPS)
    observation.externalVoltageV = cursor.u16() / 10
  } else readGps(cursor, observation, DASHCAM_GPS)
  const event = cursor.u8()
  observation.io.event = event
  addEvent(observation, event === DASHCAM_SOS && !short ? 'sos' : DASHCAM_EVENTS.get(event))
}

/** 0xF1: Unix time (4), then items (2-byte id, 1-byte length, value); item 0x0005 is external power /100 V. */
const readExtendedStatus: Reader = (cursor, observation) => {
  observation.timeMs = cursor.u32() * 1000
  while (cursor.remaining >= 3) {
    const id = cursor.u16()
    const value = cursor.bytes(cursor.u8())
    observation.io[`item${hex(id, 4)}`] = rawValue(value)
    if (id === STATUS_ITEM.externalPower && value.length === 2) observation.externalVoltageV = value.readUInt16BE(0) / 100
  }
}

/** 0x17 / 0x69: BCD time, Wi-Fi access points and cells; answered with the time, nothing stored. */
const wifi: Handler = (envelope) => {
  const time = new ByteCursor(envelope.content).bytes(6)
  if (readBcdDigits(time) === undefined) fail('MALFORMED', `Wi-Fi message time ${time.toString('hex')} is not BCD`)
  return { reply: encodeWifiReply(envelope.type, time) }
}

export const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [MESSAGE.gps, observed((cursor, observation) => readGps(cursor, observation))],
  [MESSAGE.gpsCellWide, observed(readGpsWideCell)],
  [MESSAGE.gpsCell, observed(readGpsCell)],
  [MESSAGE.gpsCellUpload, observed(readGpsCellUpload)],
  [MESSAGE.gpsCellUploadAlt, observed(readGpsCellUpload)],
  [MESSAGE.gpsCellUploadModules, observed(readGpsCellUploadModules)],
  [MESSAGE.gpsCellStatus, observed(readGpsCellStatus(STATUS_BLOCK_BYTES))],
  [MESSAGE.gpsCellStatusAlarm, observed(readGpsCellStatus(STATUS_BLOCK_BYTES))],
  [MESSAGE.gpsCellStatusFence, observed(readGpsCellStatus(STATUS_BLOCK_BYTES + 1))],
  [MESSAGE.cellStatus, observed(readCellStatus)],
  [MESSAGE.status, observed(readStatus)],
  [MESSAGE.heartbeat, observed(readHeartbeat)],
  [MESSAGE.dashcamAlarm, observed(readDashcamAlarm)],
  [MESSAGE.extendedStatus, observed(readExtendedStatus)],
  [MESSAGE.wifi, wifi],
  [MESSAGE.wifiAlt, wifi],
  [MESSAGE.timeRequest, (envelope, context) => ({ reply: encodeTimeReply(context.now, serialOf(envelope)) })],
  [MESSAGE.commandReply, (envelope) => ({ reply: serialEcho(envelope) })],
  // Answers the device does not wait for (Traccar sends none either).
  [MESSAGE.commandReplyLong, () => ({})],
  [MESSAGE.information, () => ({})],
])

/** Protocol numbers that may come with a zero length field and no serial or CRC. */
export const VARIABLE_LENGTH_TYPES: ReadonlySet<number> = new Set([MESSAGE.wifi, MESSAGE.wifiAlt])

function serialOf(envelope: Envelope): number {
  return envelope.serial ?? fail('MALFORMED', `type 0x${hex(envelope.type)} needs a serial number and CRC`)
}

function readOdometerMetres(metres: number, observation: Observation): void {
  observation.io.odometer = metres
  observation.odometerKm = metres / 1000
}

export function hex(value: number, digits = 2): string {
  return value.toString(16).padStart(digits, '0')
}
