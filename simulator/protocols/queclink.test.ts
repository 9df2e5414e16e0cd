/** Every Queclink sentence the simulator sends decodes, with the gateway's own decoder, to what it generated. */
import { describe, expect, it } from 'vitest'
import { queclink } from '../../gateway/protocols/queclink/index.ts'
import { deviceImei } from '../imei.ts'
import { type SimEventType, batteryPercent } from '../record.ts'
import { expectSimulatedRecord, GatewayLoopback, simulatedRecords } from '../../test/helpers/gateway-loopback.ts'
import { queclinkSim } from './queclink.ts'

const imei = deviceImei('356307042440000', 5)

describe.each(['tcp', 'udp'] as const)('simulated Queclink over %s', (transport) => {
  const protocol = queclinkSim.create({ transport })

  it.each([
    ['live reports as +RESP', false],
    ['history as +BUFF', true],
  ])('sends %s that decode to the generated values, each acknowledged by +SACK with its count number', (_, history) => {
    for (const batch of simulatedRecords(protocol, 50, { history })) {
      const gateway = new GatewayLoopback(queclink, protocol, imei)
      expect(gateway.device.hello()).toBeNull()
      const messages = gateway.device.encode(batch)
      const texts = messages.map((m) => (m.payload as Buffer).toString('latin1'))
      for (const text of texts) expect(text.startsWith(history ? '+BUFF:' : '+RESP:')).toBe(true)
      // Positions share GTFRI sentences (15 at most); an ignition change is a report of its own.
      expect(messages.reduce((sum, m) => sum + m.records, 0)).toBe(50)
      for (const m of messages) expect(m.records).toBeLessThanOrEqual(15)
      const { records, replies, expected } = gateway.exchange(messages)
      expect(replies).toEqual(expected)
      expect(new Set(replies).size).toBe(messages.length)
      expect(records).toHaveLength(50)
      let carried = 0
      const lastOfSentence = new Set(messages.map((m) => (carried += m.records) - 1))
      for (const [i, record] of records.entries()) {
        const input = batch[i]!.record
        expectSimulatedRecord(record, input, { protocol: 'queclink', imei, history })
        expect(record.altitude).toBe(input.altitude)
        if (input.ignitionChanged) {
          expect(record).toMatchObject({ ignition: input.ignition, events: [input.ignition ? 'ignitionOn' : 'ignitionOff'] })
        } else {
          expect(record.events).toEqual([])
        }
        // The device state (voltage, battery, odometer) rides on the last position of a sentence.
        if (lastOfSentence.has(i) && !input.ignitionChanged) {
          expect(record).toMatchObject({
            ignition: input.ignition,
            externalVoltageV: input.externalVoltageMv / 1000,
            batteryLevelPct: batteryPercent(input.batteryVoltageMv),
            odometerKm: input.odometerM / 1000,
          })
        }
      }
    }
  })

  it.each(queclinkSim.events)('sends a %s event as its own report that raises the event', (event) => {
    const batch = simulatedRecords(protocol, 3, { everySec: 1, events: new Map<number, SimEventType>([[1, event]]) })[0]!
    const gateway = new GatewayLoopback(queclink, protocol, imei)
    const messages = gateway.device.encode(batch)
    expect(messages.map((m) => m.records)).toEqual([1, 1, 1])
    const { records, replies, expected } = gateway.exchange(messages)
    expect(replies).toEqual(expected)
    expect(records.map((r) => r.events)).toEqual([[], [event], []])
    expectSimulatedRecord(records[1]!, batch[1]!.record, { protocol: 'queclink', imei, history: false })
  })
})

describe('simulated Queclink replies', () => {
  it('reads +SACK replies split across reads and several in one read', () => {
    const device = queclinkSim.create({ transport: 'tcp' }).connect(imei)
    expect(device.read(Buffer.from('+SACK:00'))).toEqual([])
    expect(device.read(Buffer.from('1A$+SACK:001B$\r\n+SACK:GTHBD,060402,0001$'))).toEqual([
      'sack:001A',
      'sack:001B',
      'unexpected:2b5341434b3a47544842442c3036303430322c30303031',
    ])
  })
})
