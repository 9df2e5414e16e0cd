/**
 * Queclink @Track sentences as a GV300-family device sends them (for the simulator and tests) and
 * the server's +SACK replies. One layout per report, the one `decode` reads for protocol version
 * 06xxxx (GV300); each sentence ends with `$`.
 */
import { HARSH_NIBBLE, SIMULATED_PROTOCOL_VERSION } from './constants.ts'
import { formatCompactTime } from './sentence.ts'

export type QueclinkReportKind = 'GTFRI' | 'GTIGN' | 'GTIGF' | 'GTMPN' | 'GTMPF' | 'GTHBM' | 'GTSOS'
export type HarshBehaviour = keyof typeof HARSH_NIBBLE

export interface QueclinkRecordInput {
  /** Fix time; sent in whole seconds. */
  timeMs: number
  /** Decimal degrees; sent with 6 decimals. */
  latitude: number
  longitude: number
  /** km/h with one decimal. */
  speedKmh: number
  /** Whole degrees. */
  course: number
  /** Metres with one decimal. */
  altitude: number
  /** GNSS accuracy, a whole number (default 1; 0 means "last known fix"). */
  hdop?: number
  /** The device state at send time: only the last record of a sentence carries these (GTFRI: all; GTIGN/GTIGF: odometer, hours; GTHBM/GTSOS: odometer). */
  externalVoltageV?: number
  batteryLevelPct?: number
  odometerKm?: number
  engineHoursH?: number
  /** GTFRI device status; the ignition reports say it by their type. */
  ignition?: boolean
}

export interface ReportOptions {
  /** 0..0xFFFF; the device counts its sentences and the +SACK echoes the count. */
  countNumber: number
  /** `+BUFF` instead of `+RESP`: history replayed after a coverage gap. */
  buffered?: boolean
  /** When the sentence is sent (default: the last record's fix time). History is sent later than its fixes. */
  sendTimeMs?: number
  protocolVersion?: string
  deviceName?: string
  /** GTHBM only: which harsh behaviour. */
  harsh?: HarshBehaviour
}

/** GTHBM report type: high nibble speed band (1: medium), low nibble the behaviour. */
const HARSH_SPEED_BAND = 0x10
/** GTFRI report type of a scheduled (fixed-interval) report, as GV300 devices send it. */
const FRI_REPORT_TYPE = '10'
const SOS_REPORT_TYPE = '00'

/** One report sentence. GTFRI carries one location block per record; the other kinds exactly one record. */
export function encodeReport(kind: QueclinkReportKind, imei: string, records: QueclinkRecordInput[], options: ReportOptions): Buffer {
  if (records.length === 0 || records.length > 15) throw new RangeError(`a report carries 1 to 15 positions, got ${records.length}`)
  if (kind !== 'GTFRI' && records.length !== 1) throw new RangeError(`${kind} carries exactly one position`)
  if (kind === 'GTHBM' && options.harsh === undefined) throw new RangeError('GTHBM needs options.harsh')
  const last = records.at(-1)!
  const name = options.deviceName ?? ''
  const blocks = records.flatMap(locationBlock)
  const mileage = optional(last.odometerKm, (km) => km.toFixed(1))
  const body = ((): string[] => {
    switch (kind) {
      case 'GTFRI':
        return [
          name,
          optional(last.externalVoltageV, (volts) => String(Math.round(volts * 1000))),
          FRI_REPORT_TYPE,
          String(records.length),
          ...blocks,
          mileage,
          optional(last.engineHoursH, formatHourMeter),
          '', // analog input 1
          '', // analog input 2
          optional(last.batteryLevelPct, (percent) => String(Math.round(percent))),
          deviceStatus(last),
          '',
          '',
          '',
        ]
      case 'GTIGN':
      case 'GTIGF':
        // name, duration of the previous ignition state (not simulated), block, hour meter, mileage
        return [name, '', ...blocks, optional(last.engineHoursH, formatHourMeter), mileage]
      case 'GTMPN':
      case 'GTMPF':
        return [name, ...blocks]
      case 'GTHBM':
        return [name, '', hex2(HARSH_SPEED_BAND | HARSH_NIBBLE[options.harsh!]), '1', ...blocks, mileage]
      case 'GTSOS':
        return [name, '', SOS_REPORT_TYPE, '1', ...blocks, mileage]
    }
  })()
  const header = options.buffered ? '+BUFF' : '+RESP'
  const fields = [`${header}:${kind}`, options.protocolVersion ?? SIMULATED_PROTOCOL_VERSION, imei, ...body]
  fields.push(formatCompactTime(options.sendTimeMs ?? last.timeMs), formatCountNumber(options.countNumber))
  return Buffer.from(`${fields.join(',')}$`, 'latin1')
}

/** The heartbeat a device sends when it has nothing to report (`+ACK:GTHBD`); without a send time that field stays empty. */
export function encodeHeartbeat(
  imei: string,
  countNumber: number,
  options: { protocolVersion?: string; sendTimeMs?: number; deviceName?: string } = {},
): Buffer {
  const version = options.protocolVersion ?? SIMULATED_PROTOCOL_VERSION
  const sendTime = optional(options.sendTimeMs, formatCompactTime)
  const fields = ['+ACK:GTHBD', version, imei, options.deviceName ?? '', sendTime, formatCountNumber(countNumber)]
  return Buffer.from(`${fields.join(',')}$`, 'latin1')
}

/** The server's acknowledgement of a report: `+SACK:<count number>$`. A string is echoed as the device sent it. */
export function encodeSack(countNumber: number | string): Buffer {
  return Buffer.from(`+SACK:${wireCountNumber(countNumber)}$`, 'latin1')
}

/** The server's answer to a heartbeat: `+SACK:GTHBD,<protocol version>,<count number>$`. */
export function encodeHeartbeatSack(protocolVersion: string, countNumber: number | string): Buffer {
  return Buffer.from(`+SACK:GTHBD,${protocolVersion},${wireCountNumber(countNumber)}$`, 'latin1')
}

/** 4 uppercase hex digits. */
export function formatCountNumber(countNumber: number): string {
  if (!Number.isInteger(countNumber) || countNumber < 0 || countNumber > 0xffff) {
    throw new RangeError(`a count number is 0..0xFFFF, got ${countNumber}`)
  }
  return countNumber.toString(16).toUpperCase().padStart(4, '0')
}

function wireCountNumber(countNumber: number | string): string {
  if (typeof countNumber === 'number') return formatCountNumber(countNumber)
  if (!/^[0-9A-Fa-f]{4}$/.test(countNumber)) throw new RangeError(`a count number is 4 hex digits, got ${JSON.stringify(countNumber)}`)
  return countNumber
}

/** accuracy, speed, azimuth, altitude, longitude, latitude, GNSS time, MCC, MNC, LAC, cell id, reserved. */
function locationBlock(record: QueclinkRecordInput): string[] {
  if (Math.abs(record.latitude) > 90 || Math.abs(record.longitude) > 180) {
    throw new RangeError(`coordinates out of range: ${record.latitude}, ${record.longitude}`)
  }
  if (record.speedKmh < 0 || record.speedKmh >= 1000) throw new RangeError(`speed ${record.speedKmh} km/h does not fit the field`)
  return [
    String(Math.round(record.hdop ?? 1)),
    record.speedKmh.toFixed(1),
    String(((Math.round(record.course) % 360) + 360) % 360),
    record.altitude.toFixed(1),
    record.longitude.toFixed(6),
    record.latitude.toFixed(6),
    formatCompactTime(record.timeMs),
    '',
    '',
    '',
    '',
    '00',
  ]
}

/**
 * Motion state (STATE_CODES) then digital inputs and outputs (none). Without an ignition reading the
 * device reports its motion sensor alone (0x41 rest, 0x42 motion).
 */
function deviceStatus(record: QueclinkRecordInput): string {
  const moving = record.speedKmh > 0 ? 2 : 1
  const ignition = record.ignition === undefined ? 0x40 : record.ignition ? 0x20 : 0x10
  return `${hex2(ignition | moving)}0000`
}

function formatHourMeter(hours: number): string {
  const seconds = Math.round(hours * 3600)
  const pad = (value: number, width: number) => String(value).padStart(width, '0')
  return `${pad(Math.floor(seconds / 3600), 5)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`
}

function optional<T>(value: T | undefined, format: (value: T) => string): string {
  return value === undefined ? '' : format(value)
}

function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0')
}
