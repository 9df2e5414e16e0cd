/**
 * The query-string form (Traccar Client, OsmAnd, GPSLogger...): one location per request, parameters
 * in the target and/or an `application/x-www-form-urlencoded` body (docs/protocols.md, OsmAnd).
 */
import { z } from 'zod'
import type { RawIo } from '../../../core/record.ts'
import { fail } from '../errors.ts'
import { KNOTS_PER_KMH, QUERY_FIELDS } from './constants.ts'
import { alarmEvents, type Fix, within } from './fix.ts'
import { checkIoKey, decimalText, deviceId, failWithIssues, ioValue, timestamp } from './values.ts'

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0'], { error: 'not true, false, 1 or 0' }))
  .transform((text) => text === 'true' || text === '1')

const latitude = decimalText.pipe(z.number().min(-90, 'latitude below -90').max(90, 'latitude above 90'))
const longitude = decimalText.pipe(z.number().min(-180, 'longitude below -180').max(180, 'longitude above 180'))

const locationPair = z.string().transform((text, ctx) => {
  const [lat, lon, ...rest] = text.split(',')
  const parsed = rest.length === 0 ? z.tuple([latitude, longitude]).safeParse([lat, lon]) : undefined
  if (parsed?.success) return parsed.data
  ctx.addIssue({ code: 'custom', message: 'not "latitude,longitude" in decimal degrees' })
  return z.NEVER
})

const querySchema = z.object({
  id: deviceId.optional(),
  deviceid: deviceId.optional(),
  lat: latitude.optional(),
  lon: longitude.optional(),
  location: locationPair.optional(),
  timestamp: timestamp.optional(),
  /** knots */
  speed: decimalText.optional(),
  bearing: decimalText.optional(),
  heading: decimalText.optional(),
  altitude: decimalText.optional(),
  hdop: decimalText.optional(),
  /** percent */
  batt: decimalText.optional(),
  valid: flag.optional(),
  ignition: flag.optional(),
  motion: flag.optional(),
})

const FIELD_NAMES: ReadonlySet<string> = new Set(QUERY_FIELDS)

/**
 * The device id and its one location. Known parameters take their first non-empty value; every other
 * parameter goes to `io` typed (number, boolean or text), a repeated one as its values joined by `;`.
 * An empty value counts as not sent.
 */
export function decodeQuery(params: URLSearchParams): { id: string | undefined; fix: Fix } {
  const known: Record<string, string> = {}
  const others = new Map<string, string[]>()
  for (const [key, value] of params) {
    if (value === '') continue
    if (FIELD_NAMES.has(key)) {
      known[key] ??= value
    } else {
      checkIoKey(key)
      others.set(key, [...(others.get(key) ?? []), value])
    }
  }
  const parsed = querySchema.safeParse(known)
  if (!parsed.success) failWithIssues(parsed.error, ['id', 'deviceid'])
  const query = parsed.data

  let position = query.location
  if (query.lat !== undefined || query.lon !== undefined) {
    if (query.lat === undefined || query.lon === undefined) fail('MALFORMED', 'lat and lon come together')
    position = [query.lat, query.lon]
  }
  const io: RawIo = Object.fromEntries([...others].map(([key, values]) => [key, values.length === 1 ? ioValue(values[0]!) : values.join(';')]))
  const speedKnots = within(query.speed, 0, Infinity)
  const alarm = io.alarm
  return {
    id: query.id ?? query.deviceid,
    fix: {
      timeMs: query.timestamp,
      latitude: position?.[0],
      longitude: position?.[1],
      valid: query.valid,
      speedKmh: speedKnots === undefined ? undefined : speedKnots / KNOTS_PER_KMH,
      course: within(query.bearing ?? query.heading, 0, 360),
      altitude: query.altitude,
      hdop: within(query.hdop, 0, Infinity),
      batteryLevelPct: within(query.batt, 0, 100),
      ignition: query.ignition,
      motion: query.motion,
      events: typeof alarm === 'string' ? alarmEvents(alarm) : [],
      io,
    },
  }
}
