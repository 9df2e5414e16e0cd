import { describe, expect, it } from 'vitest'
import { processRecord } from './pipeline.ts'
import { VehicleStates } from './vehicle-states.ts'
import { START_MS, at, recordAt, settingsWith } from '../test/helpers/processor-drive.ts'

const settings = settingsWith()
const M = 1 / 111_195

describe('vehicle states in memory', () => {
  it('sets a device\'s counters at once, and they grow from there', () => {
    const states = new VehicleStates()
    states.set(processRecord(states.getOrEmpty('356307042441013', 'teltonika'), recordAt(0, { latitude: 54 }), settings).state)
    states.setCounters('356307042441013', 12_000, 800, at(5))
    expect(states.countersOf('356307042441013')).toEqual({ odometerKm: 12_000, engineHoursH: 800 })
    const next = processRecord(states.get('356307042441013')!, recordAt(10, { latitude: 54 }), settings).state
    const moved = processRecord(next, recordAt(20, { latitude: 54 + 500 * M }), settings).state
    states.commit(moved)
    expect(states.countersOf('356307042441013')!.odometerKm).toBeCloseTo(12_000.5, 3)
  })

  it('keeps counters set while a batch computed before them was being committed', () => {
    const states = new VehicleStates()
    const imei = '356307042441013'
    states.set(processRecord(states.getOrEmpty(imei, 'teltonika'), recordAt(0), settings).state)
    const inFlight = processRecord(states.get(imei)!, recordAt(10), settings).state
    states.setCounters(imei, 5_000, 100, new Date(START_MS + 5_000))
    const committed = states.commit(inFlight)
    expect(committed).toMatchObject({ odometerKm: 5_000, engineHoursH: 100 })
    expect(committed.tracking.counters.setAtMs).toBe(START_MS + 5_000)
    expect(committed.position?.fixTime).toBe(at(10))
  })

  it('starts a device that has not reported yet from the counters set for it', () => {
    const states = new VehicleStates()
    expect(states.setCounters('356307042441099', 42, 7, at(0))).toBeUndefined()
    expect(states.getOrEmpty('356307042441099', 'teltonika')).toMatchObject({ odometerKm: 42, engineHoursH: 7 })
  })

  it('keeps the connection flag set while a batch was being committed', () => {
    const states = new VehicleStates()
    const imei = '356307042441013'
    const inFlight = processRecord(states.getOrEmpty(imei, 'teltonika'), recordAt(0), settings).state
    states.set({ ...states.getOrEmpty(imei, 'teltonika'), connected: true })
    expect(states.commit(inFlight).connected).toBe(true)
  })
})
