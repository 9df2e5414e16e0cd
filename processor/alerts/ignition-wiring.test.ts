import { describe, expect, it } from 'vitest'
import type { DeviceRecord } from '../../core/record.ts'
import { at, drive, recordAt, settingsWith } from '../../test/helpers/processor-drive.ts'

const settings = settingsWith()
const wiring = (records: DeviceRecord[]) => drive(records, settings).changes.filter((change) => change.type === 'ignitionWiring')
const drivingIgnitionOff = (seconds: number, overrides: Partial<DeviceRecord> = {}) => recordAt(seconds, { ignition: false, speedKmh: 50, ...overrides })
const parked = (seconds: number) => recordAt(seconds, { ignition: false, speedKmh: 0 })

describe('ignition wiring diagnostic (moving with ignition off)', () => {
  it('raises once the device reports ignition off while driving on several fixes over a minute', () => {
    const changes = wiring([drivingIgnitionOff(0), drivingIgnitionOff(30), drivingIgnitionOff(59), drivingIgnitionOff(61), drivingIgnitionOff(90)])
    expect(changes).toEqual([expect.objectContaining({ kind: 'raise', time: at(61), details: { speedKmh: 50, fixes: 4, since: at(0) } })])
  })

  it('raises once per trip, and again on the next trip after a stop of more than five minutes', () => {
    const trip = (from: number) => [0, 30, 60, 90, 120].map((offset) => drivingIgnitionOff(from + offset))
    const changes = wiring([...trip(0), parked(200), drivingIgnitionOff(400), ...trip(420), parked(600), parked(1000), ...trip(1100)])
    expect(changes.map((change) => change.time)).toEqual([at(60), at(1160)])
  })

  it('does not raise for a short burst, slow creeping, a contradicting motion sensor, or a device whose ignition reads on', () => {
    expect(wiring([drivingIgnitionOff(0), drivingIgnitionOff(20), drivingIgnitionOff(40)])).toEqual([])
    expect(wiring([0, 30, 60, 90].map((s) => drivingIgnitionOff(s, { speedKmh: 6 })))).toEqual([])
    expect(wiring([0, 30, 60, 90].map((s) => drivingIgnitionOff(s, { motion: false })))).toEqual([])
    expect(wiring([0, 30, 60, 90].map((s) => recordAt(s, { ignition: true, speedKmh: 50 })))).toEqual([])
  })

  it('starts the streak again when a fix reports ignition on', () => {
    expect(wiring([drivingIgnitionOff(0), drivingIgnitionOff(30), recordAt(45, { ignition: true }), drivingIgnitionOff(60), drivingIgnitionOff(90)])).toEqual([])
  })

  it('ignores virtual ignition: only the wire the device reads counts', () => {
    const changes = drive(
      [0, 30, 60, 90].map((s) => drivingIgnitionOff(s, { externalVoltageV: 14 })),
      settingsWith({ virtualIgnition: 'voltage' }),
    ).changes
    expect(changes.filter((change) => change.type === 'ignitionWiring')).toHaveLength(1)
  })
})
