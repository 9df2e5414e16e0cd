/** Every OsmAnd request the simulator sends decodes, with the gateway's own decoder, to what it generated. */
import { describe, expect, it } from 'vitest'
import { osmand } from '../../gateway/protocols/osmand/index.ts'
import { deviceImei } from '../imei.ts'
import { type SimEventType, batteryPercent } from '../record.ts'
import { expectSimulatedRecord, GatewayLoopback, simulatedRecords } from '../../test/helpers/gateway-loopback.ts'
import { osmandSim } from './osmand.ts'
import type { QueuedRecord, SimHttpRequest } from './types.ts'

const id = deviceImei('356307042440000', 6)
const protocol = osmandSim.create({ transport: 'http' })

function expectDecodedAsGenerated(batch: QueuedRecord[], perRecord: boolean): void {
  const gateway = new GatewayLoopback(osmand, protocol, id)
  expect(gateway.device.hello()).toBeNull()
  const messages = perRecord ? batch.flatMap((q) => gateway.device.encode([q])) : gateway.device.encode(batch)
  const { records, replies, expected } = gateway.exchange(messages)
  expect(replies).toEqual(expected)
  expect(replies.every((reply) => reply === 'http:200')).toBe(true)
  expect(records).toHaveLength(batch.length)
  for (const [i, record] of records.entries()) {
    const input = batch[i]!.record
    // OsmAnd has no history flag: the processor recognises history by its lag.
    expectSimulatedRecord(record, input, { protocol: 'osmand', imei: id, history: false })
    expect(record).toMatchObject({ altitude: input.altitude, motion: input.moving, events: input.event ? [input.event] : [] })
    // Battery goes as a fraction in JSON: the way back is floating point.
    expect(record.batteryLevelPct).toBeCloseTo(batteryPercent(input.batteryVoltageMv), 6)
  }
}

describe('simulated OsmAnd', () => {
  it('sends each live record as one query-form request that decodes to the generated values', () => {
    for (const batch of simulatedRecords(protocol, 20)) {
      expectDecodedAsGenerated(batch, true)
    }
    const [request] = protocol.connect(id).encode(simulatedRecords(protocol, 1)[0]!)
    expect((request!.payload as SimHttpRequest).target).toMatch(/^\/\?id=\d{15}&timestamp=\d+(\.\d+)?&lat=/)
  })

  it('uploads a backlog as one JSON request that decodes to every queued record', () => {
    for (const batch of simulatedRecords(protocol, 50, { history: true })) {
      const messages = protocol.connect(id).encode(batch)
      expect(messages).toHaveLength(1)
      expect(messages[0]).toMatchObject({ records: 50, payload: { method: 'POST', contentType: 'application/json' } })
      expectDecodedAsGenerated(batch, false)
    }
  })

  it.each(osmandSim.events)('reports a %s event as an alarm, in the query form and in JSON', (event) => {
    const batch = simulatedRecords(protocol, 3, { everySec: 1, events: new Map<number, SimEventType>([[1, event]]) })[0]!
    expectDecodedAsGenerated(batch, true)
    expectDecodedAsGenerated(batch, false)
  })
})
