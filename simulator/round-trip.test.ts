/** Every packet the simulator sends decodes, with the gateway's own decoder, to the records it generated. */
import { describe, expect, it } from 'vitest'
import { CODEC, IO } from '../gateway/protocols/teltonika/constants.ts'
import { decode } from '../gateway/protocols/teltonika/decode.ts'
import { type EncodableCodec, encodeAvlPacket, encodeImeiHandshake } from '../gateway/protocols/teltonika/encode.ts'
import { expectValidRecord } from '../test/helpers/expect-valid-record.ts'
import { deviceImei } from './imei.ts'
import { createRandom } from './random.ts'
import { ROUTES } from './routes.ts'
import { SimulatedVehicle } from './vehicle.ts'

const context = { now: new Date(Date.UTC(2026, 0, 15, 9)), crc: 'strict' } as const
const START_MS = Date.UTC(2026, 0, 15, 8)

describe.each([
  ['codec 8', CODEC.codec8],
  ['codec 8E', CODEC.codec8Extended],
  ['codec 16', CODEC.codec16],
] as const)('simulated packets in %s', (_, codec: EncodableCodec) => {
  it('decode to the generated records, with units converted', () => {
    const imei = deviceImei('356307042440000', 3)
    const handshake = decode(encodeImeiHandshake(imei), { transport: 'tcp' }, context)
    expect(handshake.identity?.imei).toBe(imei)

    for (const [r, route] of ROUTES.entries()) {
      const vehicle = new SimulatedVehicle(route, createRandom(100 + r), { segment: 0, fraction: 0 })
      // 50 records (a full history packet) spread over 25 minutes, so stops and ignition changes occur.
      const inputs = Array.from({ length: 50 }, (_, i) => vehicle.recordAt(i * 30, START_MS + i * 30_000))
      const decoded = decode(encodeAvlPacket(inputs, codec), { transport: 'tcp', imei }, context)
      expect(decoded.error).toBeUndefined()
      expect(decoded.ack).toEqual(Buffer.from('00000032', 'hex'))
      expect(decoded.records).toHaveLength(50)
      for (const [i, record] of decoded.records.entries()) {
        const input = inputs[i]!
        expectValidRecord(record)
        expect(record).toMatchObject({
          imei,
          protocol: 'teltonika',
          fixTime: new Date(input.timeMs).toISOString(),
          valid: true,
          latitude: input.latitude,
          longitude: input.longitude,
          speedKmh: input.speedKmh,
          course: input.course,
          altitude: input.altitude,
          satellites: input.satellites,
          ignition: input.io[IO.ignition] === 1,
          motion: input.io[IO.movement] === 1,
          externalVoltageV: Number(input.io[IO.externalVoltageMv]) / 1000,
          batteryVoltageV: Number(input.io[IO.batteryVoltageMv]) / 1000,
          odometerKm: Number(input.io[IO.totalOdometerM]) / 1000,
          gsmSignal: input.io[IO.gsmSignal],
        })
        if (input.eventIoId === IO.ignition) {
          expect(record.events).toEqual([input.io[IO.ignition] === 1 ? 'ignitionOn' : 'ignitionOff'])
        } else {
          expect(record.events).toEqual([])
        }
      }
    }
  })
})
