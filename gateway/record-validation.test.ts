import { describe, expect, it } from 'vitest'
import { makeRecord } from '../test/helpers/records.ts'
import { osmand } from './protocols/osmand/index.ts'
import { encodeQueryTarget } from './protocols/osmand/encode.ts'
import { teltonika } from './protocols/teltonika/index.ts'
import { encodeAvlPacket } from './protocols/teltonika/encode.ts'
import type { DeviceRecord } from '../core/record.ts'
import { recordProblem, type RecordRejection } from './record-validation.ts'

const NOW = Date.parse('2026-03-01T12:00:00.000Z')
const LIMITS = { maxFutureFixMs: 24 * 60 * 60_000 }
const good = (overrides: Partial<DeviceRecord> = {}) => makeRecord({ fixTime: '2026-03-01T11:59:00.000Z', receivedAt: '2026-03-01T12:00:00.000Z', ...overrides })

describe('record validation at the decoder boundary', () => {
  it('passes a plausible record of every field', () => {
    const record = good({
      altitude: 120, hdop: 0.9, motion: true, externalVoltageV: 12.6, batteryVoltageV: 4.1, batteryLevelPct: 87,
      odometerKm: 123_456.7, engineHoursH: 4321.5, gsmSignal: 4, events: ['harshBraking'], io: { 239: 1, 'x:1': 'x:00ff', note: '' },
    })
    expect(recordProblem(record, NOW, LIMITS)).toBeUndefined()
  })

  it.each<[string, Partial<DeviceRecord>, RecordRejection, string]>([
    ['a fix after year 9999', { fixTime: '+010000-01-01T00:00:00.000Z' }, 'FIX_TIME_OUT_OF_RANGE', 'fixTime'],
    ['a fix more than MAX_FUTURE_FIX ahead', { fixTime: '2026-03-02T12:00:00.001Z' }, 'FIX_TIME_OUT_OF_RANGE', 'fixTime'],
    ['a fix before 2000 (an unset clock)', { fixTime: '1999-12-31T23:59:59.999Z' }, 'FIX_TIME_OUT_OF_RANGE', 'fixTime'],
    ['a fix time that is not a time', { fixTime: 'yesterday' }, 'FIX_TIME_OUT_OF_RANGE', 'fixTime'],
    ['an arrival time that is not a time', { receivedAt: '' }, 'BAD_RECEIVED_AT', 'receivedAt'],
    ['a latitude past the pole', { latitude: 90.5 }, 'BAD_COORDINATES', 'latitude'],
    ['a longitude that is not a number', { longitude: Number.NaN }, 'BAD_COORDINATES', 'longitude'],
    ['a latitude without a longitude', { longitude: undefined }, 'BAD_COORDINATES', 'longitude'],
    ['a speed of 3,000 km/h', { speedKmh: 3000 }, 'BAD_NUMBER', 'speedKmh'],
    ['a negative speed', { speedKmh: -1 }, 'BAD_NUMBER', 'speedKmh'],
    ['a course past 360', { course: 361 }, 'BAD_NUMBER', 'course'],
    ['an infinite altitude', { altitude: Number.POSITIVE_INFINITY }, 'BAD_NUMBER', 'altitude'],
    ['half a satellite (the column is a smallint)', { satellites: 4.5 }, 'BAD_NUMBER', 'satellites'],
    ['a battery at 150 %', { batteryLevelPct: 150 }, 'BAD_NUMBER', 'batteryLevelPct'],
    ['a negative odometer', { odometerKm: -5 }, 'BAD_NUMBER', 'odometerKm'],
    ['negative engine hours', { engineHoursH: -0.1 }, 'BAD_NUMBER', 'engineHoursH'],
    ['a GSM signal past a smallint', { gsmSignal: 40_000 }, 'BAD_NUMBER', 'gsmSignal'],
    ['an IMEI with a NUL byte', { imei: '35630704244\u00001013' }, 'BAD_TEXT', 'imei'],
    ['an io value with a NUL byte', { io: { driverUniqueId: '\u0000' } }, 'BAD_TEXT', 'io.driverUniqueId'],
    ['an io value with a lone surrogate (jsonb refuses it)', { io: { name: 'a\ud800b' } }, 'BAD_TEXT', 'io.name'],
    ['an io name with a control character', { io: { 'a\u0007': 1 } }, 'BAD_TEXT', 'io'],
    ['an io value of 10,000 characters', { io: { blob: 'x'.repeat(10_000) } }, 'IO_TOO_LARGE', 'io.blob'],
    ['300 io attributes', { io: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [String(i), i])) }, 'IO_TOO_LARGE', 'io'],
    ['an io number that is not finite', { io: { 16: Number.NaN } }, 'BAD_NUMBER', 'io.16'],
    ['an event nobody knows', { events: ['teleported' as never] }, 'BAD_FIELD', 'events'],
  ])('refuses %s', (_name, overrides, code, field) => {
    expect(recordProblem(good(overrides), NOW, LIMITS)).toMatchObject({ code, field })
  })

  it('refuses the Teltonika record the decoder reads as year 10000, and passes its neighbour', () => {
    const fix = { latitude: 54.68, longitude: 25.28, speedKmh: 30, course: 90, satellites: 9, io: {} }
    const decoded = teltonika.decode(encodeAvlPacket([{ ...fix, timeMs: NOW - 1000 }, { ...fix, timeMs: Date.parse('+010000-01-01T00:00:00Z') }]), { transport: 'tcp', imei: '356307042441013' }, { now: new Date(NOW), crc: 'strict' })
    expect(decoded.records).toHaveLength(2)
    expect(decoded.records.map((record) => recordProblem(record, NOW, LIMITS)?.code)).toEqual([undefined, 'FIX_TIME_OUT_OF_RANGE'])
  })

  it('refuses the OsmAnd record whose parameter carries a NUL byte (%00)', () => {
    const target = encodeQueryTarget('phone-1', { timeMs: NOW - 1000, latitude: 54.68, longitude: 25.28, attributes: { driverUniqueId: '\u0000' } })
    expect(target).toContain('driverUniqueId=%00')
    const decoded = osmand.decodeRequest({ method: 'GET', target, contentType: '', body: Buffer.alloc(0) }, { now: new Date(NOW), crc: 'strict' })
    expect(decoded.records).toHaveLength(1)
    expect(recordProblem(decoded.records[0]!, NOW, LIMITS)).toMatchObject({ code: 'BAD_TEXT', field: 'io.driverUniqueId' })
  })
})
