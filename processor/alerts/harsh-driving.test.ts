import { describe, expect, it } from 'vitest'
import type { DeviceRecord } from '../../core/record.ts'
import { computedForces } from './harsh-driving.ts'
import { at, drive, recordAt, settingsWith } from '../../test/helpers/processor-drive.ts'

const settings = settingsWith()
const harsh = (records: DeviceRecord[]) => drive(records, settings).changes.filter((change) => change.type.startsWith('harsh'))

describe('harsh driving', () => {
  it('raises the device\'s own harsh events with their type, from any protocol', () => {
    const changes = harsh([
      recordAt(0, { events: ['harshBraking'] }),
      recordAt(30, { events: ['harshAcceleration'] }),
      recordAt(60, { events: ['harshCornering'] }),
    ])
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'raise', type: 'harshBraking', time: at(0), details: { source: 'deviceEvent' } }),
      expect.objectContaining({ type: 'harshAcceleration', time: at(30) }),
      expect.objectContaining({ type: 'harshCornering', time: at(60), details: { source: 'deviceEvent' } }),
    ])
  })

  it('stores the force the device measured with its harsh event, and none when it gave none', () => {
    const [braking, cornering] = harsh([
      recordAt(0, { events: ['harshBraking'], harshForceG: 0.61 }),
      recordAt(30, { events: ['harshCornering'] }),
    ])
    expect(braking).toMatchObject({ type: 'harshBraking', details: { source: 'deviceEvent', g: 0.61 } })
    expect(cornering).toMatchObject({ type: 'harshCornering', details: { source: 'deviceEvent' } })
    expect(cornering!.details).not.toHaveProperty('g')
  })

  it('computes braking and acceleration from the speed change between fixes a few seconds apart', () => {
    // 60 -> 40 km/h in 1 s: 5.56 m/s2 = 0.57 g; 40 -> 55 km/h in 1 s: 0.42 g.
    const changes = harsh([
      recordAt(0, { speedKmh: 60, course: 90 }),
      recordAt(1, { speedKmh: 40, course: 90 }),
      recordAt(30, { speedKmh: 40, course: 90 }),
      recordAt(31, { speedKmh: 55, course: 90 }),
    ])
    expect(changes).toEqual([
      expect.objectContaining({ type: 'harshBraking', time: at(1), details: { source: 'fixes', g: 0.57 } }),
      expect.objectContaining({ type: 'harshAcceleration', time: at(31), details: { source: 'fixes', g: 0.42 } }),
    ])
  })

  it('computes cornering from the course change at speed', () => {
    // 40 km/h turning 45 degrees in 1 s: 11.1 m/s x 0.785 rad/s = 8.7 m/s2 = 0.89 g.
    const changes = harsh([recordAt(0, { speedKmh: 40, course: 0 }), recordAt(1, { speedKmh: 40, course: 45 })])
    expect(changes).toEqual([expect.objectContaining({ type: 'harshCornering', details: { source: 'fixes', g: 0.89 } })])
    expect(computedForces({ fixMs: 0, speedKmh: 40, course: 350 }, { fixMs: 1000, speedKmh: 40, course: 5 }, settings)).toEqual([])
  })

  it('computes nothing from fixes too far apart, too close, invalid, or turning below the cornering speed', () => {
    expect(harsh([recordAt(0, { speedKmh: 90 }), recordAt(10, { speedKmh: 0 })])).toEqual([])
    expect(computedForces({ fixMs: 0, speedKmh: 50, course: 0 }, { fixMs: 500, speedKmh: 30, course: 0 }, settings)).toEqual([])
    expect(harsh([recordAt(0, { speedKmh: 60 }), recordAt(1, { speedKmh: 20, valid: false })])).toEqual([])
    expect(harsh([recordAt(0, { speedKmh: 10, course: 0 }), recordAt(1, { speedKmh: 10, course: 90 })])).toEqual([])
  })

  it('follows the configured thresholds', () => {
    const records = [recordAt(0, { speedKmh: 60 }), recordAt(1, { speedKmh: 45 })] // 0.42 g
    expect(drive(records, settingsWith({ harshBrakingG: 0.45 })).changes).toEqual([])
    expect(drive(records, settingsWith({ harshBrakingG: 0.3 })).changes).toHaveLength(1)
  })

  it('raises one alert per manoeuvre, not one per pair of fixes inside it', () => {
    const changes = harsh([recordAt(0, { speedKmh: 80 }), recordAt(1, { speedKmh: 60 }), recordAt(2, { speedKmh: 40 }), recordAt(3, { speedKmh: 20 }), recordAt(20, { speedKmh: 50 }), recordAt(21, { speedKmh: 30 })])
    expect(changes.map((change) => change.time)).toEqual([at(1), at(21)])
  })

  it('stops computing from fixes once the device has shown it reports harsh driving itself', () => {
    const changes = harsh([recordAt(0, { speedKmh: 60, events: ['harshAcceleration'] }), recordAt(30, { speedKmh: 60 }), recordAt(31, { speedKmh: 30 })])
    expect(changes.map((change) => change.type)).toEqual(['harshAcceleration'])
  })

  it('raises harsh events found in history, flagged delayed', () => {
    const changes = harsh([recordAt(100), { ...recordAt(50, { events: ['harshBraking'] }), buffered: true, receivedAt: at(101) }])
    expect(changes).toEqual([expect.objectContaining({ type: 'harshBraking', time: at(50), delayed: true })])
  })
})
