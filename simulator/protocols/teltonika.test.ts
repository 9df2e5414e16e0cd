/** Every Teltonika message the simulator sends decodes, with the gateway's own decoder, to the records it generated. */
import { describe, expect, it } from 'vitest'
import { CODEC } from '../../gateway/protocols/teltonika/constants.ts'
import type { EncodableCodec } from '../../gateway/protocols/teltonika/encode.ts'
import { teltonika } from '../../gateway/protocols/teltonika/index.ts'
import { deviceImei } from '../imei.ts'
import type { SimEventType } from '../record.ts'
import { expectSimulatedRecord, GatewayLoopback, simulatedRecords } from '../../test/helpers/gateway-loopback.ts'
import { teltonikaSim } from './teltonika.ts'

const imei = deviceImei('356307042440000', 3)

describe.each([
  ['TCP, codec 8', 'tcp', CODEC.codec8],
  ['TCP, codec 8E', 'tcp', CODEC.codec8Extended],
  ['TCP, codec 16', 'tcp', CODEC.codec16],
  ['UDP, codec 8', 'udp', CODEC.codec8],
] as const)('simulated Teltonika over %s', (_, transport, codec: EncodableCodec) => {
  const protocol = teltonikaSim.create({ transport, codec })

  it('decodes to the generated records, with units converted, and is ACKed with the reply the device waits for', () => {
    for (const batch of simulatedRecords(protocol, 50)) {
      const gateway = new GatewayLoopback(teltonika, protocol, imei)
      const hello = gateway.device.hello()
      expect(hello === null).toBe(transport === 'udp')
      if (hello) expect(gateway.exchange([hello]).replies).toEqual([hello.ack])

      // 50 records (a full history packet) spread over 25 minutes, so stops and ignition changes occur.
      const messages = gateway.device.encode(batch)
      expect(messages).toHaveLength(1)
      const { records, replies, expected } = gateway.exchange(messages)
      expect(replies).toEqual(expected)
      expect(records).toHaveLength(50)
      for (const [i, record] of records.entries()) {
        const input = batch[i]!.record
        expectSimulatedRecord(record, input, { protocol: 'teltonika', imei, history: false })
        expect(record).toMatchObject({
          altitude: input.altitude,
          satellites: input.satellites,
          ignition: input.ignition,
          motion: input.moving,
          externalVoltageV: input.externalVoltageMv / 1000,
          batteryVoltageV: input.batteryVoltageMv / 1000,
          odometerKm: input.odometerM / 1000,
          gsmSignal: input.gsmLevel,
          events: input.ignitionChanged ? [input.ignition ? 'ignitionOn' : 'ignitionOff'] : [],
        })
      }
    }
  })
})

describe('simulated Teltonika events', () => {
  it('reports power cut and restore on io252 and harsh driving on io253', () => {
    const protocol = teltonikaSim.create({ transport: 'tcp' })
    const events = new Map<number, SimEventType>([
      [1, 'powerCut'],
      [2, 'harshBraking'],
      [3, 'harshAcceleration'],
      [4, 'harshCornering'],
      [5, 'powerRestored'],
    ])
    const batch = simulatedRecords(protocol, 7, { everySec: 1, events })[0]!
    const gateway = new GatewayLoopback(teltonika, protocol, imei)
    gateway.exchange([gateway.device.hello()!])
    const { records } = gateway.exchange(gateway.device.encode(batch))
    expect(records.map((r) => r.events)).toEqual([
      [],
      ['powerCut'],
      ['harshBraking'],
      ['harshAcceleration'],
      ['harshCornering'],
      ['powerRestored'],
      [],
    ])
    expect(records.map((r) => r.externalVoltageV! > 0)).toEqual([true, false, false, false, false, true, true])
  })

  it('offers every scheduled event but SOS, which FMB devices report on a model-specific input', () => {
    expect([...teltonikaSim.events].sort()).toEqual(['harshAcceleration', 'harshBraking', 'harshCornering', 'powerCut', 'powerRestored'])
  })
})
