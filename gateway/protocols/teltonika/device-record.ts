/** Turns a Teltonika wire record into a DeviceRecord: units converted once, events named (docs/protocols.md, Teltonika IO ids). */
import { omitUndefined } from '../../lib/omit-undefined.ts'
import type { DeviceRecord, RecordEvent } from '../../../core/record.ts'
import type { WireIo, WireRecord } from './avl-data.ts'
import { GREEN_DRIVING, IO } from './constants.ts'

const GREEN_DRIVING_EVENTS: ReadonlyMap<number, RecordEvent> = new Map<number, RecordEvent>([
  [GREEN_DRIVING.acceleration, 'harshAcceleration'],
  [GREEN_DRIVING.braking, 'harshBraking'],
  [GREEN_DRIVING.cornering, 'harshCornering'],
])

/** `receivedAt`: the gateway clock, ISO 8601. */
export function toDeviceRecord(wire: WireRecord, imei: string, receivedAt: string): DeviceRecord {
  const { io } = wire
  return omitUndefined<DeviceRecord>({
    imei,
    protocol: 'teltonika',
    fixTime: new Date(wire.timeMs).toISOString(),
    receivedAt,
    // Whether a record is history is decided by the processor: Teltonika does not mark it.
    buffered: false,
    valid: wire.position !== undefined && wire.satellites !== 0,
    latitude: wire.position?.latitude,
    longitude: wire.position?.longitude,
    speedKmh: wire.speedKmh,
    course: wire.course,
    altitude: wire.altitude,
    satellites: wire.satellites,
    ignition: flag(io[IO.ignition]),
    motion: flag(io[IO.movement]),
    externalVoltageV: thousandths(io[IO.externalVoltageMv]),
    batteryVoltageV: thousandths(io[IO.batteryVoltageMv]),
    odometerKm: thousandths(io[IO.totalOdometerM]),
    gsmSignal: numeric(io[IO.gsmSignal]),
    harshForceG: greenDrivingForceG(io),
    events: eventsOf(wire),
    io,
  })
}

/** Device events, independent of the device model (unlike Traccar, which gates some on FMB models). */
function eventsOf({ io, eventIoId }: WireRecord): RecordEvent[] {
  const events: RecordEvent[] = []
  const greenDriving = GREEN_DRIVING_EVENTS.get(numeric(io[IO.greenDrivingType]) ?? 0)
  if (greenDriving) events.push(greenDriving)
  if (io[IO.unplug] === 1) events.push('powerCut')
  else if (io[IO.unplug] === 0 && eventIoId === IO.unplug) events.push('powerRestored')
  if (positive(io, IO.crash)) events.push('accident')
  if (positive(io, IO.towing)) events.push('towing')
  if (io[IO.jamming] === 1) events.push('jamming')
  const ignition = flag(io[IO.ignition])
  if (eventIoId === IO.ignition && ignition !== undefined) events.push(ignition ? 'ignitionOn' : 'ignitionOff')
  return events
}

/** Green driving's force for acceleration and braking (io254 is g x 100); its cornering value is an angle, not a force. */
function greenDrivingForceG(io: WireIo): number | undefined {
  const kind = numeric(io[IO.greenDrivingType])
  const value = numeric(io[IO.greenDrivingValue])
  if (value === undefined || value <= 0) return undefined
  return kind === GREEN_DRIVING.acceleration || kind === GREEN_DRIVING.braking ? value / 100 : undefined
}

function numeric(value: WireIo[string] | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined
}

function flag(value: WireIo[string] | undefined): boolean | undefined {
  return typeof value === 'number' ? value !== 0 : undefined
}

function thousandths(value: WireIo[string] | undefined): number | undefined {
  return typeof value === 'number' ? value / 1000 : undefined
}

function positive(io: WireIo, id: number): boolean {
  return (numeric(io[id]) ?? 0) > 0
}
