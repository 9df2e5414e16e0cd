import { describe, expect, it } from 'vitest'
import { expectValidRecord } from '../../../test/helpers/expect-valid-record.ts'
import { loadVectors } from '../../../test/helpers/vectors.ts'
import { createRandom, intBetween, pick, randomBytes, type Random } from '../../../simulator/random.ts'
import { decodeMessages, parseRequest } from '../../decode-cli.ts'
import { type DeviceRecord, RECORD_EVENTS } from '../../../core/record.ts'
import type { ProtocolErrorCode } from '../errors.ts'
import type { DecodeContext, HttpDecoded, HttpRequestMessage } from '../types.ts'
import { DEVICE_ID_PATTERN, KNOTS_PER_KMH } from './constants.ts'
import { decodeRequest } from './decode.ts'
import { encodeJsonBody, encodeQueryTarget, JSON_CONTENT_TYPE, type OsmandFixInput } from './encode.ts'
import { osmand } from './index.ts'
import { parseTimestamp } from './timestamp.ts'

const NOW = new Date('2025-07-01T12:00:00.000Z')
const CONTEXT: DecodeContext = { now: NOW, crc: 'strict' }
const EMPTY = Buffer.alloc(0)

const get = (target: string): HttpDecoded => decodeRequest({ method: 'GET', target, contentType: '', body: EMPTY }, CONTEXT)
const post = (body: string | object, contentType = JSON_CONTENT_TYPE, target = '/'): HttpDecoded =>
  decodeRequest({ method: 'POST', target, contentType, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) }, CONTEXT)

/** The one record of a successful request, checked for sanity. */
function recordOf(decoded: HttpDecoded): DeviceRecord {
  expect(decoded.error, decoded.body).toBeUndefined()
  expect(decoded.status).toBe(200)
  expect(decoded.records).toHaveLength(1)
  expectValidRecord(decoded.records[0]!)
  return decoded.records[0]!
}

function expectRefused(decoded: HttpDecoded, status: number, code: ProtocolErrorCode, reason?: RegExp): void {
  expect(decoded.status).toBe(status)
  expect(decoded.records).toEqual([])
  expect(decoded.error?.code).toBe(code)
  expect(decoded.body).toBe(decoded.error?.message)
  if (reason) expect(decoded.body).toMatch(reason)
}

interface OsmandExpect {
  httpStatus: number
  positions: number
  uniqueId?: string
  records?: {
    fixTime?: string
    fixTimeIsServerTime?: boolean
    fixTimeLocal?: string
    latitude: number
    longitude: number
    speedKnots?: number
    speedKmh?: number
    course?: number
    altitude?: number
    hdop?: number
    batteryLevel?: number
    ignition?: boolean
    valid: boolean
    attributes?: Record<string, unknown>
  }[]
}

describe('osmand real vectors (Traccar test messages)', () => {
  const vectors = loadVectors<OsmandExpect>('osmand')

  it('has all eight OsmAnd vectors', () => {
    expect(vectors).toHaveLength(8)
  })

  for (const vector of vectors) {
    it(`${vector.id} decodes to its expected values`, () => {
      const text = vector.text!
      const request: HttpRequestMessage = text.startsWith('/')
        ? { method: vector.httpMethod ?? 'GET', target: text, contentType: vector.contentType ?? '', body: EMPTY }
        : { method: vector.httpMethod ?? 'POST', target: '/', contentType: vector.contentType ?? JSON_CONTENT_TYPE, body: Buffer.from(text) }
      const decoded = osmand.decodeRequest(request, CONTEXT)
      const { expect: expected } = vector
      expect(decoded.status).toBe(expected.httpStatus)
      expect(decoded.records).toHaveLength(expected.positions)
      if (expected.httpStatus !== 200) return expect(decoded.error).toBeDefined()

      expect(decoded.identity).toEqual({ imei: expected.uniqueId })
      for (const [index, want] of (expected.records ?? []).entries()) {
        const record = decoded.records[index]!
        expectValidRecord(record)
        expect(record).toMatchObject({ imei: expected.uniqueId, protocol: 'osmand', buffered: false, valid: want.valid, receivedAt: NOW.toISOString() })
        // A local "yyyy-MM-dd HH:mm:ss" time is taken as UTC; no timestamp at all is the arrival time.
        const fixTime = want.fixTimeIsServerTime ? NOW.toISOString() : (want.fixTime ?? `${want.fixTimeLocal!.replace(' ', 'T')}.000Z`)
        expect(record.fixTime).toBe(fixTime)
        expect(Math.abs(record.latitude! - want.latitude)).toBeLessThanOrEqual(1e-5)
        expect(Math.abs(record.longitude! - want.longitude)).toBeLessThanOrEqual(1e-5)
        if (want.speedKnots !== undefined) {
          const speedKmh = want.speedKmh ?? want.speedKnots / KNOTS_PER_KMH
          expect(Math.abs(record.speedKmh! - speedKmh)).toBeLessThanOrEqual(0.01)
        }
        if (want.course !== undefined) expect(record.course).toBeCloseTo(want.course, 6)
        if (want.altitude !== undefined) expect(record.altitude).toBeCloseTo(want.altitude, 6)
        if (want.hdop !== undefined) expect(record.hdop).toBe(want.hdop)
        if (want.batteryLevel !== undefined) expect(record.batteryLevelPct).toBe(want.batteryLevel)
        if (want.ignition !== undefined) expect(record.ignition).toBe(want.ignition)
        expect(record.io).toEqual(want.attributes ?? {})
      }
    })
  }
})

describe('osmand query form', () => {
  it('converts speed from knots to km/h, rounded once to 0.01 km/h', () => {
    expect(recordOf(get('/?id=7&lat=1&lon=2&speed=40')).speedKmh).toBe(74.08)
    // 15 km/h as an app sends it in knots; the plain quotient is 15.000000x km/h.
    expect(recordOf(get('/?id=7&lat=1&lon=2&speed=8.099355')).speedKmh).toBe(15)
  })

  it('accepts fix times in seconds, milliseconds, fractional seconds and ISO 8601 with a zone', () => {
    const at = (timestamp: string) => recordOf(get(`/?id=7&lat=1&lon=2&timestamp=${encodeURIComponent(timestamp)}`)).fixTime
    expect(at('1751371200')).toBe('2025-07-01T12:00:00.000Z')
    expect(at('1751371200123')).toBe('2025-07-01T12:00:00.123Z')
    expect(at('1751371200.5')).toBe('2025-07-01T12:00:00.500Z')
    expect(at('2025-07-01T12:00:00Z')).toBe('2025-07-01T12:00:00.000Z')
    expect(at('2025-07-01T14:00:00.250+02:00')).toBe('2025-07-01T12:00:00.250Z')
    expect(at('2025-07-01T09:30:00-0230')).toBe('2025-07-01T12:00:00.000Z')
  })

  it('takes a time without a zone ("yyyy-MM-dd HH:mm:ss" or ISO) as UTC', () => {
    expect(recordOf(get('/?id=7&lat=1&lon=2&timestamp=2025-07-01+11%3A59%3A58')).fixTime).toBe('2025-07-01T11:59:58.000Z')
    expect(recordOf(get('/?id=7&lat=1&lon=2&timestamp=2025-07-01T11:59:58')).fixTime).toBe('2025-07-01T11:59:58.000Z')
  })

  it('reads an offset whose "+" arrived unencoded (as a space)', () => {
    expect(recordOf(get('/?id=7&lat=1&lon=2&timestamp=2025-07-01T14:00:00+02:00')).fixTime).toBe('2025-07-01T12:00:00.000Z')
  })

  it('uses the arrival time when the app sends no timestamp', () => {
    expect(recordOf(get('/?id=7&lat=1&lon=2')).fixTime).toBe(NOW.toISOString())
  })

  it('refuses times that are not times, with the reason', () => {
    for (const timestamp of ['yesterday', '2025-02-30 10:00:00', '2025-13-01T00:00:00Z', '2025-07-01T24:00:00Z', '-5', '0x10', '99999999999999999']) {
      expectRefused(get(`/?id=7&lat=1&lon=2&timestamp=${encodeURIComponent(timestamp)}`), 400, 'MALFORMED', /^timestamp: not a time/)
    }
  })

  it('maps bearing or heading, altitude, hdop, battery, validity, ignition and motion onto record fields', () => {
    const record = recordOf(get('/?id=7&lat=1&lon=2&heading=123.5&altitude=-12&hdop=1.2&batt=55.5&valid=false&ignition=1&motion=false'))
    expect(record).toMatchObject({ course: 123.5, altitude: -12, hdop: 1.2, batteryLevelPct: 55.5, valid: false, ignition: true, motion: false })
    expect(record.io).toEqual({})
  })

  it('keeps accuracy, charge and unknown parameters in io, typed: numbers, booleans, text', () => {
    const record = recordOf(get('/?id=7&lat=1&lon=2&accuracy=12.5&charge=true&driverUniqueId=007&iccid=89370012345678901234&note=hello+world&fuel=-3.5'))
    expect(record.io).toEqual({ accuracy: 12.5, charge: true, driverUniqueId: '007', iccid: '89370012345678901234', note: 'hello world', fuel: -3.5 })
  })

  it('keeps a repeated parameter as its values joined by ";" and takes a field from its first value', () => {
    const record = recordOf(get('/?id=7&lat=1&lon=2&lat=3&cell=250,1,100,200&cell=250,1,100,201'))
    expect(record.latitude).toBe(1)
    expect(record.io).toEqual({ cell: '250,1,100,200;250,1,100,201' })
  })

  it('raises events from alarm names (Traccar names or ours) and keeps the raw alarm', () => {
    const record = recordOf(get('/?id=7&lat=1&lon=2&alarm=sos,hardBraking,general'))
    expect(record.events).toEqual(['sos', 'harshBraking'])
    expect(record.io).toEqual({ alarm: 'sos,hardBraking,general' })
  })

  it('reads every event name of ours as an alarm', () => {
    for (const event of RECORD_EVENTS) expect(recordOf(get(`/?id=7&lat=1&lon=2&alarm=${event}`)).events).toEqual([event])
  })

  it('treats negative speed and heading, and out-of-range values, as unknown', () => {
    const record = recordOf(get('/?id=7&lat=1&lon=2&speed=-1&bearing=-1&batt=140&hdop=-1'))
    for (const field of ['speedKmh', 'course', 'batteryLevelPct', 'hdop'] as const) expect(record).not.toHaveProperty(field)
  })

  it('counts an empty parameter as not sent', () => {
    const record = recordOf(get('/?id=7&lat=1&lon=2&speed=&altitude=&note='))
    expect(record).not.toHaveProperty('speedKmh')
    expect(record).not.toHaveProperty('altitude')
    expect(record.io).toEqual({})
  })

  it('reads "location=lat,lon"', () => {
    expect(recordOf(get('/?id=7&location=54.5,-25.25'))).toMatchObject({ latitude: 54.5, longitude: -25.25 })
  })

  it('reads parameters from a form body after those of the target', () => {
    const record = recordOf(post('lat=54.5&lon=25.25&speed=10', 'application/x-www-form-urlencoded', '/path?id=phone-1'))
    expect(record).toMatchObject({ imei: 'phone-1', latitude: 54.5, longitude: 25.25 })
    expect(recordOf(post('id=9&lat=1&lon=2', ''))).toMatchObject({ imei: '9' })
  })

  it('stores a report without coordinates as a record without a position, never valid', () => {
    const record = recordOf(get('/?id=7&batt=80&alarm=sos&valid=true&timestamp=1751371100'))
    expect(record).toMatchObject({ valid: false, batteryLevelPct: 80, events: ['sos'], fixTime: '2025-07-01T11:58:20.000Z' })
    expect(record).not.toHaveProperty('latitude')
    expect(record).not.toHaveProperty('longitude')
  })

  it('refuses half a position and coordinates out of range', () => {
    expectRefused(get('/?id=7&lat=1'), 400, 'MALFORMED', /lat and lon come together/)
    expectRefused(get('/?id=7&lat=90.5&lon=1'), 400, 'MALFORMED', /^lat: latitude above 90$/)
    expectRefused(get('/?id=7&lat=1&lon=-180.1'), 400, 'MALFORMED', /^lon: longitude below -180$/)
    expectRefused(get('/?id=7&location=1'), 400, 'MALFORMED', /^location: /)
  })

  it('refuses numbers that are not plain finite decimals', () => {
    for (const value of ['abc', 'NaN', 'Infinity', '1e999', '0x1F', '1,5', ' ']) {
      expectRefused(get(`/?id=7&lat=1&lon=2&speed=${encodeURIComponent(value)}`), 400, 'MALFORMED', /^speed: /)
    }
  })

  it('accepts the arbitrary ids phones use, from id or deviceid', () => {
    for (const id of ['123456', 'phone-7', 'John.Smith_2', 'a'.repeat(64)]) expect(recordOf(get(`/?id=${id}&lat=1&lon=2`)).imei).toBe(id)
    expect(get('/?deviceid=alias-9&lat=1&lon=2').identity).toEqual({ imei: 'alias-9' })
  })

  it('refuses a request without an id (400) and ids the API could not address (BAD_IMEI)', () => {
    expectRefused(get('/?timestamp=1377177267&lat=60.0&lon=30.0'), 400, 'NOT_IDENTIFIED', /no device id/)
    expectRefused(get('/?id=&lat=60.0&lon=30.0'), 400, 'NOT_IDENTIFIED')
    for (const id of ['a'.repeat(65), 'john smith', 'a/b', 'ä']) {
      expectRefused(get(`/?id=${encodeURIComponent(id)}&lat=1&lon=2`), 400, 'BAD_IMEI', /^id: an id is 1-64/)
    }
  })

  it('refuses parameter names that cannot be io keys', () => {
    expectRefused(get('/?id=7&lat=1&lon=2&a%20b=1'), 400, 'MALFORMED', /parameter name "a b"/)
  })

  it('answers 405 for other methods and 415 for other body types', () => {
    expectRefused(decodeRequest({ method: 'PUT', target: '/?id=7&lat=1&lon=2', contentType: '', body: EMPTY }, CONTEXT), 405, 'UNKNOWN_TYPE')
    expectRefused(post('<xml/>', 'application/xml', '/?id=7&lat=1&lon=2'), 415, 'UNKNOWN_TYPE', /application\/xml/)
  })

  it('reads a request target in absolute form and ignores a fragment', () => {
    expect(recordOf(get('http://gps.example.com:5055/?id=7&lat=1&lon=2#x=1'))).toMatchObject({ imei: '7', io: {} })
  })
})

describe('osmand JSON form (Transistorsoft background-geolocation)', () => {
  const location = {
    timestamp: '2025-07-01T11:59:00.000Z',
    coords: { latitude: 54.6872, longitude: 25.2797, speed: 10, heading: 270, altitude: 112.5, accuracy: 4.8 },
    is_moving: true,
    odometer: 12345.6,
    event: 'motionchange',
    battery: { level: 0.42, is_charging: true },
    activity: { type: 'in_vehicle', confidence: 90 },
    extras: { route: 'R7', stops: 3, nested: { a: [1, 2] } },
    uuid: 'c3f1',
    mock: false,
  }

  it('decodes one location: m/s to km/h, battery 0..1 to percent, odometer metres to km, the rest to io', () => {
    const record = recordOf(post({ location, device_id: 'phone-42' }))
    expect(record).toMatchObject({
      imei: 'phone-42',
      fixTime: '2025-07-01T11:59:00.000Z',
      valid: true,
      latitude: 54.6872,
      longitude: 25.2797,
      speedKmh: 36,
      course: 270,
      altitude: 112.5,
      motion: true,
      batteryLevelPct: 42,
      events: [],
    })
    expect(record.odometerKm).toBeCloseTo(12.3456, 9)
    expect(record.io).toEqual({
      route: 'R7',
      stops: 3,
      nested: '{"a":[1,2]}',
      accuracy: 4.8,
      charge: true,
      event: 'motionchange',
      activity: 'in_vehicle',
      activityConfidence: 90,
      mock: false,
      uuid: 'c3f1',
    })
  })

  it('decodes the uploaded offline queue (a location array) as several records of one device, in order', () => {
    const queue = [0, 1, 2].map((i) => ({ ...location, timestamp: `2025-07-01T10:0${i}:00.000Z`, coords: { ...location.coords, latitude: 54 + i } }))
    const decoded = post({ location: queue, device_id: 'phone-42' })
    expect(decoded.status).toBe(200)
    expect(decoded.identity).toEqual({ imei: 'phone-42' })
    expect(decoded.records.map((record) => [record.fixTime, record.latitude, record.buffered])).toEqual([
      ['2025-07-01T10:00:00.000Z', 54, false],
      ['2025-07-01T10:01:00.000Z', 55, false],
      ['2025-07-01T10:02:00.000Z', 56, false],
    ])
    decoded.records.forEach(expectValidRecord)
  })

  it('accepts a bare array of locations and a location at the root, the id in extras, the root or the target', () => {
    expect(post([{ ...location, extras: { device_id: 'x1' } }]).identity).toEqual({ imei: 'x1' })
    expect(post({ ...location, id: 'x2' }).identity).toEqual({ imei: 'x2' })
    expect(post({ location }, JSON_CONTENT_TYPE, '/?id=x3').identity).toEqual({ imei: 'x3' })
    expect(post({ location, device_id: 123456 }).identity).toEqual({ imei: '123456' })
    expect(post({ location }, 'application/json; charset=utf-8', '/?deviceid=x4').identity).toEqual({ imei: 'x4' })
  })

  it('rounds speed converted from m/s once to 0.01 km/h', () => {
    const record = recordOf(post({ location: { ...location, coords: { ...location.coords, speed: 4.1666 } }, device_id: 'p' }))
    expect(record.speedKmh).toBe(15)
  })

  it('treats speed, heading and battery level of -1 as unknown', () => {
    const record = recordOf(post({ location: { ...location, coords: { ...location.coords, speed: -1, heading: -1 }, battery: { level: -1 } }, device_id: 'p' }))
    for (const field of ['speedKmh', 'course', 'batteryLevelPct'] as const) expect(record).not.toHaveProperty(field)
  })

  it('raises events from extras.alarm', () => {
    expect(recordOf(post({ location: { ...location, extras: { alarm: 'sos' } }, device_id: 'p' })).events).toEqual(['sos'])
  })

  it('refuses a body that is not JSON, or has no locations, naming the bad field', () => {
    expectRefused(post('{"location":'), 400, 'MALFORMED', /^the body is not JSON/)
    expectRefused(post('42'), 400, 'MALFORMED', /neither a JSON object nor an array/)
    expectRefused(post({ location: [], device_id: 'p' }), 400, 'MALFORMED', /^location: no locations/)
    expectRefused(post({ location: { ...location, coords: { latitude: '54', longitude: 25 } }, device_id: 'p' }), 400, 'MALFORMED', /^location\.coords\.latitude: /)
    expectRefused(post({ location: [location, { ...location, coords: { latitude: 95, longitude: 1 } }], device_id: 'p' }), 400, 'MALFORMED', /^location\.1\.coords\.latitude: latitude above 90/)
  })

  it('refuses locations of several devices in one request, a batch without timestamps, and a missing or bad id', () => {
    const tagged = (id: string) => ({ ...location, extras: { device_id: id } })
    expectRefused(post({ location: [tagged('a'), tagged('b')] }), 400, 'MALFORMED', /one device/)
    const untimed = { ...location, timestamp: undefined }
    expectRefused(post({ location: [untimed, untimed], device_id: 'p' }), 400, 'MALFORMED', /needs its timestamp/)
    expectRefused(post({ location }), 400, 'NOT_IDENTIFIED')
    expectRefused(post({ location, device_id: 'no spaces please' }), 400, 'BAD_IMEI', /^device_id: /)
    expectRefused(post({ location: { ...location, extras: { id: 'a/b' } } }), 400, 'BAD_IMEI', /^extras\.id: /)
  })

  it('uses the arrival time for a single location without a timestamp', () => {
    expect(recordOf(post({ location: { coords: { latitude: 1, longitude: 2 } }, device_id: 'p' })).fixTime).toBe(NOW.toISOString())
  })
})

describe('osmand encoders (simulator requests) round trip through the decoder', () => {
  const fix: OsmandFixInput = {
    timeMs: Date.parse('2025-07-01T11:00:00.000Z'),
    latitude: 54.6872,
    longitude: 25.2797,
    speedKmh: 54.3,
    course: 181,
    altitude: 120,
    accuracyM: 5,
    batteryLevelPct: 77,
    charging: false,
    moving: true,
    odometerM: 4200,
    attributes: { shift: 'A' },
  }

  it('query form', () => {
    const record = recordOf(get(encodeQueryTarget('phone-1', fix)))
    expect(record).toMatchObject({ imei: 'phone-1', fixTime: '2025-07-01T11:00:00.000Z', latitude: 54.6872, longitude: 25.2797, course: 181, altitude: 120, batteryLevelPct: 77, motion: true })
    expect(record.speedKmh).toBe(54.3)
    expect(record.io).toEqual({ accuracy: 5, charge: false, shift: 'A' })
  })

  it('JSON form, one location and a queue', () => {
    const one = recordOf(post(encodeJsonBody('phone-1', [fix])))
    expect(one).toMatchObject({ fixTime: '2025-07-01T11:00:00.000Z', latitude: 54.6872, course: 181, batteryLevelPct: 77, odometerKm: 4.2, motion: true })
    expect(one.speedKmh).toBe(54.3)
    const queue = post(encodeJsonBody('phone-1', [fix, { ...fix, timeMs: fix.timeMs + 1000 }]))
    expect(queue.records.map((record) => record.fixTime)).toEqual(['2025-07-01T11:00:00.000Z', '2025-07-01T11:00:01.000Z'])
  })
})

describe('osmand timestamps', () => {
  it('takes integers from 2^31 - 1 on as milliseconds, below as seconds', () => {
    expect(parseTimestamp('2147483646')).toBe(2147483646000)
    expect(parseTimestamp('2147483647')).toBe(2147483647)
  })

  it('refuses times outside years 1970-9999', () => {
    expect(parseTimestamp('1969-12-31T23:59:59Z')).toBeUndefined()
    expect(parseTimestamp('9999999999999999')).toBeUndefined()
    expect(parseTimestamp('1970-01-01T00:00:00Z')).toBe(0)
  })
})

describe('decode command over HTTP', () => {
  const cli = (...texts: string[]) => {
    const parsed = parseRequest(['--protocol', 'osmand', '--transport', 'http', ...texts.flatMap((text) => ['--text', text])])
    if (!('request' in parsed)) throw new Error(parsed.problem)
    return decodeMessages(parsed.request, () => NOW)
  }

  it('prints the records, then the response, for a request target and for a JSON body', () => {
    const outputs = cli('/?id=123456&lat=60&lon=30&timestamp=1377177267', JSON.stringify({ location: { coords: { latitude: 1, longitude: 2 } }, device_id: 'p' }))
    expect(outputs.map((output) => output.type)).toEqual(['record', 'response', 'record', 'response'])
    expect(outputs[0]).toMatchObject({ type: 'record', imei: '123456', fixTime: '2013-08-22T13:14:27.000Z', latitude: 60 })
    expect(outputs[1]).toEqual({ type: 'response', status: 200, body: '' })
    expect(outputs[2]).toMatchObject({ type: 'record', imei: 'p', latitude: 1 })
  })

  it('prints the 400 response and the error for bad input', () => {
    expect(cli('/?lat=1&lon=2')).toEqual([
      { type: 'response', status: 400, body: 'no device id: send id (or deviceid, device_id)' },
      { type: 'error', code: 'NOT_IDENTIFIED', message: 'no device id: send id (or deviceid, device_id)' },
    ])
  })

  it('refuses OsmAnd over TCP', () => {
    expect(parseRequest(['--protocol', 'osmand', '--transport', 'tcp', '--text', '/?id=1'])).toHaveProperty('problem')
  })
})

describe('osmand seeded fuzzing: random requests never throw and always answer consistently', () => {
  const KEYS = ['id', 'deviceid', 'lat', 'lon', 'location', 'timestamp', 'speed', 'bearing', 'heading', 'altitude', 'accuracy', 'hdop', 'batt', 'charge', 'valid', 'ignition', 'motion', 'alarm', 'cell', 'rpm', '__proto__', 'constructor', 'a b', '']
  const JSON_KEYS = ['location', 'device_id', 'id', 'coords', 'latitude', 'longitude', 'speed', 'heading', 'timestamp', 'battery', 'level', 'extras', 'is_moving', 'odometer', '__proto__', 'activity']

  const noise = (random: Random): string => String.fromCharCode(...Array.from({ length: intBetween(random, 0, 12) }, () => intBetween(random, 0, 0x2ff)))
  const value = (random: Random): string =>
    pick(random, [
      () => String(intBetween(random, -1e6, 1e6) / intBetween(random, 1, 1000)),
      () => String(intBetween(random, 0, 2 ** 31) * pick(random, [1, 1000, 1e6])),
      () => new Date(intBetween(random, -1e13, 1e14)).toISOString().replace(pick(random, ['T', 'Z', '.']), pick(random, [' ', '', '+'])),
      () => pick(random, ['true', 'false', '1', '0', '', 'NaN', '-Infinity', '1e309', '%', '%zz', '60,30', ',', '-0']),
      () => noise(random),
    ])()
  const query = (random: Random): string =>
    Array.from({ length: intBetween(random, 0, 12) }, () => `${encodeURIComponent(pick(random, KEYS))}=${random() < 0.8 ? encodeURIComponent(value(random)) : value(random)}`).join('&')
  const jsonValue = (random: Random, depth: number): unknown => {
    const kind = intBetween(random, 0, depth > 3 ? 4 : 6)
    if (kind === 0) return intBetween(random, -1e6, 1e6) / intBetween(random, 1, 100)
    if (kind === 1) return value(random)
    if (kind === 2) return pick(random, [true, false, null, -1, 0, 1, 1e300])
    if (kind === 3) return intBetween(random, 0, 2 ** 31) * 1000
    if (kind === 4) return noise(random)
    if (kind === 5) return Array.from({ length: intBetween(random, 0, 3) }, () => jsonValue(random, depth + 1))
    return Object.fromEntries(Array.from({ length: intBetween(random, 0, 6) }, () => [pick(random, JSON_KEYS), jsonValue(random, depth + 1)]))
  }
  const validLocation = (random: Random) => ({
    timestamp: new Date(Date.UTC(2025, 0, 1) + intBetween(random, 0, 1e10)).toISOString(),
    coords: {
      latitude: intBetween(random, -90e5, 90e5) / 1e5,
      longitude: intBetween(random, -180e5, 180e5) / 1e5,
      speed: random() < 0.9 ? intBetween(random, -1, 60) : jsonValue(random, 4),
      heading: random() < 0.9 ? intBetween(random, -1, 400) : jsonValue(random, 4),
    },
    battery: { level: random() < 0.9 ? intBetween(random, -100, 150) / 100 : jsonValue(random, 4) },
    extras: random() < 0.9 ? Object.fromEntries([[pick(random, JSON_KEYS), jsonValue(random, 2)]]) : jsonValue(random, 2),
  })
  const mutate = (random: Random, bytes: Buffer): Buffer => {
    const copy = Buffer.from(bytes)
    for (let n = intBetween(random, 0, 4); n > 0 && copy.length > 0; n--) copy[intBetween(random, 0, copy.length - 1)] = intBetween(random, 0, 255)
    return copy.subarray(0, random() < 0.2 ? intBetween(random, 0, copy.length) : copy.length)
  }

  function expectConsistent(decoded: HttpDecoded): void {
    expect([200, 400, 405, 415]).toContain(decoded.status)
    if (decoded.status !== 200) {
      expect(decoded.error).toBeDefined()
      expect(decoded.records).toEqual([])
      expect(decoded.body).toBe(decoded.error!.message)
      return
    }
    expect(decoded.error).toBeUndefined()
    expect(decoded.records.length).toBeGreaterThan(0)
    for (const record of decoded.records) {
      expect(record.imei).toBe(decoded.identity!.imei)
      expect(record.imei).toMatch(DEVICE_ID_PATTERN)
      expect(JSON.parse(JSON.stringify(record))).toEqual(record)
      expect(new Date(record.fixTime).toISOString()).toBe(record.fixTime)
      if (record.latitude === undefined) expect(record.valid).toBe(false)
      else expect(Math.abs(record.latitude) <= 90 && Math.abs(record.longitude!) <= 180).toBe(true)
      for (const [key, field] of Object.entries(record)) if (typeof field === 'number') expect(Number.isFinite(field), key).toBe(true)
      if (record.course !== undefined) expect(record.course >= 0 && record.course <= 360).toBe(true)
      if (record.speedKmh !== undefined) expect(record.speedKmh).toBeGreaterThanOrEqual(0)
      if (record.batteryLevelPct !== undefined) expect(record.batteryLevelPct >= 0 && record.batteryLevelPct <= 100).toBe(true)
      expect(Object.getPrototypeOf(record.io)).toBe(Object.prototype)
    }
  }

  it('3,000 random query strings (GET targets and form bodies)', () => {
    const random = createRandom(5055)
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      const text = (random() < 0.5 ? 'id=p1&lat=1&lon=2&' : '') + query(random)
      const decoded = random() < 0.5 ? get(`/?${text}`) : post(text, pick(random, ['', 'application/x-www-form-urlencoded', 'text/plain; charset=utf-8']))
      expectConsistent(decoded)
      if (decoded.status === 200) accepted++
    }
    expect(accepted, 'some random requests are good ones').toBeGreaterThan(100)
  })

  it('3,000 random JSON bodies, structured and mutated', () => {
    const random = createRandom(20250701)
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      const shape = intBetween(random, 0, 3)
      const body =
        shape === 0 ? jsonValue(random, 0)
        : shape === 1 ? { location: validLocation(random), device_id: pick(random, ['p1', 'p 1', 7, '', null]) }
        : { location: Array.from({ length: intBetween(random, 0, 4) }, () => validLocation(random)), [pick(random, ['device_id', 'id', 'x'])]: 'p2' }
      const bytes = Buffer.from(JSON.stringify(body) ?? 'null')
      const decoded = decodeRequest({ method: 'POST', target: '/', contentType: JSON_CONTENT_TYPE, body: random() < 0.3 ? mutate(random, bytes) : bytes }, CONTEXT)
      expectConsistent(decoded)
      if (decoded.status === 200) accepted++
    }
    expect(accepted, 'some random bodies are good ones').toBeGreaterThan(100)
  })

  it('a deeply nested body is refused or decoded, never a stack overflow', () => {
    const deep = '['.repeat(60_000) + ']'.repeat(60_000)
    expectConsistent(post(deep))
    const deepExtras = `{"device_id":"p","location":{"coords":{"latitude":1,"longitude":2},"extras":{"x":${'['.repeat(30_000)}${']'.repeat(30_000)}}}}`
    expectConsistent(post(deepExtras))
  })
})
