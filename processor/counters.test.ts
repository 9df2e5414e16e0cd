import { describe, expect, it } from 'vitest'
import { rebaseCounters } from './counters.ts'
import { emptyState } from './state.ts'
import { drive, recordAt, settingsWith, START_MS } from '../test/helpers/processor-drive.ts'

/** Degrees of latitude per metre. */
const M = 1 / 111_195
const LAT = 54.6872
const LON = 25.2797

describe('mileage and engine hours', () => {
  const settings = settingsWith()
  const setAt1000 = rebaseCounters(emptyState('356307042441013', 'teltonika'), 1000, 500, START_MS)

  it('accumulates the distance between valid moving fixes from the value the office user set', () => {
    const { state } = drive(
      [0, 1, 2, 3].map((step) => recordAt(step * 10, { latitude: LAT + step * 100 * M, longitude: LON, speedKmh: 36 })),
      settings,
      setAt1000,
    )
    expect(state.odometerKm).toBeCloseTo(1000.3, 3)
  })

  it('does not grow while parked, however the fixes jitter', () => {
    const jitter = [0, 14, -9, 22, -17, 5, 30, -25]
    const parked = [
      ...jitter.map((metres, i) => recordAt(i * 60, { latitude: LAT + metres * M, speedKmh: 0, ignition: false, motion: false })),
      ...jitter.map((metres, i) => recordAt(600 + i * 60, { latitude: LAT + metres * M, longitude: LON + metres * M, speedKmh: 2, ignition: false })),
      ...jitter.map((metres, i) => recordAt(1200 + i * 60, { latitude: LAT - metres * M, speedKmh: undefined, motion: false, ignition: true })),
    ]
    const { state } = drive(parked, settings, setAt1000)
    expect(state.odometerKm).toBe(1000)
  })

  it('counts the way into a parking place and out of it once the vehicle moves again', () => {
    const { state } = drive(
      [
        recordAt(0, { latitude: LAT, speedKmh: 30 }),
        recordAt(10, { latitude: LAT + 80 * M, speedKmh: 0, ignition: false }),
        recordAt(70, { latitude: LAT + 95 * M, speedKmh: 0, ignition: false }),
        recordAt(130, { latitude: LAT + 70 * M, speedKmh: 0, ignition: false }),
        recordAt(190, { latitude: LAT + 200 * M, speedKmh: 40 }),
      ],
      settings,
      setAt1000,
    )
    expect(state.odometerKm).toBeCloseTo(1000.2, 3)
  })

  it('ignores moves within the fix error and impossible jumps', () => {
    const { state } = drive(
      [
        recordAt(0, { latitude: LAT, speedKmh: 20 }),
        recordAt(1, { latitude: LAT + 8 * M, speedKmh: 20 }),
        recordAt(2, { latitude: LAT + 28 * M, speedKmh: 20, hdop: 6 }),
        recordAt(3, { latitude: LAT + 5_000 * M, speedKmh: 20 }),
        recordAt(4, { latitude: LAT + 34 * M, speedKmh: 20 }),
        recordAt(5, { latitude: LAT + 50 * M, speedKmh: 20 }),
      ],
      settings,
      setAt1000,
    )
    // 0 -> 8 m: under the 10 m minimum; 0 -> 28 m: under hdop 6 x 5 m; the 5 km outlier and the way back: jumps.
    // 34 -> 50 m: counted.
    expect(state.odometerKm).toBeCloseTo(1000.016, 4)
  })

  it('skips invalid fixes and records from before the set time', () => {
    const { state } = drive(
      [
        recordAt(-30, { latitude: LAT - 500 * M, speedKmh: 50 }),
        recordAt(0, { latitude: LAT, speedKmh: 50 }),
        recordAt(10, { latitude: LAT + 900 * M, speedKmh: 50, valid: false }),
        recordAt(20, { latitude: LAT + 100 * M, speedKmh: 50 }),
      ],
      settings,
      setAt1000,
    )
    expect(state.odometerKm).toBeCloseTo(1000.1, 3)
  })

  it('grows by the device odometer\'s increase since its first reading at or after the set time', () => {
    const { state } = drive(
      [
        recordAt(-10, { odometerKm: 50_000 }),
        recordAt(0, { odometerKm: 50_010 }),
        recordAt(60, { odometerKm: 50_011.5, latitude: LAT + 3000 * M }),
        recordAt(90, { latitude: LAT + 9000 * M }),
        recordAt(120, { odometerKm: 50_012 }),
      ],
      settings,
      setAt1000,
    )
    expect(state.odometerKm).toBeCloseTo(1002, 6)
  })

  it('takes the maximum device odometer: an older, lower reading from history changes nothing', () => {
    const { state } = drive(
      [
        recordAt(0, { odometerKm: 100 }),
        recordAt(60, { odometerKm: 101 }),
        recordAt(30, { odometerKm: 100.5, receivedAt: recordAt(61).fixTime }),
        recordAt(120, { odometerKm: 102 }),
      ],
      settings,
      setAt1000,
    )
    expect(state.odometerKm).toBeCloseTo(1002, 6)
  })

  it('restarts from a device odometer that was reset or jumped, without counting the jump', () => {
    const { state } = drive(
      [recordAt(0, { odometerKm: 100 }), recordAt(60, { odometerKm: 101 }), recordAt(120, { odometerKm: 0 }), recordAt(180, { odometerKm: 1 }), recordAt(240, { odometerKm: 9000 })],
      settings,
      setAt1000,
    )
    expect(state.odometerKm).toBeCloseTo(1002, 6)
  })

  it('counts history that arrives in order (a coverage gap uploaded later), but not an older backlog after newer fixes', () => {
    const lateInOrder = drive(
      [
        recordAt(0, { latitude: LAT, speedKmh: 40 }),
        recordAt(60, { latitude: LAT + 500 * M, speedKmh: 40, receivedAt: recordAt(900).fixTime }),
        recordAt(120, { latitude: LAT + 1000 * M, speedKmh: 40, receivedAt: recordAt(901).fixTime }),
      ],
      settings,
      setAt1000,
    )
    expect(lateInOrder.buffered).toEqual([false, true, true])
    expect(lateInOrder.state.odometerKm).toBeCloseTo(1001, 3)
    const backlogAfter = drive(
      [
        recordAt(0, { latitude: LAT, speedKmh: 40 }),
        recordAt(120, { latitude: LAT + 1000 * M, speedKmh: 40 }),
        recordAt(60, { latitude: LAT + 700 * M, speedKmh: 40, buffered: true, receivedAt: recordAt(121).fixTime }),
      ],
      settings,
      setAt1000,
    )
    expect(backlogAfter.state.odometerKm).toBeCloseTo(1001, 3)
  })

  it('adds engine hours for time with ignition on at both ends, and nothing across off or long gaps', () => {
    const { state } = drive(
      [
        recordAt(0, { ignition: true }),
        recordAt(1800, { ignition: true }),
        recordAt(2700, { ignition: false }),
        recordAt(3600, { ignition: true }),
        recordAt(5400, { ignition: true }),
        recordAt(5400 + 7200, { ignition: true }),
      ],
      settings,
      setAt1000,
    )
    expect(state.engineHoursH).toBeCloseTo(501, 6)
  })

  it('uses the device hour meter when it reports one', () => {
    const { state } = drive(
      [recordAt(0, { engineHoursH: 7000 }), recordAt(1800, { engineHoursH: 7000.5 }), recordAt(3600, { engineHoursH: 7001, ignition: true })],
      settings,
      setAt1000,
    )
    expect(state.engineHoursH).toBeCloseTo(501, 6)
  })

  it('counts from zero for a device whose vehicle never had its counters set', () => {
    const { state } = drive([recordAt(0, { latitude: LAT, speedKmh: 50 }), recordAt(10, { latitude: LAT + 140 * M, speedKmh: 50 })], settings)
    expect(state.odometerKm).toBeCloseTo(0.14, 3)
    expect(state.engineHoursH).toBeCloseTo(10 / 3600, 6)
  })
})
