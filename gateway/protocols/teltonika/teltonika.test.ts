import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { expectValidRecord } from '../../../test/helpers/expect-valid-record.ts'
import type { DeviceRecord, RecordEvent } from '../../record.ts'
import type { ProtocolErrorCode } from '../errors.ts'
import type { DecodeContext, Decoded, Session } from '../types.ts'
import { decode } from './decode.ts'
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
// Real device messages from shared/protocols/vectors.json (see its README for the fields).

interface ExpectedRecord {
  fixTime?: string
  deviceTime?: string
  outdated?: boolean
  note?: string
  latitude?: number
  longitude?: number
  speedKmh?: number
  course?: number
  altitude?: number
  satellites?: number
  valid?: boolean
  ignition?: boolean
  motion?: boolean
  power?: number
  battery?: number
  odometer?: number
  alarms?: string[]
  alarmsIfFmbModel?: string[]
  io?: Record<string, number | string>
}

interface Vector {
  id: string
  protocol: string
  transport: 'tcp' | 'udp' | 'http'
  kind: string
  hex: string
  expect: {
    ack?: string | null
    imei?: string
    positions?: number
    crcValid?: boolean
    udpPacketId?: string
    frames?: string[]
    records?: ExpectedRecord[]
  }
}

const ALL_VECTORS: Vector[] = JSON.parse(
  readFileSync(new URL('../../../../shared/protocols/vectors.json', import.meta.url), 'utf8'),
)
const VECTORS = ALL_VECTORS.filter((vector) => vector.protocol === 'teltonika')
const STREAM_VECTORS = VECTORS.filter((vector) => vector.transport === 'tcp' && vector.kind !== 'frame')
const bytesOf = (vector: Vector): Buffer => Buffer.from(vector.hex, 'hex')
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
