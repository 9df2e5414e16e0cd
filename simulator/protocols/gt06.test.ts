/** Every GT06 message the simulator sends decodes, with the gateway's own decoder, to what it generated. */
import { describe, expect, it } from 'vitest'
import { gt06 } from '../../gateway/protocols/gt06/index.ts'
import { deviceImei } from '../imei.ts'
import type { SimEventType } from '../record.ts'
import { expectSimulatedRecord, GatewayLoopback, simulatedRecords } from '../../test/helpers/gateway-loopback.ts'
import { gt06Sim } from './gt06.ts'

const imei = deviceImei('356307042440000', 4)
const protocol = gt06Sim.create({ transport: 'tcp' })

function loggedIn(): GatewayLoopback {
  const gateway = new GatewayLoopback(gt06, protocol, imei)
  const login = gateway.device.hello()!
  expect(gateway.exchange([login]).replies).toEqual([login.ack])
  return gateway
}

describe('simulated GT06', () => {
  it.each([
    ['live', false],
    ['history', true],
  ])('sends %s records as 0x22 location packets that decode to the generated values, each echoed by serial', (_, history) => {
    for (const batch of simulatedRecords(protocol, 50, { history })) {
      const gateway = loggedIn()
      const messages = gateway.device.encode(batch)
      expect(messages).toHaveLength(50)
      for (const message of messages) expect((message.payload as Buffer)[3]).toBe(0x22)
      const { records, replies, expected } = gateway.exchange(messages)
      expect(replies).toEqual(expected)
      expect(new Set(replies).size).toBe(50)
      expect(records).toHaveLength(50)
      for (const [i, record] of records.entries()) {
        const input = batch[i]!.record
        expectSimulatedRecord(record, input, { protocol: 'gt06', imei, history })
        expect(record).toMatchObject({ satellites: input.satellites, ignition: input.ignition, events: [] })
      }
    }
  })

  it('truncates fix times to whole seconds as the wire does, so what is reported as sent is what is stored', () => {
    const record = simulatedRecords(protocol, 1)[0]![0]!.record
    expect(protocol.quantize({ ...record, timeMs: Date.UTC(2026, 0, 15, 8, 0, 0, 750) }).timeMs).toBe(Date.UTC(2026, 0, 15, 8))
  })

  it.each(gt06Sim.events.filter((event) => event !== 'powerRestored'))('sends a %s event as a 0x26 alarm packet, echoed by serial, that raises the event', (event) => {
    const batch = simulatedRecords(protocol, 3, { everySec: 1, events: new Map<number, SimEventType>([[1, event]]) })[0]!
    const gateway = loggedIn()
    const messages = gateway.device.encode(batch)
    expect(messages.map((m) => (m.payload as Buffer)[3])).toEqual([0x22, 0x26, 0x22])
    const { records, replies, expected } = gateway.exchange(messages)
    expect(replies).toEqual(expected)
    expect(records.map((r) => r.events)).toEqual([[], [event], []])
    expectSimulatedRecord(records[1]!, batch[1]!.record, { protocol: 'gt06', imei, history: false })
  })

  it('sends power back as a 0x26 status packet without an alarm whose charging bit is set again', () => {
    const events = new Map<number, SimEventType>([[0, 'powerCut'], [2, 'powerRestored']])
    const batch = simulatedRecords(protocol, 3, { everySec: 1, events })[0]!
    const gateway = loggedIn()
    const messages = gateway.device.encode(batch)
    expect(messages.map((m) => (m.payload as Buffer)[3])).toEqual([0x26, 0x22, 0x26])
    const { records, replies, expected } = gateway.exchange(messages)
    expect(replies).toEqual(expected)
    expect(records.map((r) => r.events)).toEqual([['powerCut'], [], []])
    expect(records[0]!.io.charging).toBe(false)
    expect(records[2]!.io.charging).toBe(true)
  })

  it('offers power cut and restore, SOS and harsh driving', () => {
    expect([...gt06Sim.events].sort()).toEqual(['harshAcceleration', 'harshBraking', 'harshCornering', 'powerCut', 'powerRestored', 'sos'])
  })
})
