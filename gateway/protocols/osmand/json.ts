/**
 * The JSON form (Transistorsoft background-geolocation, docs/protocols.md): `{ "location": {...} |
 * [{...}, ...], "device_id": "..." }`, a bare array of locations, or one location at the root. Several
 * locations (the app's offline queue, `batchSync`) are several records of one device.
 */
import { z } from 'zod'
import type { RawIo } from '../../../core/record.ts'
import { fail } from '../errors.ts'
import { KMH_PER_MPS } from './constants.ts'
import { alarmEvents, type Fix, within } from './fix.ts'
import { checkIoKey, deviceId, failWithIssues, timestamp } from './values.ts'

const ID_KEYS = ['device_id', 'id', 'deviceid'] as const
const idValue = z.union([z.string(), z.number().int().nonnegative()]).transform(String).pipe(deviceId)
const optionalNumber = z.number().nullish()

const ids = {
  device_id: idValue.optional(),
  id: idValue.optional(),
  deviceid: idValue.optional(),
}

const locationSchema = z.object({
  coords: z
    .object({
      latitude: z.number().min(-90, 'latitude below -90').max(90, 'latitude above 90'),
      longitude: z.number().min(-180, 'longitude below -180').max(180, 'longitude above 180'),
      /** metres */
      accuracy: optionalNumber,
      /** m/s, negative when unknown */
      speed: optionalNumber,
      /** degrees, negative when unknown */
      heading: optionalNumber,
      /** metres */
      altitude: optionalNumber,
    })
    .nullish(),
  timestamp: z.union([z.string(), z.number()]).transform(String).pipe(timestamp).nullish(),
  is_moving: z.boolean().nullish(),
  /** metres */
  odometer: z.number().min(0).nullish(),
  event: z.string().max(256).nullish(),
  uuid: z.string().max(256).nullish(),
  mock: z.boolean().nullish(),
  /** level 0..1, negative when unknown */
  battery: z.object({ level: optionalNumber, is_charging: z.boolean().nullish() }).nullish(),
  activity: z.object({ type: z.string().max(256).nullish(), confidence: optionalNumber }).nullish(),
  extras: z.record(z.string(), z.unknown()).nullish(),
})
type Location = z.infer<typeof locationSchema>

const locationsSchema = z.array(locationSchema).min(1, 'no locations')
const wrapperSchema = z.object({ location: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]), ...ids })
const rootLocationSchema = z.object({ ...locationSchema.shape, ...ids })

/** The device id (from the root, every location's extras, or `fallbackId` from the request target) and the fixes. */
export function decodeJson(body: Buffer, fallbackId: string | undefined): { id: string | undefined; fixes: Fix[] } {
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch (error) {
    fail('MALFORMED', `the body is not JSON: ${(error as Error).message}`)
  }
  const { locations, rootId } = readBody(json)

  // Without their times, the locations of a batch would all take the arrival time and collapse into one.
  if (locations.length > 1 && locations.some((location) => location.timestamp == null)) {
    fail('MALFORMED', 'every location of a batch needs its timestamp')
  }
  const locationIds = locations.map((location) => extrasId(location) ?? rootId ?? fallbackId)
  const id = locationIds[0]
  if (locationIds.some((other) => other !== id)) fail('MALFORMED', 'every location of one request must come from one device')
  return { id, fixes: locations.map(toFix) }
}

/** Dispatched by shape rather than a zod union, so a bad field is named in the reason. */
function readBody(json: unknown): { locations: Location[]; rootId: string | undefined } {
  if (Array.isArray(json)) return { locations: check(locationsSchema, json), rootId: undefined }
  if (typeof json !== 'object' || json === null) fail('MALFORMED', 'the body is neither a JSON object nor an array')
  if ('location' in json) {
    const wrapper = check(wrapperSchema, json)
    const locations = Array.isArray(wrapper.location)
      ? check(locationsSchema, wrapper.location, 'location')
      : [check(locationSchema, wrapper.location, 'location')]
    return { locations, rootId: wrapper.device_id ?? wrapper.id ?? wrapper.deviceid }
  }
  const root = check(rootLocationSchema, json)
  return { locations: [root], rootId: root.device_id ?? root.id ?? root.deviceid }
}

function check<T extends z.ZodType>(schema: T, value: unknown, ...prefix: string[]): z.infer<T> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) issue.path.unshift(...prefix)
  failWithIssues(parsed.error, ID_KEYS)
}

function extrasId(location: Location): string | undefined {
  for (const key of ID_KEYS) {
    const value = location.extras?.[key]
    if (value === undefined || value === null) continue
    return check(idValue, value, 'extras', key)
  }
  return undefined
}

function toFix(location: Location): Fix {
  const { coords, battery, activity } = location
  const extras = extrasIo(location.extras ?? {})
  const speedMps = within(coords?.speed ?? undefined, 0, Infinity)
  const level = within(battery?.level ?? undefined, 0, 1)
  const alarm = extras.alarm
  const io: RawIo = Object.fromEntries(
    Object.entries({
      ...extras,
      accuracy: coords?.accuracy,
      charge: battery?.is_charging,
      event: location.event,
      activity: activity?.type,
      activityConfidence: activity?.confidence,
      mock: location.mock,
      uuid: location.uuid,
    }).filter((entry): entry is [string, RawIo[string]] => entry[1] !== undefined && entry[1] !== null),
  )
  return {
    timeMs: location.timestamp ?? undefined,
    latitude: coords?.latitude,
    longitude: coords?.longitude,
    speedKmh: speedMps === undefined ? undefined : speedMps * KMH_PER_MPS,
    course: within(coords?.heading ?? undefined, 0, 360),
    altitude: coords?.altitude ?? undefined,
    batteryLevelPct: level === undefined ? undefined : level * 100,
    motion: location.is_moving ?? undefined,
    odometerKm: location.odometer == null ? undefined : location.odometer / 1000,
    events: typeof alarm === 'string' ? alarmEvents(alarm) : [],
    io,
  }
}

/** `extras` as io: strings, finite numbers and booleans as they are, nested values as JSON text; the device id is identity, not io. */
function extrasIo(extras: Record<string, unknown>): RawIo {
  const entries: [string, RawIo[string]][] = []
  for (const [key, value] of Object.entries(extras)) {
    if ((ID_KEYS as readonly string[]).includes(key) || value === null || value === undefined) continue
    checkIoKey(key)
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      entries.push([key, value])
    } else {
      entries.push([key, nestedJson(key, value)])
    }
  }
  return Object.fromEntries(entries)
}

function nestedJson(key: string, value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch {
    fail('MALFORMED', `extras.${key} is nested too deeply`)
  }
}
