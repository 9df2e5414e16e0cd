import { describe, expect, it } from 'vitest'
import type { DeviceRecord } from '../../core/record.ts'
import { at, drive, recordAt, settingsWith } from '../../test/helpers/processor-drive.ts'

const settings = settingsWith()
const powered = (seconds: number, overrides: Partial<DeviceRecord> = {}) =>
  recordAt(seconds, { externalVoltageV: 12.6, batteryVoltageV: 4.1, ...overrides })
const unpowered = (seconds: number, overrides: Partial<DeviceRecord> = {}) =>
  recordAt(seconds, { externalVoltageV: 0, batteryVoltageV: 4.0, ...overrides })
const powerChanges = (records: DeviceRecord[]) => drive(records, settings).changes.filter((change) => change.type === 'powerDisconnect')

describe('power disconnect', () => {
  it('raises one alert for a device power-cut event and clears it on power restored', () => {
    const changes = powerChanges([
      powered(0),
      unpowered(10, { events: ['powerCut'] }),
      unpowered(20, { events: ['powerCut'] }),
      unpowered(30),
      powered(40, { events: ['powerRestored'] }),
    ])
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'raise', time: at(10), delayed: false, details: { source: 'deviceEvent', externalVoltageV: 0, batteryVoltageV: 4.0 } }),
      { kind: 'clear', type: 'powerDisconnect', imei: '356307042441013', time: at(10), clearedAt: at(40) },
    ])
  })

  it('raises on external voltage dropping from a normal level to near zero while the battery keeps reporting', () => {
    const changes = powerChanges([powered(0), powered(10), unpowered(20), unpowered(30), unpowered(40), powered(50, { externalVoltageV: 12.4 })])
    expect(changes.map((change) => [change.kind, change.time])).toEqual([
      ['raise', at(20)],
      ['clear', at(20)],
    ])
    expect(changes[0]).toMatchObject({ details: { source: 'voltageDrop', externalVoltageV: 0 } })
    expect(changes[1]).toMatchObject({ clearedAt: at(50) })
  })

  it('raises nothing for a drop without a battery reading, a first reading of zero, or a voltage in between', () => {
    expect(powerChanges([powered(0), recordAt(10, { externalVoltageV: 0 })])).toEqual([])
    expect(powerChanges([unpowered(0), unpowered(10)])).toEqual([])
    expect(powerChanges([powered(0), powered(10, { externalVoltageV: 5 }), powered(20, { externalVoltageV: 11 })])).toEqual([])
  })

  it('raises one alert when the event and the voltage drop come in the same record, or one after the other', () => {
    expect(powerChanges([powered(0), unpowered(10, { events: ['powerCut'] })])).toHaveLength(1)
    const dropThenEvent = powerChanges([powered(0), unpowered(10), unpowered(11, { events: ['powerCut'] })])
    expect(dropThenEvent).toHaveLength(1)
    expect(dropThenEvent[0]).toMatchObject({ details: { source: 'voltageDrop' } })
  })

  it('stores nothing new when the device retries records of a cut already raised or closed', () => {
    const cut = unpowered(10, { events: ['powerCut'] })
    const restore = powered(40, { events: ['powerRestored'] })
    const resent = (record: DeviceRecord) => ({ ...record, receivedAt: at(45) })
    const changes = powerChanges([powered(0), cut, resent(cut), unpowered(20), restore, resent(cut), resent(unpowered(20)), resent(restore)])
    expect(changes.map((change) => change.kind)).toEqual(['raise', 'clear'])
  })

  it('flags a cut restored within the window right after a device reset as a probable device reset', () => {
    const changes = powerChanges([
      powered(0),
      powered(5, { events: ['deviceReset'] }),
      unpowered(30, { events: ['powerCut'] }),
      powered(90, { events: ['powerRestored'] }),
    ])
    expect(changes[1]).toEqual(expect.objectContaining({ kind: 'clear', details: { probableDeviceReset: true } }))
  })

  it('does not flag a cut without a reboot sign, or one restored after the window', () => {
    const plain = powerChanges([powered(0), unpowered(30, { events: ['powerCut'] }), powered(60, { events: ['powerRestored'] })])
    expect(plain[1]).not.toHaveProperty('details')
    const late = powerChanges([powered(0, { events: ['deviceReset'] }), unpowered(30, { events: ['powerCut'] }), powered(200, { events: ['powerRestored'] })])
    expect(late[1]).not.toHaveProperty('details')
  })

  it('reads a gap far beyond the device\'s rhythm, and a reset reported without a fix, as reboot signs', () => {
    const gap = powerChanges([powered(0), powered(10), powered(20), unpowered(200, { events: ['powerCut'] }), powered(230, { events: ['powerRestored'] })])
    expect(gap[1]).toMatchObject({ details: { probableDeviceReset: true } })
    const powerOn = powerChanges([
      powered(0),
      recordAt(20, { latitude: undefined, longitude: undefined, valid: false, events: ['deviceReset'] }),
      unpowered(25, { events: ['powerCut'] }),
      powered(40, { events: ['powerRestored'] }),
    ])
    expect(powerOn[1]).toMatchObject({ details: { probableDeviceReset: true } })
  })

  it('raises a cut found in history uploaded later, once, flagged delayed', () => {
    const late = (seconds: number, record: DeviceRecord) => ({ ...record, receivedAt: at(seconds) })
    const changes = powerChanges([
      powered(0),
      late(1000, unpowered(100, { events: ['powerCut'] })),
      late(1000, unpowered(110)),
      late(1001, powered(300, { events: ['powerRestored'] })),
      powered(1002),
    ])
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'raise', time: at(100), delayed: true }),
      expect.objectContaining({ kind: 'clear', time: at(100), clearedAt: at(300) }),
    ])
  })

  it('raises and clears a cut from a backlog older than live data already processed, without disturbing the live state', () => {
    const history = (seconds: number, record: DeviceRecord) => ({ ...record, buffered: true, receivedAt: at(seconds) })
    const { changes, state } = drive([
      powered(500),
      powered(510),
      history(511, powered(100)),
      history(511, unpowered(110, { events: ['powerCut'] })),
      history(511, powered(150, { events: ['powerRestored'] })),
      powered(520),
    ])
    expect(changes.filter((change) => change.type === 'powerDisconnect')).toEqual([
      expect.objectContaining({ kind: 'raise', time: at(110), delayed: true }),
      expect.objectContaining({ kind: 'clear', time: at(110), clearedAt: at(150) }),
    ])
    expect(state.tracking.live.cut).toBeNull()
    expect(state.position?.fixTime).toBe(at(520))
  })

  it('clears a cut once a device that reports no voltage says its external power is connected again', () => {
    const flagOnly = { externalVoltageV: undefined, batteryLevelPct: 80 }
    const changes = powerChanges([
      recordAt(0, { ...flagOnly, externalPowerConnected: true }),
      recordAt(10, { ...flagOnly, events: ['powerCut'], externalPowerConnected: false }),
      recordAt(20, flagOnly),
      recordAt(30, { ...flagOnly, externalPowerConnected: true }),
    ])
    expect(changes.map((change) => [change.kind, change.kind === 'clear' ? change.clearedAt : change.time])).toEqual([
      ['raise', at(10)],
      ['clear', at(30)],
    ])
  })

  it('places the alert of a record without coordinates at the last live position, and says so', () => {
    const [raise] = powerChanges([powered(0, { latitude: 54.1, longitude: 25.1 }), recordAt(10, { latitude: undefined, longitude: undefined, valid: false, events: ['powerCut'] })])
    expect(raise).toMatchObject({ latitude: 54.1, longitude: 25.1, details: { source: 'deviceEvent', position: 'lastKnown' } })
  })
})
