import { describe, expect, it } from 'vitest'
import { effectiveIgnition } from './virtual-ignition.ts'
import { drive, recordAt, settingsWith } from '../test/helpers/processor-drive.ts'

describe('virtual ignition', () => {
  const voltage = settingsWith({ virtualIgnition: 'voltage' })
  const motion = settingsWith({ virtualIgnition: 'motion' })

  it('always uses the ignition the device reports', () => {
    expect(effectiveIgnition(recordAt(0, { ignition: false, externalVoltageV: 14.1 }), true, voltage)).toBe(false)
    expect(effectiveIgnition(recordAt(0, { ignition: true, motion: false }), false, motion)).toBe(true)
  })

  it('derives nothing when set to none, carrying only the last known value over', () => {
    const none = settingsWith({ virtualIgnition: 'none' })
    expect(effectiveIgnition(recordAt(0, { ignition: undefined, externalVoltageV: 14.1 }), null, none)).toBeUndefined()
    expect(effectiveIgnition(recordAt(0, { ignition: undefined }), true, none)).toBe(true)
  })

  it('by voltage: on at or above VIRTUAL_IGNITION_VOLTAGE, off below it', () => {
    expect(effectiveIgnition(recordAt(0, { ignition: undefined, externalVoltageV: 13.2 }), null, voltage)).toBe(true)
    expect(effectiveIgnition(recordAt(0, { ignition: undefined, externalVoltageV: 12.6 }), true, voltage)).toBe(false)
    expect(effectiveIgnition(recordAt(0, { ignition: undefined, externalVoltageV: 12.9 }), null, settingsWith({ virtualIgnition: 'voltage', virtualIgnitionVoltageV: 12.8 }))).toBe(true)
  })

  it('by motion: the motion flag, else a moving speed', () => {
    expect(effectiveIgnition(recordAt(0, { ignition: undefined, motion: true, speedKmh: 0 }), null, motion)).toBe(true)
    expect(effectiveIgnition(recordAt(0, { ignition: undefined, motion: undefined, speedKmh: 30 }), null, motion)).toBe(true)
    expect(effectiveIgnition(recordAt(0, { ignition: undefined, motion: undefined, speedKmh: 1 }), true, motion)).toBe(false)
  })

  it('keeps the last derived value over a record without a voltage reading', () => {
    expect(effectiveIgnition(recordAt(0, { ignition: undefined }), true, voltage)).toBe(true)
  })

  it('makes a device without an ignition input idle by voltage, and stopped once the voltage falls', () => {
    const { states } = drive(
      [
        recordAt(0, { ignition: undefined, speedKmh: 0, externalVoltageV: 14.0 }),
        recordAt(200, { ignition: undefined, speedKmh: 0, externalVoltageV: 14.0 }),
        recordAt(260, { ignition: undefined, speedKmh: 0, externalVoltageV: 12.5 }),
      ],
      voltage,
    )
    expect(states.map((state) => state.status)).toEqual(['idle', 'idle', 'stopped'])
  })
})
