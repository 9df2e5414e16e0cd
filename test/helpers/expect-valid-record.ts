/**
 * The sanity checks every decoded record must pass, whatever the protocol (after Traccar's
 * `verifyPositions`): coordinates, speed and course in range, a plausible fix time, fields of the
 * right types, optional fields omitted rather than undefined, events only from RECORD_EVENTS.
 */
import { expect } from 'vitest'
import { type DeviceRecord, PROTOCOLS, RECORD_EVENTS } from '../../core/record.ts'
import { recordProblem } from '../../gateway/record-validation.ts'

const YEAR_2000_MS = Date.UTC(2000, 0, 1)
const ONE_DAY_MS = 24 * 60 * 60 * 1000
const NUMERIC_FIELDS = [
  'latitude',
  'longitude',
  'speedKmh',
  'course',
  'altitude',
  'satellites',
  'hdop',
  'externalVoltageV',
  'batteryVoltageV',
  'batteryLevelPct',
  'odometerKm',
  'engineHoursH',
  'gsmSignal',
  'harshForceG',
] as const

export function expectValidRecord(record: DeviceRecord): void {
  for (const [key, value] of Object.entries(record)) expect(value, `${key} is present but undefined`).not.toBeUndefined()

  expect(record.imei).toMatch(/\S/)
  expect(PROTOCOLS).toContain(record.protocol)
  expect(typeof record.valid).toBe('boolean')
  expect(typeof record.buffered).toBe('boolean')

  const receivedAt = isoTime(record.receivedAt)
  const fixTime = isoTime(record.fixTime)
  expect(fixTime, 'fix time after 2000').toBeGreaterThan(YEAR_2000_MS)
  expect(fixTime, 'fix time at most a day after it was received').toBeLessThanOrEqual(receivedAt + ONE_DAY_MS)

  for (const field of NUMERIC_FIELDS) {
    const value = record[field]
    if (value !== undefined) expect(Number.isFinite(value), `${field} is a finite number`).toBe(true)
  }
  expect(record.latitude === undefined, 'latitude and longitude come together').toBe(record.longitude === undefined)
  if (record.latitude === undefined) expect(record.valid, 'a record without coordinates is not valid').toBe(false)
  else {
    expect(Math.abs(record.latitude)).toBeLessThanOrEqual(90)
    expect(Math.abs(record.longitude!)).toBeLessThanOrEqual(180)
  }
  if (record.speedKmh !== undefined) {
    expect(record.speedKmh).toBeGreaterThanOrEqual(0)
    expect(record.speedKmh).toBeLessThan(400)
  }
  if (record.course !== undefined) {
    expect(record.course).toBeGreaterThanOrEqual(0)
    expect(record.course).toBeLessThanOrEqual(360)
  }
  if (record.satellites !== undefined) expect(Number.isInteger(record.satellites) && record.satellites >= 0).toBe(true)
  if (record.batteryLevelPct !== undefined) {
    expect(record.batteryLevelPct).toBeGreaterThanOrEqual(0)
    expect(record.batteryLevelPct).toBeLessThanOrEqual(100)
  }
  for (const field of ['ignition', 'motion', 'externalPowerConnected'] as const) {
    if (record[field] !== undefined) expect(typeof record[field], `${field} is a boolean`).toBe('boolean')
  }

  expect(Array.isArray(record.events)).toBe(true)
  for (const event of record.events) expect(RECORD_EVENTS).toContain(event)
  expect(new Set(record.events).size, 'events are not repeated').toBe(record.events.length)
  for (const [key, value] of Object.entries(record.io)) {
    expect(['number', 'string', 'boolean'], `io ${key} has a raw type`).toContain(typeof value)
    if (typeof value === 'number') expect(Number.isFinite(value), `io ${key} is finite`).toBe(true)
  }
  // What the gateway checks before storing: a real device's record must never be quarantined.
  expect(recordProblem(record, receivedAt, { maxFutureFixMs: ONE_DAY_MS }), 'the gateway would store it').toBeUndefined()
}

function isoTime(text: string): number {
  expect(new Date(text).toISOString(), 'ISO 8601 UTC').toBe(text)
  return Date.parse(text)
}
