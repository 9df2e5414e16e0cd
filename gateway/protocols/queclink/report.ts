/**
 * Reads a report's location blocks and the values around them, by layout (constants.ts). Where a
 * model's layout is not known, the first pair of coordinates anchors the block (as Traccar's
 * `decodeBasic` does), and values after the blocks are told apart by their form. A field that does
 * not have the form its place calls for is left out, never guessed.
 */
import { fail } from '../errors.ts'
import {
  APPEND_MASK,
  BLOCK,
  BLOCK_FIELDS,
  COORDINATE_PATTERN,
  GENERIC_LAYOUT,
  MODEL_QUIRKS,
  type ReportLayout,
  REPORT_LAYOUTS,
  STATE_CODES,
} from './constants.ts'
import { FIRST_BODY_FIELD, parseCompactTime, type Sentence } from './sentence.ts'

export interface LocationBlock {
  /** Present only when longitude, latitude and fix time all are. */
  fix?: { latitude: number; longitude: number; timeMs: number }
  /** GNSS accuracy (HDOP; 0 when the device had no fix and repeats its last one). */
  hdop?: number
  speedKmh?: number
  course?: number
  altitude?: number
  satellites?: number
  odometerKm?: number
  cell: { mcc?: number; mnc?: number; lac?: number; cellId?: number; csq?: number }
}

/** What one report says, before it becomes records. */
export interface WireReport {
  blocks: LocationBlock[]
  /** The layout was known (`REPORT_LAYOUTS`), not read generically. */
  known: boolean
  /** As sent: GTHBM's is two hex digits (speed band, behaviour). */
  reportType?: string
  externalVoltageV?: number
  batteryVoltageV?: number
  batteryLevelPct?: number
  odometerKm?: number
  engineHoursH?: number
  state?: { ignition?: boolean; motion: boolean }
  deviceStatus?: string
  fuel?: number
}


const DECIMAL = /^\d{1,7}(?:\.\d{1,6})?$/
const SIGNED_DECIMAL = /^-?\d{1,7}(?:\.\d{1,6})?$/
const ODOMETER = /^\d{1,9}\.\d{1,3}$/
const HOUR_METER = /^(\d{1,7}):([0-5]\d):([0-5]\d)$/
const SMALL_HEX = /^[0-9A-Fa-f]{1,2}$/
const DEVICE_STATUS = /^[0-9A-Fa-f]{6}$/
const PERCENT = /^\d{1,3}$/

export function readReport(sentence: Sentence): WireReport {
  const { type, fields, end } = sentence
  const known = type in REPORT_LAYOUTS
  const layout: ReportLayout = REPORT_LAYOUTS[type] ?? GENERIC_LAYOUT
  const quirks = MODEL_QUIRKS[sentence.protocolVersion.slice(0, 2).toUpperCase()]
  const report: WireReport = { blocks: [], known }
  if (layout.blocks === 'none') return report

  const expected = FIRST_BODY_FIELD + layout.header + (quirks?.extraHeader?.[type] ?? 0)
  const start = known ? firstBlock(fields, expected, end) : anchor(fields, end)
  if (start === undefined) return report

  const count = layout.blocks === 'counted' ? blockCount(fields[start - 1], type) : 1
  let index = start
  for (let block = 0; block < count; block++) {
    if (index + BLOCK_FIELDS > end) fail('TRUNCATED', `${type} ends inside location block ${block + 1} of ${count}`)
    const read = readBlock(fields, index, end, quirks?.blockExtraIsSignal === true)
    report.blocks.push(read.block)
    index = read.next
  }
  if (!known) return report
  const trailer = fields.slice(index, end)
  readHeader(report, type, fields, start, isVehicleTrailer(layout, trailer))
  readTrailer(report, layout, trailer, fields[FIRST_BODY_FIELD + 1])
  return report
}

/** GV-family (vehicle) GTFRI trailers run from mileage to reserved fields; GL-family ones hold one or two values. */
function isVehicleTrailer(layout: ReportLayout, trailer: string[]): boolean {
  return layout.trailer === 'eri' || (layout.trailer === 'fri' && trailer.length >= 3)
}

/** Where the first block starts: where the layout says, unless the coordinates are clearly elsewhere. */
function firstBlock(fields: string[], expected: number, end: number): number {
  const longitude = expected + BLOCK.longitude
  if (isCoordinatePair(fields, longitude)) return expected
  const found = anchor(fields, end)
  if (found === undefined) return expected
  // No fix in the first block while a later block of the same report has one.
  if (fields[longitude] === '' && fields[longitude + 1] === '' && found > expected) return expected
  return found
}

/** Start of the block holding the first pair of coordinates; a block starts after the device name at the earliest. */
function anchor(fields: string[], end: number): number | undefined {
  for (let longitude = FIRST_BODY_FIELD + 1 + BLOCK.longitude; longitude + 1 < end; longitude++) {
    if (isCoordinatePair(fields, longitude)) return longitude - BLOCK.longitude
  }
  return undefined
}

function isCoordinatePair(fields: string[], longitude: number): boolean {
  return COORDINATE_PATTERN.test(fields[longitude] ?? '') && COORDINATE_PATTERN.test(fields[longitude + 1] ?? '')
}

function blockCount(field: string | undefined, type: string): number {
  if (field === undefined || !/^[1-9]\d?$/.test(field)) fail('MALFORMED', `${type} number of positions must be 1 to 99, got ${JSON.stringify(field)}`)
  return Number(field)
}

function readBlock(fields: string[], start: number, end: number, extraIsSignal: boolean): { block: LocationBlock; next: number } {
  const field = (offset: number): string => fields[start + offset]!
  const block: LocationBlock = {
    hdop: decimal(field(BLOCK.accuracy)),
    speedKmh: decimal(field(BLOCK.speed)),
    course: course(field(BLOCK.course)),
    altitude: signedDecimal(field(BLOCK.altitude)),
    cell: {
      mcc: integer(field(BLOCK.mcc)),
      mnc: integer(field(BLOCK.mnc)),
      lac: hexInteger(field(BLOCK.lac)),
      cellId: hexInteger(field(BLOCK.cellId)),
    },
  }
  const fix = readFix(field(BLOCK.longitude), field(BLOCK.latitude), field(BLOCK.time))
  if (fix) block.fix = fix

  let next = start + BLOCK_FIELDS
  const extra = field(BLOCK.extra)
  if (extraIsSignal) block.cell.csq = integer(extra)
  else if (ODOMETER.test(extra)) block.odometerKm = Number(extra)
  else if (/^[0-9A-Fa-f]{2}$/.test(extra)) {
    // Position append mask: each set bit announces one more field.
    const mask = Number.parseInt(extra, 16)
    const announced = [APPEND_MASK.satellites, APPEND_MASK.triggerType, APPEND_MASK.jammingState].filter((bit) => mask & bit).length
    if (next + announced > end) fail('TRUNCATED', `the append mask ${extra} announces ${announced} field(s) the report does not have`)
    if (mask & APPEND_MASK.satellites) block.satellites = integer(fields[next]!)
    next += announced
  }
  return { block, next }
}

function readFix(longitudeField: string, latitudeField: string, timeField: string): LocationBlock['fix'] {
  if (!COORDINATE_PATTERN.test(longitudeField) || !COORDINATE_PATTERN.test(latitudeField)) return undefined
  const longitude = Number(longitudeField)
  const latitude = Number(latitudeField)
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) fail('MALFORMED', `coordinates out of range: ${latitudeField}, ${longitudeField}`)
  const timeMs = parseCompactTime(timeField)
  return timeMs === undefined ? undefined : { latitude, longitude, timeMs }
}

/**
 * Values in the header fields before the first block. The field after the device name of a GTFRI is
 * the external power (mV) on vehicle trackers and a report id on GL-family devices, told apart by the
 * trailer: Traccar instead takes values above 10 as millivolts, which would hide a real 0 V reading.
 */
function readHeader(report: WireReport, type: string, fields: string[], start: number, vehicle: boolean): void {
  const afterName = fields[FIRST_BODY_FIELD + 1] ?? ''
  const { header, trailer } = REPORT_LAYOUTS[type]!
  // Layouts with a number of positions have the report type just before it.
  if (header >= 4) {
    const reportType = fields[start - 2] ?? ''
    if (SMALL_HEX.test(reportType)) report.reportType = reportType
  }
  if (trailer === 'fri' && vehicle) report.externalVoltageV = millivoltsAsVolts(afterName)
  if (trailer === 'eri') report.externalVoltageV = millivoltsAsVolts(fields[FIRST_BODY_FIELD + 2] ?? '')
  if (type === 'GTBPL') report.batteryVoltageV = decimal(afterName)
  if (type === 'GTSTT') report.state = STATE_CODES.get(smallHex(afterName) ?? -1)
}

function millivoltsAsVolts(field: string): number | undefined {
  const millivolts = integer(field)
  return millivolts === undefined ? undefined : millivolts / 1000
}

/** Values between the last block and the send time. `eriMask` is the field after the device name. */
function readTrailer(report: WireReport, layout: ReportLayout, trailer: string[], eriMask: string | undefined): void {
  switch (layout.trailer) {
    case 'fri':
      // GL200/GL300 family: only the battery percentage; GT501: signal, battery; GV family: see below.
      if (trailer.length === 1) report.batteryLevelPct = percent(trailer[0]!)
      else if (trailer.length === 2) report.batteryLevelPct = percent(trailer[1]!)
      else readVehicleTrailer(report, trailer)
      return
    case 'eri': {
      const status = readVehicleTrailer(report, trailer)
      const mask = /^[0-9A-Fa-f]{1,8}$/.test(eriMask ?? '') ? Number.parseInt(eriMask!, 16) : 0
      // ERI mask bit 0: a fuel sensor reading (hex) follows the status and one reserved field.
      if (status !== undefined && mask & 1) report.fuel = hexInteger(trailer[status + 2] ?? '')
      return
    }
    case 'ignition':
      report.engineHoursH = hours(trailer[0] ?? '')
      report.odometerKm = odometer(trailer[1] ?? '')
      return
    case 'mileage':
      report.odometerKm = odometer(trailer[0] ?? '')
      return
  }
}

/**
 * GV family: mileage (km), hour meter, analog inputs (2 or 3 by model), backup battery percentage,
 * device status (6 hex digits), then reserved fields. The status is found by its form, the battery
 * just before it. Returns the index of the status.
 */
function readVehicleTrailer(report: WireReport, trailer: string[]): number | undefined {
  report.odometerKm = odometer(trailer[0] ?? '')
  report.engineHoursH = hours(trailer[1] ?? '')
  const status = trailer.findIndex((field, index) => index >= 2 && DEVICE_STATUS.test(field))
  if (status < 0) return undefined
  report.deviceStatus = trailer[status]!
  report.state = STATE_CODES.get(Number.parseInt(trailer[status]!.slice(0, 2), 16))
  if (status >= 3) report.batteryLevelPct = percent(trailer[status - 1]!)
  return status
}

function decimal(field: string): number | undefined {
  return DECIMAL.test(field) ? Number(field) : undefined
}

function signedDecimal(field: string): number | undefined {
  return SIGNED_DECIMAL.test(field) ? Number(field) : undefined
}

function course(field: string): number | undefined {
  const value = decimal(field)
  return value !== undefined && value <= 360 ? value : undefined
}

function integer(field: string): number | undefined {
  return /^\d{1,9}$/.test(field) ? Number(field) : undefined
}

function hexInteger(field: string): number | undefined {
  return /^[0-9A-Fa-f]{1,12}$/.test(field) ? Number.parseInt(field, 16) : undefined
}

function smallHex(field: string): number | undefined {
  return SMALL_HEX.test(field) ? Number.parseInt(field, 16) : undefined
}

function percent(field: string): number | undefined {
  const value = PERCENT.test(field) ? Number(field) : undefined
  return value !== undefined && value <= 100 ? value : undefined
}

/** Mileage is always written with a decimal point (km); a bare number there is some other field. */
function odometer(field: string): number | undefined {
  return ODOMETER.test(field) ? Number(field) : undefined
}

/** `HHHHH:MM:SS` as hours. */
function hours(field: string): number | undefined {
  const match = HOUR_METER.exec(field)
  if (!match) return undefined
  return Number(match[1]) + Number(match[2]) / 60 + Number(match[3]) / 3600
}
