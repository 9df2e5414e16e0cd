import { describe, expect, it } from 'vitest'
import { processRecord } from './pipeline.ts'
import { VehicleStates } from './vehicle-states.ts'
import { recordAt, settingsWith } from './testing.ts'

const settings = settingsWith()

describe('vehicle states in memory', () => {
  it('keeps the connection flag set while a batch was being committed', () => {
    const states = new VehicleStates()
    const imei = '356307042441013'
    const inFlight = processRecord(states.getOrEmpty(imei, 'teltonika'), recordAt(0), settings).state
    expect(states.connectionChanged(imei, 'teltonika', true).connected).toBe(true)
    expect(states.commit(inFlight).connected).toBe(true)
    expect(states.get(imei)?.position?.fixTime).toBe(recordAt(0).fixTime)
  })
})
