import { describe, expect, it } from 'vitest'
import { expectValidRecord } from '../../../test/helpers/expect-valid-record.ts'
import { crc16Ibm } from '../../lib/crc.ts'
import type { DeviceRecord, RecordEvent } from '../../../core/record.ts'
import type { ProtocolErrorCode } from '../errors.ts'
import type { DecodeContext, Decoded, Session } from '../types.ts'
import { decode } from './decode.ts'
import { describeMessage } from './describe.ts'
import {
  encodeAvlPacket,
  encodeImeiHandshake,
  encodeImeiReply,
  encodeRecordCountAck,
  encodeUdpAck,
  encodeUdpDatagram,
  type TeltonikaRecordInput,
} from './encode.ts'
import { frame } from './frame.ts'
import { teltonika } from './index.ts'
import { createRandom, intBetween, type Random } from '../../../simulator/random.ts'
import { loadVectors, vectorBytes, type Vector as SharedVector, type ExpectedRecord } from '../../../test/helpers/vectors.ts'
import { frameReads as framesOfReads } from '../../../test/helpers/framing.ts'

const MAX_FRAME_BYTES = 64 * 1024
const IMEI = '356307042441013'
const NOW = new Date('2025-07-01T12:00:00.000Z')
const TCP: Session = { transport: 'tcp', imei: IMEI }
const STRICT: DecodeContext = { now: NOW, crc: 'strict' }
const LENIENT: DecodeContext = { now: NOW, crc: 'lenient' }

/** Examples from Teltonika's own "Teltonika Data Sending Protocols" documentation. */
const DOC_CODEC8_TWO_RECORDS =
  '000000000000004308020000016b40d57b480100000000000000000000000000000001010101000000000000016b40d5c198010000000000000000000000000000000101010101000000020000252c'
const DOC_CODEC8E_ONE_RECORD =
  '000000000000004a8e010000016b412cee000100000000000000000000000000000000010005000100010100010011001d00010010015e2c880002000b000000003544c87a000e000000001dd7e06a00000100002994'

describe('teltonika encoders', () => {
  it('encodes the IMEI handshake as a 2-byte length and ASCII digits', () => {
    expect(encodeImeiHandshake('123456789012345').toString('hex')).toBe('000f313233343536373839303132333435')
  })

  it('encodes the handshake reply as 01 to accept and 00 to reject', () => {
    expect(encodeImeiReply(true).toString('hex')).toBe('01')
    expect(encodeImeiReply(false).toString('hex')).toBe('00')
  })

  it('encodes a codec 8 packet byte for byte like the documentation example, CRC included', () => {
    const record = { timeMs: 0x16b40d57b48, latitude: 0, longitude: 0, priority: 1, eventIoId: 1, io: { 1: 0 } }
    const packet = encodeAvlPacket([record, { ...record, timeMs: 0x16b40d5c198, io: { 1: 1 } }])
    expect(packet.toString('hex')).toBe(DOC_CODEC8_TWO_RECORDS)
  })

  it('encodes a codec 8E packet with 2-byte ids and counts like the documentation example', () => {
    const record = {
      timeMs: 0x16b412cee00,
      latitude: 0,
      longitude: 0,
      priority: 1,
      eventIoId: 1,
      io: { 1: 1, 17: 0x1d, 16: 0x15e2c88, 11: 0x3544c87an, 14: 0x1dd7e06an },
    }
    expect(encodeAvlPacket([record], 0x8e).toString('hex')).toBe(DOC_CODEC8E_ONE_RECORD)
  })

  it('encodes the TCP ACK as a 4-byte record count', () => {
    expect(encodeRecordCountAck(14).toString('hex')).toBe('0000000e')
  })

  it('encodes the UDP ACK with the packet id, the AVL packet id and the accepted count', () => {
    expect(encodeUdpAck(0xcafe, 0x22, 1).toString('hex')).toBe('0005cafe012201')
  })

  it('encodes a UDP datagram with its length, ids and IMEI in front of the AVL data, without CRC', () => {
    const datagram = encodeUdpDatagram('357454072713975', 0xcafe, 0x22, [{ timeMs: 0, latitude: 0, longitude: 0, io: {} }])
    const imei = Buffer.from('357454072713975', 'ascii').toString('hex')
    const avlData = '0801' + '00'.repeat(24 + 6) + '01'
    expect(datagram.toString('hex')).toBe('0036' + 'cafe' + '01' + '22' + '000f' + imei + avlData)
  })

  it('refuses values that do not fit their IO width', () => {
    expect(() => encodeAvlPacket([{ timeMs: 0, latitude: 0, longitude: 0, io: { 239: 256 } }])).toThrow(RangeError)
    expect(() => encodeAvlPacket([{ timeMs: 0, latitude: 0, longitude: 0, io: { 300: 1 } }], 0x08)).toThrow(RangeError)
  })
})

// ---------------------------------------------------------------------------------------------
// Real device messages from test/fixtures/vectors/teltonika.json (its README describes the fields and their source).


type Vector = SharedVector<{
  ack?: string | null
  imei?: string
  positions?: number
  crcValid?: boolean
  udpPacketId?: string
  frames?: string[]
  records?: ExpectedRecord[]
}>

const VECTORS: Vector[] = loadVectors('teltonika')
const STREAM_VECTORS = VECTORS.filter((vector) => vector.transport === 'tcp' && vector.kind !== 'frame')
const bytesOf = vectorBytes
/** TCP vectors the framer emits whole, as one message. */
const COMPLETE_TCP_VECTORS = STREAM_VECTORS.filter((vector) => {
  const { frames, rest } = frame(bytesOf(vector), MAX_FRAME_BYTES)
  return frames.length === 1 && rest.length === 0
})
const INCOMPLETE_TCP_VECTORS = STREAM_VECTORS.filter((vector) => !COMPLETE_TCP_VECTORS.includes(vector))
const UDP_VECTORS = VECTORS.filter((vector) => vector.transport === 'udp')

/** Traccar alarm names in the vectors, as our events. */
const EVENT_FOR_TRACCAR_ALARM: Record<string, RecordEvent> = {
  hardAcceleration: 'harshAcceleration',
  hardBraking: 'harshBraking',
  hardCornering: 'harshCornering',
  powerCut: 'powerCut',
  powerRestored: 'powerRestored',
  accident: 'accident',
  towing: 'towing',
  jamming: 'jamming',
}

/** Where we deliberately differ from what Traccar produced for a vector record (by vector id and record index). */
const DIFFERENCES_FROM_TRACCAR: Record<string, Record<number, { events?: RecordEvent[]; withoutPosition?: true }>> = {
  // The record's event IO is 239 (ignition) and io239 = 0: we report the change, Traccar raises nothing.
  'telt-c8-multi-001': { 1: { events: ['ignitionOff'] } },
  // The GPS block has no coordinates; Traccar fills in 0/0 and calls it valid, we report no position.
  'telt-c7-001': { 3: { withoutPosition: true } },
}

/**
 * Vectors whose declared length runs past their bytes, so the framer waits for more. Fed to decode
 * directly anyway: in strict mode both are errors; in lenient mode the CRC field is not consulted,
 * so a packet whose data is complete and only its CRC field is cut short still decodes.
 */
const LENIENT_DECODE_OF_INCOMPLETE: Record<string, 'decodes' | ProtocolErrorCode> = {
  // Declares 166 data bytes and carries 33: the data itself is missing.
  'telt-c8-malformed-002': 'TRUNCATED',
  // All 199 data bytes are there; only the 4-byte CRC field is cut to 3 bytes.
  'telt-c7-truncated-001': 'decodes',
}

/** The corpus rounds coordinates to 5 decimals; compare within 1e-5 degrees, as Traccar's tests do. */
const COORDINATE_TOLERANCE = 1e-5

function expectWithin(actual: number | undefined, expected: number, tolerance: number): void {
  expect(actual).toBeTypeOf('number')
  expect(Math.abs(actual! - expected), `${actual} within ${tolerance} of ${expected}`).toBeLessThanOrEqual(tolerance)
}

function expectedAck(vector: Vector): string | null {
  const ack = vector.expect.ack ?? null
  // Traccar writes 0000 as the UDP packet id of its ACK (that is what the vector holds); Teltonika's
  // documentation has the server echo the datagram's packet id, which is what the device matches on.
  if (ack !== null && vector.transport === 'udp') return ack.slice(0, 4) + vector.expect.udpPacketId + ack.slice(8)
  return ack
}

function decodeVector(vector: Vector, context: DecodeContext): Decoded {
  return decode(bytesOf(vector), vector.transport === 'udp' ? { transport: 'udp' } : TCP, context)
}

function expectDecodedAsVectorSays(vector: Vector, decoded: Decoded): void {
  expect(decoded.error).toBeUndefined()
  expect(decoded.ack ? Buffer.from(decoded.ack).toString('hex') : null).toBe(expectedAck(vector))
  if (vector.expect.imei !== undefined) expect(decoded.identity?.imei).toBe(vector.expect.imei)
  const expected = vector.expect.records ?? []
  expect(decoded.records).toHaveLength(vector.expect.positions ?? expected.length)
  decoded.records.forEach((record, index) => {
    expectValidRecord(record)
    expectRecordAsVectorSays(record, expected[index]!, DIFFERENCES_FROM_TRACCAR[vector.id]?.[index] ?? {})
  })
}

function expectRecordAsVectorSays(
  record: DeviceRecord,
  expected: ExpectedRecord,
  difference: { events?: RecordEvent[]; withoutPosition?: true },
): void {
  expect(record.fixTime).toBe(expected.fixTime ?? expected.deviceTime)
  expect(record.receivedAt).toBe(NOW.toISOString())
  expect(record.buffered).toBe(false)
  if (expected.outdated || difference.withoutPosition) {
    expect(record.latitude).toBeUndefined()
    expect(record.longitude).toBeUndefined()
    expect(record.valid).toBe(false)
  } else {
    if (expected.latitude !== undefined) expectWithin(record.latitude, expected.latitude, COORDINATE_TOLERANCE)
    if (expected.longitude !== undefined) expectWithin(record.longitude, expected.longitude, COORDINATE_TOLERANCE)
    if (expected.valid !== undefined) expect(record.valid).toBe(expected.valid)
  }
  for (const field of ['speedKmh', 'course', 'altitude', 'satellites', 'ignition', 'motion'] as const) {
    if (expected[field] !== undefined) expect(record[field], field).toBe(expected[field])
  }
  if (expected.power !== undefined) expect(record.externalVoltageV).toBeCloseTo(expected.power, 6)
  if (expected.battery !== undefined) expect(record.batteryVoltageV).toBeCloseTo(expected.battery, 6)
  if (expected.odometer !== undefined) expect(record.odometerKm).toBeCloseTo(expected.odometer / 1000, 6)
  if (expected.io !== undefined) expect(record.io).toEqual(expected.io)
  if (expected.alarms !== undefined || expected.alarmsIfFmbModel !== undefined || difference.events) {
    const traccarAlarms = [...(expected.alarms ?? []), ...(expected.alarmsIfFmbModel ?? [])]
    const events = [...traccarAlarms.map((alarm) => EVENT_FOR_TRACCAR_ALARM[alarm]!), ...(difference.events ?? [])]
    expect([...record.events].sort()).toEqual([...new Set(events)].sort())
  }
}

describe('teltonika vectors', () => {
  it('covers every Teltonika vector in the corpus', () => {
    expect(VECTORS).toHaveLength(29)
    const covered = new Set([...COMPLETE_TCP_VECTORS, ...INCOMPLETE_TCP_VECTORS, ...UDP_VECTORS])
    expect(VECTORS.filter((vector) => !covered.has(vector)).map((vector) => vector.kind)).toEqual(['frame'])
    expect(Object.keys(LENIENT_DECODE_OF_INCOMPLETE).sort()).toEqual(INCOMPLETE_TCP_VECTORS.map((v) => v.id).sort())
  })

  for (const vector of VECTORS.filter((v) => v.kind === 'frame')) {
    it(`${vector.id}: the stream splits into the expected frames`, () => {
      const { frames, rest, error } = frame(bytesOf(vector), MAX_FRAME_BYTES)
      expect(frames.map((f) => f.toString('hex'))).toEqual(vector.expect.frames)
      expect(rest).toHaveLength(0)
      expect(error).toBeUndefined()
    })
  }

  for (const vector of [...COMPLETE_TCP_VECTORS, ...UDP_VECTORS]) {
    if (vector.expect.crcValid === false) {
      it(`${vector.id}: a bad CRC is rejected without an ACK by default`, () => {
        expect(decodeVector(vector, STRICT)).toEqual({ records: [], error: expect.objectContaining({ code: 'BAD_CHECKSUM' }) })
      })
      it(`${vector.id}: with a lenient CRC policy it decodes to the expected values`, () => {
        expectDecodedAsVectorSays(vector, decodeVector(vector, LENIENT))
      })
    } else {
      it(`${vector.id}: decodes to the expected values and reply`, () => {
        expectDecodedAsVectorSays(vector, decodeVector(vector, STRICT))
      })
    }
  }

  for (const vector of INCOMPLETE_TCP_VECTORS) {
    it(`${vector.id}: the framer keeps waiting for the bytes its length field promises`, () => {
      const { frames, rest, error } = frame(bytesOf(vector), MAX_FRAME_BYTES)
      expect(frames).toEqual([])
      expect(rest.equals(bytesOf(vector))).toBe(true)
      expect(error).toBeUndefined()
    })
    it(`${vector.id}: decoded directly, it is an error in strict mode, not a crash`, () => {
      const decoded = decodeVector(vector, STRICT)
      expect(decoded.records).toEqual([])
      expect(decoded.ack).toBeUndefined()
      expect(['TRUNCATED', 'MALFORMED']).toContain(decoded.error?.code)
    })
    const lenient = LENIENT_DECODE_OF_INCOMPLETE[vector.id]!
    if (lenient === 'decodes') {
      it(`${vector.id}: decoded directly in lenient mode, the complete data decodes to the expected values`, () => {
        expectDecodedAsVectorSays(vector, decodeVector(vector, LENIENT))
      })
    } else {
      it(`${vector.id}: decoded directly in lenient mode, it is still ${lenient}`, () => {
        const decoded = decodeVector(vector, LENIENT)
        expect(decoded).toEqual({ records: [], error: expect.objectContaining({ code: lenient }) })
      })
    }
  }
})

// ---------------------------------------------------------------------------------------------

const randomInt = (random: Random, below: number): number => intBetween(random, 0, below - 1)

const frameReads = (reads: Buffer[]) => framesOfReads(frame, reads, MAX_FRAME_BYTES)

describe('teltonika frame', () => {
  it('yields the same frames wherever a real message is cut across two reads', () => {
    for (const vector of COMPLETE_TCP_VECTORS) {
      const bytes = bytesOf(vector)
      for (let cut = 0; cut <= bytes.length; cut++) {
        const { frames, rest } = frameReads([bytes.subarray(0, cut), bytes.subarray(cut)])
        expect(frames).toEqual([vector.hex])
        expect(rest).toHaveLength(0)
      }
    }
  })

  it('splits many messages glued into one read, and the same stream cut into random reads', () => {
    const random = createRandom(1)
    const messages = Array.from({ length: 200 }, () => COMPLETE_TCP_VECTORS[randomInt(random, COMPLETE_TCP_VECTORS.length)]!.hex)
    const stream = Buffer.from(messages.join(''), 'hex')
    expect(frameReads([stream]).frames).toEqual(messages)

    const reads: Buffer[] = []
    for (let at = 0; at < stream.length; ) {
      const length = 1 + randomInt(random, 300)
      reads.push(stream.subarray(at, at + length))
      at += length
    }
    expect(frameReads(reads)).toEqual({ frames: messages, rest: Buffer.alloc(0) })
  })

  it('keeps an incomplete tail in rest until the next read completes it', () => {
    const packet = encodeAvlPacket([{ timeMs: Date.UTC(2024, 0, 1), latitude: 1, longitude: 2, io: {} }])
    const first = frame(Buffer.concat([Buffer.of(0xff), packet.subarray(0, 10)]), MAX_FRAME_BYTES)
    expect(first.frames.map((f) => f.toString('hex'))).toEqual(['ff'])
    expect(first.rest.equals(packet.subarray(0, 10))).toBe(true)
    expect(frame(Buffer.concat([first.rest, packet.subarray(10)]), MAX_FRAME_BYTES).frames).toEqual([packet])
  })

  it('refuses a huge length field at once, without waiting for the data', () => {
    const header = Buffer.from('00000000ffffffff', 'hex')
    expect(frame(header, MAX_FRAME_BYTES).error?.code).toBe('FRAME_TOO_LONG')
    const justOverTheLimit = Buffer.from('000000000000fff5', 'hex') // 65525 + 12 bytes > 64 KiB
    expect(frame(justOverTheLimit, MAX_FRAME_BYTES).error?.code).toBe('FRAME_TOO_LONG')
    expect(frame(Buffer.from('000000000000fff4', 'hex'), MAX_FRAME_BYTES)).toEqual({
      frames: [],
      rest: Buffer.from('000000000000fff4', 'hex'),
    })
  })

  it('applies the limit to the IMEI handshake as well', () => {
    expect(frame(encodeImeiHandshake(IMEI), 16).error?.code).toBe('FRAME_TOO_LONG')
    expect(frame(encodeImeiHandshake(IMEI), 17).frames).toHaveLength(1)
  })

  it('reports bytes that cannot start a Teltonika message as BAD_FRAME, keeping the frames before them', () => {
    const handshake = encodeImeiHandshake(IMEI)
    const http = frame(Buffer.concat([handshake, Buffer.from('GET / HTTP/1.1\r\n')]), MAX_FRAME_BYTES)
    expect(http.frames).toEqual([handshake])
    expect(http.error?.code).toBe('BAD_FRAME')
    expect(http.rest.toString()).toBe('GET / HTTP/1.1\r\n')
    expect(frame(Buffer.from('0000000100000010', 'hex'), MAX_FRAME_BYTES).error?.code).toBe('BAD_FRAME')
    expect(frame(Buffer.from('000001', 'hex'), MAX_FRAME_BYTES).error?.code).toBe('BAD_FRAME')
    expect(frame(Buffer.from('0000000000000002', 'hex'), MAX_FRAME_BYTES).error?.code).toBe('BAD_FRAME')
  })

  it('waits on a stream that has not yet shown enough bytes to judge', () => {
    for (const hex of ['', '00', '0000', '000000', '00000000', '00000000000000', '000f3132']) {
      expect(frame(Buffer.from(hex, 'hex'), MAX_FRAME_BYTES)).toEqual({ frames: [], rest: Buffer.from(hex, 'hex') })
    }
  })
})

describe('teltonika decode', () => {
  const record: TeltonikaRecordInput = {
    timeMs: Date.UTC(2024, 4, 1, 8, 30, 15, 250),
    latitude: 54.6872136,
    longitude: -25.2796601,
    altitude: -12,
    course: 271,
    satellites: 11,
    speedKmh: 87,
    io: { 239: 1, 240: 1, 21: 4, 66: 13_812, 67: 4_021, 16: 123_456_789 },
  }
  const packet = (io: TeltonikaRecordInput['io'], eventIoId = 0): Buffer =>
    encodeAvlPacket([{ ...record, io, eventIoId }])
  const eventsOf = (io: TeltonikaRecordInput['io'], eventIoId = 0): RecordEvent[] =>
    decode(packet(io, eventIoId), TCP, STRICT).records[0]!.events

  it('answers the IMEI handshake with 01 and offers 00 for a refused device', () => {
    const decoded = decode(encodeImeiHandshake(IMEI), { transport: 'tcp' }, STRICT)
    expect(decoded).toEqual({ records: [], identity: { imei: IMEI, reject: Buffer.of(0) }, ack: Buffer.of(1) })
  })

  it('refuses an IMEI that is not 15 ASCII digits', () => {
    for (const imei of ['35630704244101', '3563070424410130', '35630704244101x']) {
      expect(decode(encodeImeiHandshake(imei), { transport: 'tcp' }, STRICT)).toEqual({
        records: [],
        error: expect.objectContaining({ code: 'BAD_IMEI' }),
      })
    }
  })

  it('ignores the keep-alive ping: no records, no reply', () => {
    expect(decode(Buffer.of(0xff), TCP, STRICT)).toEqual({ records: [] })
  })

  it('does not acknowledge AVL data that arrives before the IMEI handshake', () => {
    expect(decode(packet({}), { transport: 'tcp' }, STRICT)).toEqual({
      records: [],
      error: expect.objectContaining({ code: 'NOT_IDENTIFIED' }),
    })
  })

  it('acknowledges a packet with its record count and converts units once', () => {
    const decoded = decode(packet(record.io), TCP, STRICT)
    expect(decoded.ack).toEqual(encodeRecordCountAck(1))
    expect(decoded.records).toEqual([
      {
        imei: IMEI,
        protocol: 'teltonika',
        fixTime: '2024-05-01T08:30:15.250Z',
        receivedAt: NOW.toISOString(),
        buffered: false,
        valid: true,
        latitude: 54.6872136,
        longitude: -25.2796601,
        speedKmh: 87,
        course: 271,
        altitude: -12,
        satellites: 11,
        ignition: true,
        motion: true,
        externalVoltageV: 13.812,
        batteryVoltageV: 4.021,
        odometerKm: 123_456.789,
        gsmSignal: 4,
        events: [],
        io: { 239: 1, 240: 1, 21: 4, 66: 13_812, 67: 4_021, 16: 123_456_789 },
      },
    ])
  })

  it('omits what the device did not report and calls a fix without satellites invalid', () => {
    const [decoded] = decode(encodeAvlPacket([{ ...record, satellites: 0, io: {} }]), TCP, STRICT).records
    expect(decoded!.valid).toBe(false)
    expect(decoded!.latitude).toBe(54.6872136)
    for (const field of ['ignition', 'motion', 'externalVoltageV', 'batteryVoltageV', 'odometerKm', 'gsmSignal']) {
      expect(decoded).not.toHaveProperty(field)
    }
  })

  it('keeps records in the order they came, not sorted by time', () => {
    const times = [3, 1, 2].map((minute) => Date.UTC(2024, 0, 1, 0, minute))
    const decoded = decode(encodeAvlPacket(times.map((timeMs) => ({ ...record, timeMs }))), TCP, STRICT)
    expect(decoded.records.map((r) => Date.parse(r.fixTime))).toEqual(times)
    expect(decoded.ack).toEqual(encodeRecordCountAck(3))
  })

  it('keeps 8-byte IO values above 2^53-1 exact, as decimal strings', () => {
    const io = decode(packet({ 78: 2n ** 64n - 1n, 11: 2n ** 53n - 1n }), TCP, STRICT).records[0]!.io
    expect(io).toEqual({ 78: '18446744073709551615', 11: Number.MAX_SAFE_INTEGER })
  })

  it('names green driving, unplug, crash, towing and jamming events whatever the device model', () => {
    expect(eventsOf({ 253: 1 })).toEqual(['harshAcceleration'])
    expect(eventsOf({ 253: 2 })).toEqual(['harshBraking'])
    expect(eventsOf({ 253: 3 })).toEqual(['harshCornering'])
    expect(eventsOf({ 252: 1 })).toEqual(['powerCut'])
    expect(eventsOf({ 247: 2 })).toEqual(['accident'])
    expect(eventsOf({ 246: 1 })).toEqual(['towing'])
    expect(eventsOf({ 249: 1 })).toEqual(['jamming'])
    expect(eventsOf({ 249: 2, 247: 0, 246: 0, 253: 0 })).toEqual([])
  })

  it('gives the green-driving force of acceleration and braking in g (io254 is g x 100), not the angle of cornering', () => {
    const forceOf = (io: TeltonikaRecordInput['io']) => decode(packet(io, 0), TCP, STRICT).records[0]!.harshForceG
    expect(forceOf({ 253: 2, 254: 52 })).toBe(0.52)
    expect(forceOf({ 253: 1, 254: 38 })).toBe(0.38)
    expect(forceOf({ 253: 3, 254: 40 })).toBeUndefined()
    expect(forceOf({ 253: 2, 254: 0 })).toBeUndefined()
    expect(forceOf({ 254: 52 })).toBeUndefined()
  })

  it('reports power restored only when the unplug IO triggered the record', () => {
    expect(eventsOf({ 252: 0 }, 252)).toEqual(['powerRestored'])
    expect(eventsOf({ 252: 0 })).toEqual([])
  })

  it('reports an ignition change only when the ignition IO triggered the record', () => {
    expect(eventsOf({ 239: 1 }, 239)).toEqual(['ignitionOn'])
    expect(eventsOf({ 239: 0 }, 239)).toEqual(['ignitionOff'])
    expect(eventsOf({ 239: 1 })).toEqual([])
  })

  it('rejects a packet whose record counts disagree as MALFORMED', () => {
    const data = Buffer.from(packet({}).subarray(8, -4))
    data[data.length - 1] = 2
    const tampered = Buffer.concat([packet({}).subarray(0, 8), data, encodeRecordCountAck(crc16Ibm(data))])
    expect(decode(tampered, TCP, STRICT).error?.code).toBe('MALFORMED')
  })

  it('rejects a packet whose length leaves bytes after the last record as MALFORMED', () => {
    const data = Buffer.concat([packet({}).subarray(8, -4), Buffer.of(0)])
    const header = Buffer.from(`00000000${data.length.toString(16).padStart(8, '0')}`, 'hex')
    const padded = Buffer.concat([header, data, encodeRecordCountAck(crc16Ibm(data))])
    expect(decode(padded, TCP, STRICT).error?.code).toBe('MALFORMED')
  })

  it('rejects an unknown codec as UNKNOWN_TYPE', () => {
    const data = Buffer.from('ff0000', 'hex')
    const unknown = Buffer.concat([Buffer.from('0000000000000003', 'hex'), data, encodeRecordCountAck(crc16Ibm(data))])
    expect(decode(unknown, TCP, STRICT).error?.code).toBe('UNKNOWN_TYPE')
  })

  it('neither records nor acknowledges a codec 12 command response', () => {
    const c12 = VECTORS.find((vector) => vector.kind === 'command-response' && vector.expect.crcValid)!
    expect(decode(bytesOf(c12), TCP, STRICT)).toEqual({ records: [] })
  })

  it('decodes a UDP datagram with the IMEI it carries, whatever the session knows', () => {
    const datagram = encodeUdpDatagram(IMEI, 0x1234, 0x07, [record, record])
    const decoded = decode(datagram, { transport: 'udp' }, STRICT)
    expect(decoded.identity).toEqual({ imei: IMEI })
    expect(decoded.records.map((r) => r.imei)).toEqual([IMEI, IMEI])
    expect(decoded.ack).toEqual(encodeUdpAck(0x1234, 0x07, 2))
  })

  it('rejects a UDP datagram shorter or longer than its length field', () => {
    const datagram = encodeUdpDatagram(IMEI, 1, 1, [record])
    expect(decode(datagram.subarray(0, -1), { transport: 'udp' }, STRICT).error?.code).toBe('TRUNCATED')
    expect(decode(Buffer.concat([datagram, Buffer.of(0)]), { transport: 'udp' }, STRICT).error?.code).toBe('MALFORMED')
  })

  it('rejects a UDP datagram whose IMEI is not 15 digits', () => {
    expect(decode(encodeUdpDatagram('12345', 1, 1, [record]), { transport: 'udp' }, STRICT).error?.code).toBe('BAD_IMEI')
  })
})

describe('teltonika descriptor', () => {
  it('offers TCP and UDP on port 5027 with the Teltonika frame and decode functions', () => {
    expect(teltonika).toEqual({ name: 'teltonika', transports: ['tcp', 'udp'], defaultPort: 5027, frame, decode, describeMessage })
  })
})

describe('teltonika encode then decode', () => {
  const records: TeltonikaRecordInput[] = [
    {
      timeMs: Date.UTC(2025, 2, 3, 4, 5, 6, 789),
      latitude: -33.4379212,
      longitude: -70.6496701,
      altitude: 571,
      course: 359,
      satellites: 14,
      speedKmh: 131,
      priority: 1,
      eventIoId: 239,
      io: { 239: 0, 240: 1, 21: 5, 1: 1, 66: 0, 67: 3_900, 24: 131, 16: 4_000_000_000, 241: 24_602, 78: 2n ** 60n, 300: 70_000 },
    },
    { timeMs: Date.UTC(2025, 2, 3, 4, 5, 0), latitude: 89.9999999, longitude: 179.9999999, io: {} },
  ]
  const expectRoundTrip = (decoded: DeviceRecord[], inputs: TeltonikaRecordInput[]): void => {
    expect(decoded).toHaveLength(inputs.length)
    decoded.forEach((record, index) => {
      const input = inputs[index]!
      expectValidRecord(record)
      expect(record).toMatchObject({
        fixTime: new Date(input.timeMs).toISOString(),
        latitude: input.latitude,
        longitude: input.longitude,
        altitude: input.altitude ?? 0,
        course: input.course ?? 0,
        satellites: input.satellites ?? 0,
        speedKmh: input.speedKmh ?? 0,
      })
      const io = Object.fromEntries(
        Object.entries(input.io).map(([id, value]) => [id, typeof value === 'bigint' ? value.toString() : value]),
      )
      expect(record.io).toEqual(io)
    })
    expect(decoded[0]!.events).toEqual(['ignitionOff'])
  }

  for (const codec of [0x08, 0x8e, 0x10] as const) {
    it(`gives back what was encoded as a codec 0x${codec.toString(16)} TCP packet`, () => {
      // Codec 8 IO ids are one byte.
      const inputs = codec === 0x08 ? records.map((r) => ({ ...r, io: withoutWideIds(r.io) })) : records
      const { frames } = frame(encodeAvlPacket(inputs, codec), MAX_FRAME_BYTES)
      const decoded = decode(frames[0]!, TCP, STRICT)
      expect(decoded.ack).toEqual(encodeRecordCountAck(2))
      expectRoundTrip(decoded.records, inputs)
    })
  }

  it('gives back what was encoded as a UDP datagram', () => {
    const decoded = decode(encodeUdpDatagram(IMEI, 0xbeef, 0x42, records, 0x8e), { transport: 'udp' }, STRICT)
    expect(decoded.ack).toEqual(encodeUdpAck(0xbeef, 0x42, 2))
    expectRoundTrip(decoded.records, records)
  })
})

function withoutWideIds(io: TeltonikaRecordInput['io']): TeltonikaRecordInput['io'] {
  return Object.fromEntries(Object.entries(io).filter(([id]) => Number(id) < 256))
}
