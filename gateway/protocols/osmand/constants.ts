/** OsmAnd / Traccar Client wire constants (docs/protocols.md, OsmAnd). */
import { RECORD_EVENTS, type RecordEvent } from '../../../core/record.ts'

/**
 * A device id: what phone apps let their user type (Traccar Client, OsmAnd, GPSLogger, Transistorsoft
 * background-geolocation), not only 15-digit IMEIs. The same pattern bounds `:imei` in the dashboard
 * API (dashboard/server/api.ts), so every id we store can be asked for.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/
export const DEVICE_ID_RULE = 'an id is 1-64 letters, digits, ".", "_" or "-"'

/** Query-form speed is in knots (Traccar's default for `osmand.speed`); km/h = knots / this. */
export const KNOTS_PER_KMH = 0.539957
/** JSON-form (Transistorsoft) speed is in m/s. */
export const KMH_PER_MPS = 3.6
/**
 * Converted speeds are rounded once to this many decimals of km/h: finer than any phone's GPS, and the
 * plain quotient would store 15 km/h sent as knots as 15.000000x.
 */
export const SPEED_DECIMALS = 2

/** A numeric `timestamp` at or above this is milliseconds, below it seconds (Traccar's rule, 2^31 - 1). */
export const MILLISECONDS_FROM = 2 ** 31 - 1
/** Fix times we can store and print as ISO 8601 with a four-digit year. */
export const EARLIEST_FIX_MS = 0
export const LATEST_FIX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/** Query parameters that become record fields; every other parameter is kept in `io`. */
export const QUERY_FIELDS = [
  'id',
  'deviceid',
  'lat',
  'lon',
  'location',
  'timestamp',
  'speed',
  'bearing',
  'heading',
  'altitude',
  'hdop',
  'batt',
  'valid',
  'ignition',
  'motion',
] as const

/** Names an io key may have: device-chosen parameter names, bounded. */
export const IO_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/

/** `alarm=` values and the events they raise: every event name of ours, and Traccar's alarm names where they differ. */
export const ALARM_EVENTS: ReadonlyMap<string, RecordEvent> = new Map<string, RecordEvent>([
  ...RECORD_EVENTS.map((event) => [event, event] as const),
  ['hardBraking', 'harshBraking'],
  ['hardAcceleration', 'harshAcceleration'],
  ['hardCornering', 'harshCornering'],
  ['tow', 'towing'],
])

export const HTTP_STATUS = {
  ok: 200,
  badRequest: 400,
  methodNotAllowed: 405,
  unsupportedMediaType: 415,
} as const
