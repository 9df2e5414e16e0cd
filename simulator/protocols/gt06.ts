/**
 * Concox GT06 family over TCP (docs/protocols.md, GT06). The device logs in (0x01) and waits for the
 * login echo; then each record is one 0x22 location packet (GPS, cell, ACC, upload mode, re-upload
 * flag: set on history recorded without coverage), or, when it reports an event, one 0x26 alarm packet
 * (power cut, SOS, harsh braking/acceleration/cornering; 0x26 has no re-upload flag, so an alarm
 * recorded without coverage arrives unflagged and only its age can tell it is history). Fleetwire's
 * gateway answers each of them with the serial-number echo once stored, as Traccar does, and that echo
 * is what the simulated device waits for. (Many real GT06 models do not wait for an answer to a
 * location packet and only notice a dead connection by their heartbeat going unanswered; the simulator
 * is stricter so that delivery can be checked.) GT06 has no refusal reply: the gateway closes the
 * connection of a device it does not admit.
 */
import { COORDINATE_UNITS_PER_DEGREE, MESSAGE, VOLTAGE_LEVEL_MAX } from '../../gateway/protocols/gt06/constants.ts'
import {
  type Gt06Alarm,
  type Gt06RecordInput,
  type Gt06StatusInput,
  encodeAlarm,
  encodeLocation,
  encodeLogin,
  readServerAck,
} from '../../gateway/protocols/gt06/encode.ts'
import { frame } from '../../gateway/protocols/gt06/frame.ts'
import { gt06 } from '../../gateway/protocols/gt06/index.ts'
import { type SimEventType, type SimRecord, batteryPercent, truncateTime } from '../record.ts'
import { ReplyReader, framedReplies, unexpectedKey } from './replies.ts'
import type { SimConnection, SimProtocolFamily } from './types.ts'

/** Events with an alarm code of their own; power restore has none and goes as a status packet with the charging bit. */
const ALARMS: readonly (SimEventType & Gt06Alarm)[] = ['powerCut', 'sos', 'harshBraking', 'harshAcceleration', 'harshCornering']
const isAlarm = (event: SimEventType): event is SimEventType & Gt06Alarm => (ALARMS as readonly SimEventType[]).includes(event)
/** GT06 GSM signal strength is 0-4. */
const GSM_MAX = 4
/** The satellite count shares a byte with the GPS info length. */
const SATELLITES_MAX = 15

const toGt06Degrees = (deg: number) => Math.round(deg * COORDINATE_UNITS_PER_DEGREE) / COORDINATE_UNITS_PER_DEGREE

export const gt06Sim: SimProtocolFamily = {
  name: 'gt06',
  transports: ['tcp'],
  defaultPort: gt06.defaultPort,
  fixTimeResolutionMs: 1000,
  reportsIgnition: true, // the ACC bit of every location packet
  events: [...ALARMS, 'powerRestored'],
  create: () => ({
    name: 'gt06',
    transport: 'tcp',
    quantize: (r) => ({
      ...r,
      timeMs: truncateTime(r.timeMs, 1000),
      latitude: toGt06Degrees(r.latitude),
      longitude: toGt06Degrees(r.longitude),
      satellites: Math.min(r.satellites, SATELLITES_MAX),
    }),
    connect: gt06Connection,
  }),
}

export function toGt06Record(r: SimRecord): Gt06RecordInput {
  return {
    timeMs: r.timeMs,
    latitude: r.latitude,
    longitude: r.longitude,
    speedKmh: r.speedKmh,
    course: r.course,
    satellites: r.satellites,
    ignition: r.ignition,
  }
}

/** The status block of an alarm packet: battery as a level 0-6, GSM 0-4, charging while the supply is on. */
export function toGt06Status(r: SimRecord): Gt06StatusInput {
  return {
    ignition: r.ignition,
    charging: r.externalVoltageMv > 0,
    voltageLevel: Math.round((batteryPercent(r.batteryVoltageMv) / 100) * VOLTAGE_LEVEL_MAX),
    gsmSignal: Math.min(r.gsmLevel, GSM_MAX),
  }
}

function gt06Connection(imei: string): SimConnection {
  let serial = 0
  const next = () => (serial = (serial % 0xffff) + 1)
  const reader = new ReplyReader(
    framedReplies(frame, (bytes) => {
      const ack = readServerAck(bytes)
      return ack ? ackKey(ack.type, ack.serial) : unexpectedKey(bytes)
    }),
  )
  return {
    hello: () => {
      const s = next()
      return { payload: encodeLogin(imei, s), records: 0, ack: ackKey(MESSAGE.login, s) }
    },
    encode: (batch) =>
      batch.map(({ record, history }) => {
        const s = next()
        const event = record.event
        if (event === undefined) {
          return {
            payload: encodeLocation(toGt06Record(record), s, { reupload: history }),
            records: 1,
            ack: ackKey(MESSAGE.gpsCellUpload, s),
          }
        }
        // Power back shows as the charging bit of a status packet without an alarm.
        if (event !== 'powerRestored' && !isAlarm(event)) throw new Error(`GT06 cannot report the ${event} event`)
        return {
          payload: encodeAlarm(toGt06Record(record), event === 'powerRestored' ? null : event, s, toGt06Status(record)),
          records: 1,
          ack: ackKey(MESSAGE.gpsCellStatusAlarm, s),
        }
      }),
    read: (chunk) => reader.read(chunk),
  }
}

const ackKey = (type: number, serial: number) => `gt06:${type.toString(16).padStart(2, '0')}:${serial}`
