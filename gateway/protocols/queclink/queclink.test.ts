import { describe, expect, it } from 'vitest'
import { expectValidRecord } from '../../../test/helpers/expect-valid-record.ts'
import { loadVectors, type Vector, type ExpectedRecord } from '../../../test/helpers/vectors.ts'
import { createRandom, intBetween, pick, type Random } from '../../../simulator/random.ts'
import { decodeMessages } from '../../decode-cli.ts'
import { type DeviceRecord, RECORD_EVENTS, type RecordEvent } from '../../../core/record.ts'
import type { ProtocolErrorCode } from '../errors.ts'
import type { DecodeContext, Decoded, Session } from '../types.ts'
import { decode } from './decode.ts'
import { describeMessage } from './describe.ts'
import {
  encodeHeartbeat,
  encodeHeartbeatSack,
  encodeReport,
  encodeSack,
  formatCountNumber,
  type QueclinkRecordInput,
  type QueclinkReportKind,
} from './encode.ts'
import { frame } from './frame.ts'
import { queclink } from './index.ts'
import { cutRandomly, frameReads as framesOfReads } from '../../../test/helpers/framing.ts'

const MAX_FRAME_BYTES = 64 * 1024
const NOW = new Date('2026-07-01T12:00:00.000Z')
const CONTEXT: DecodeContext = { now: NOW, crc: 'strict' }
const TCP: Session = { transport: 'tcp' }
const UDP: Session = { transport: 'udp' }
const IMEI = '862894021808798'

// ---------------------------------------------------------------------------------------------
// Real device messages from test/fixtures/vectors/queclink.json (its README describes the fields and their source).


interface Expect {
  header?: string
  messageType?: string
  protocolVersion?: string
  imei?: string
  countNumber?: string
  buffered?: boolean
  sendTime?: string
  ack?: string | null
  sackWhenGl200AckEnabled?: string
  reply?: string
  positions?: number
  frames?: string[]
  records?: ExpectedRecord[]
}

const VECTORS = loadVectors<Expect>('queclink')
const TEXT_VECTORS = VECTORS.filter((vector) => vector.text !== undefined)
const BINARY_VECTORS = VECTORS.filter((vector) => vector.hex !== undefined && vector.kind !== 'frame')
const FRAME_VECTORS = VECTORS.filter((vector) => vector.kind === 'frame')

/** A text vector as a device sends it over TCP: with its `$` (about half the vectors were captured without). */
const streamBytes = (vector: Vector<Expect>): Buffer => Buffer.from(vector.text!.endsWith('$') ? vector.text! : `${vector.text}$`, 'latin1')
/** The frame a correct splitter emits for it: the sentence without its `$`. */
const frameOf = (vector: Vector<Expect>): string => Buffer.from(vector.text!.replace(/\$$/, ''), 'latin1').toString('hex')
const hexBytes = (vector: Vector<Expect>): Buffer => Buffer.from(vector.hex!, 'hex')

/** Traccar alarm names in the vectors, as our events. */
const EVENT_FOR_TRACCAR_ALARM: Record<string, RecordEvent> = {
  sos: 'sos',
  powerCut: 'powerCut',
  powerRestored: 'powerRestored',
  hardBraking: 'harshBraking',
  hardAcceleration: 'harshAcceleration',
  hardCornering: 'harshCornering',
  lowBattery: 'lowBattery',
  jamming: 'jamming',
  tow: 'towing',
}

interface Difference {
  why: string
  /** Records we emit instead of Traccar's positions. */
  records?: number
  /** Our events for the first record, instead of Traccar's alarms. */
  events?: RecordEvent[]
  /** Fields of the first record Traccar fills in that we leave out. */
  omits?: (keyof ExpectedRecord)[]
  /** Refused instead of decoded. */
  refused?: ProtocolErrorCode
}

/** Where we deliberately differ from what Traccar produced for a vector. */
const DIFFERENCES_FROM_TRACCAR: Record<string, Difference> = {
  'ql-ack-001': {
    why: 'a command acknowledgement carries no position; Traccar stores an outdated "result" position',
    records: 0,
  },
  'ql-pfa-001': {
    why: 'GTPFA is the device switching itself off, not an external power cut; RECORD_EVENTS has no powerOff',
    events: [],
  },
  'ql-ign-001': { why: 'an ignition report is an ignition change; Traccar raises no alarm for it', events: ['ignitionOn'] },
  'ql-ign-buff-001': { why: 'an ignition report is an ignition change', events: ['ignitionOn'] },
  'ql-igf-buff-001': { why: 'an ignition report is an ignition change', events: ['ignitionOff'] },
  'ql-fri-buff-003': {
    why: 'speed, azimuth and altitude are empty fields: not reported, where Traccar writes 0',
    omits: ['speedKmh', 'course', 'altitude'],
  },
  'ql-mpn-001': {
    why: 'the "00" before the send time is GTMPN\'s reserved field; Traccar\'s decodeBasic takes it for a 0 % battery',
    omits: ['batteryLevel'],
  },
  'ql-bin-001': { why: 'binary mode is framed but not decoded', refused: 'UNKNOWN_TYPE' },
  'ql-bin-002': { why: 'binary mode is framed but not decoded', refused: 'UNKNOWN_TYPE' },
}

/** The corpus rounds coordinates to 5 decimals; compare within 1e-5 degrees, as Traccar's tests do. */
const COORDINATE_TOLERANCE = 1e-5

function expectWithin(actual: number | undefined, expected: number, tolerance: number, what: string): void {
  expect(actual, what).toBeTypeOf('number')
  expect(Math.abs(actual! - expected), `${what}: ${actual} within ${tolerance} of ${expected}`).toBeLessThanOrEqual(tolerance)
}

/** The reply the vector says the server sends: always for a heartbeat, and the +SACK we always send. */
function expectedReply(vector: Vector<Expect>): string | null {
  return vector.expect.reply ?? vector.expect.sackWhenGl200AckEnabled ?? null
}

function expectDecodedAsVectorSays(vector: Vector<Expect>, decoded: Decoded): void {
  const { expect: expected } = vector
  const difference = DIFFERENCES_FROM_TRACCAR[vector.id] ?? { why: '' }
  expect(decoded.error).toBeUndefined()
  expect(decoded.ack ? Buffer.from(decoded.ack).toString('latin1') : null).toBe(expectedReply(vector))
  expect(decoded.identity).toEqual({ imei: expected.imei })
  expect(decoded.records).toHaveLength(difference.records ?? expected.positions ?? 0)
  decoded.records.forEach((record, index) => {
    expectValidRecord(record)
    expect(record.imei).toBe(expected.imei)
    expect(record.buffered).toBe(expected.buffered)
    expect(record.io).toMatchObject({ type: expected.messageType, protocolVersion: expected.protocolVersion, countNumber: expected.countNumber })
    if (expected.sendTime) expect(record.io.sendTime).toBe(expected.sendTime)
    expectRecordAsVectorSays(record, expected.records![index]!, expected.sendTime, index === 0 ? difference : { why: '' })
  })
}

function expectRecordAsVectorSays(record: DeviceRecord, expected: ExpectedRecord, sendTime: string | undefined, difference: Difference): void {
  expect(record.receivedAt).toBe(NOW.toISOString())
  if (expected.outdated) {
    // No fix in the message: the record has no position and carries the send time.
    expect(record.fixTime).toBe(sendTime)
    expect(record).not.toHaveProperty('latitude')
    expect(record.valid).toBe(false)
  } else {
    expect(record.fixTime).toBe(expected.fixTime)
    expectWithin(record.latitude, expected.latitude!, COORDINATE_TOLERANCE, 'latitude')
    expectWithin(record.longitude, expected.longitude!, COORDINATE_TOLERANCE, 'longitude')
    expect(record.valid).toBe(expected.valid)
  }
  const omitted = new Set(difference.omits ?? [])
  for (const field of ['speedKmh', 'course', 'altitude', 'satellites', 'hdop', 'ignition', 'motion'] as const) {
    if (expected[field] === undefined) continue
    if (omitted.has(field)) expect(record, field).not.toHaveProperty(field)
    else expect(record[field], field).toBe(expected[field])
  }
  if (expected.power !== undefined) expect(record.externalVoltageV).toBeCloseTo(expected.power, 6)
  if (expected.battery !== undefined) expect(record.batteryVoltageV).toBeCloseTo(expected.battery, 6)
  if (expected.batteryLevel !== undefined) {
    if (omitted.has('batteryLevel')) expect(record).not.toHaveProperty('batteryLevelPct')
    else expect(record.batteryLevelPct).toBe(expected.batteryLevel)
  }
  if (expected.odometer !== undefined) expect(record.odometerKm).toBeCloseTo(expected.odometer / 1000, 6)
  if (expected.hours !== undefined) expect(record.engineHoursH).toBeCloseTo(expected.hours / 3_600_000, 6)
  const events = difference.events ?? (expected.alarms ?? []).map((alarm) => EVENT_FOR_TRACCAR_ALARM[alarm]!)
  expect([...record.events].sort()).toEqual([...new Set(events)].sort())
}

describe('queclink vectors', () => {
  it('covers every Queclink vector in the corpus: 21 text, 2 binary, 1 stream', () => {
    expect(VECTORS).toHaveLength(24)
    expect([TEXT_VECTORS.length, BINARY_VECTORS.length, FRAME_VECTORS.length]).toEqual([21, 2, 1])
    for (const id of Object.keys(DIFFERENCES_FROM_TRACCAR)) expect(VECTORS.map((vector) => vector.id)).toContain(id)
  })

  for (const vector of FRAME_VECTORS) {
    it(`${vector.id}: the stream splits into the expected frames, "$" dropped`, () => {
      const { frames, rest, error } = frame(hexBytes(vector), MAX_FRAME_BYTES)
      expect(frames.map((f) => f.toString('hex'))).toEqual(vector.expect.frames)
      expect(rest).toHaveLength(0)
      expect(error).toBeUndefined()
    })
    it(`${vector.id}: its frame, a GL500 GTSTR report, decodes generically to one sane record`, () => {
      const decoded = decode(Buffer.from(vector.expect.frames![0]!, 'hex'), TCP, CONTEXT)
      expect(decoded.records).toHaveLength(1)
      expectValidRecord(decoded.records[0]!)
      expect(decoded.records[0]).toMatchObject({ fixTime: '2017-05-29T14:05:30.000Z', latitude: 44.403736, longitude: 25.94424, speedKmh: 0.3 })
      expect(Buffer.from(decoded.ack!).toString()).toBe('+SACK:02DA$')
    })
  }

  for (const vector of TEXT_VECTORS) {
    const why = DIFFERENCES_FROM_TRACCAR[vector.id]?.why
    it(`${vector.id}: decodes to the expected values and reply${why ? ` (differs: ${why})` : ''}`, () => {
      expectDecodedAsVectorSays(vector, decode(Buffer.from(vector.text!, 'latin1'), TCP, CONTEXT))
    })
  }

  it('decodes every text vector the same from a TCP frame, a UDP datagram with "$" and one without', () => {
    for (const vector of TEXT_VECTORS) {
      const { frames } = frame(streamBytes(vector), MAX_FRAME_BYTES)
      expect(frames).toHaveLength(1)
      const viaTcp = decode(frames[0]!, TCP, CONTEXT)
      expectDecodedAsVectorSays(vector, viaTcp)
      expect(decode(streamBytes(vector), UDP, CONTEXT)).toEqual(viaTcp)
      expect(decode(Buffer.from(vector.text!.replace(/\$$/, ''), 'latin1'), UDP, CONTEXT)).toEqual(viaTcp)
    }
  })

  for (const vector of BINARY_VECTORS) {
    it(`${vector.id}: a binary frame is framed whole by its length field`, () => {
      const { frames, rest, error } = frame(hexBytes(vector), MAX_FRAME_BYTES)
      expect(frames.map((f) => f.toString('hex'))).toEqual([vector.hex])
      expect(rest).toHaveLength(0)
      expect(error).toBeUndefined()
    })
    it(`${vector.id}: binary mode is refused as UNKNOWN_TYPE, with no reply (Traccar sends none either)`, () => {
      expect(vector.expect.ack).toBeNull()
      const decoded = decode(hexBytes(vector), TCP, CONTEXT)
      expect(decoded).toEqual({ records: [], error: { code: 'UNKNOWN_TYPE', message: expect.stringContaining('binary') } })
    })
  }
})

// ---------------------------------------------------------------------------------------------

const randomInt = (random: Random, below: number): number => intBetween(random, 0, below - 1)

const frameReads = (reads: Buffer[], maxFrameBytes = MAX_FRAME_BYTES) => framesOfReads(frame, reads, maxFrameBytes)


/** Every real message as stream bytes and the frame it must give. */
const STREAM_MESSAGES = [
  ...TEXT_VECTORS.map((vector) => ({ bytes: streamBytes(vector), frame: frameOf(vector) })),
  ...BINARY_VECTORS.map((vector) => ({ bytes: hexBytes(vector), frame: vector.hex! })),
]

describe('queclink frame', () => {
  it('yields the same frame wherever a real message is cut across two reads', () => {
    for (const message of STREAM_MESSAGES) {
      for (let cut = 0; cut <= message.bytes.length; cut++) {
        const { frames, rest } = frameReads([message.bytes.subarray(0, cut), message.bytes.subarray(cut)])
        expect(frames).toEqual([message.frame])
        expect(rest).toHaveLength(0)
      }
    }
  })

  it('splits many messages glued into one read, and the same stream cut into random reads', () => {
    const random = createRandom(1)
    const messages = Array.from({ length: 300 }, () => pick(random, STREAM_MESSAGES))
    // Some devices end a line after the "$"; separators between messages are skipped.
    const stream = Buffer.concat(messages.map((message) => (random() < 0.3 ? Buffer.concat([message.bytes, Buffer.from('\r\n')]) : message.bytes)))
    const expected = messages.map((message) => message.frame)
    expect(frameReads([stream]).frames).toEqual(expected)
    for (let round = 0; round < 20; round++) {
      const { frames, rest } = frameReads(cutRandomly(random, stream))
      expect(frames).toEqual(expected)
      expect(rest).toHaveLength(0)
    }
  })

  it('keeps an unterminated report as the rest until its "$" arrives', () => {
    const report = '+RESP:GTPFA,F50201,866425030235982,GL300M,20190208124849,0BD4'
    expect(frame(Buffer.from(report), MAX_FRAME_BYTES)).toEqual({ frames: [], rest: Buffer.from(report) })
    expect(frame(Buffer.from(`${report}$+RESP:GT`), MAX_FRAME_BYTES)).toEqual({ frames: [Buffer.from(report)], rest: Buffer.from('+RESP:GT') })
  })

  it('ends a report at a NUL as Traccar does', () => {
    const { frames, rest } = frame(Buffer.from('+ACK:GTHBD,1A0401,135790246811220,,20100214093254,11F0\0'), MAX_FRAME_BYTES)
    expect(frames.map(String)).toEqual(['+ACK:GTHBD,1A0401,135790246811220,,20100214093254,11F0'])
    expect(rest).toHaveLength(0)
  })

  it('waits on the first bytes of any opening, binary "+ACK" included, until they can tell', () => {
    for (const start of ['+', '+R', '+RES', '+RESP', '+BU', '+ACK', '+RSP', '+HB', '+\0\0']) {
      expect(frame(Buffer.from(start, 'latin1'), MAX_FRAME_BYTES), start).toEqual({ frames: [], rest: Buffer.from(start, 'latin1') })
    }
  })

  it('rejects bytes that cannot start an @Track message as BAD_FRAME at once', () => {
    for (const garbage of ['GET / HTTP/1.1\r\n', '$', '+RESPX', '+ACX', '\x78\x78\x11\x01', 'hello']) {
      const framed = frame(Buffer.from(garbage, 'latin1'), MAX_FRAME_BYTES)
      expect(framed.error?.code, JSON.stringify(garbage)).toBe('BAD_FRAME')
      expect(framed.frames).toEqual([])
    }
  })

  it('rejects a non-ASCII byte inside a text report as BAD_FRAME, after the good reports before it', () => {
    const good = TEXT_VECTORS[0]!
    const framed = frame(Buffer.concat([streamBytes(good), Buffer.from('+RESP:GTFRI,06\xff', 'latin1')]), MAX_FRAME_BYTES)
    expect(framed.frames.map((f) => f.toString('hex'))).toEqual([frameOf(good)])
    expect(framed.error).toEqual({ code: 'BAD_FRAME', message: 'byte 0xff at offset 14 of an ASCII @Track report' })
  })

  it('rejects an endless line without "$" as FRAME_TOO_LONG as soon as it passes the limit', () => {
    const limit = 1024
    let pending: Buffer = Buffer.alloc(0)
    const line = Buffer.from(`+RESP:GTFRI,060402,${IMEI},${'A'.repeat(10_000)}`)
    let reads = 0
    for (const read of cutRandomly(createRandom(4), line)) {
      reads++
      const framed = frame(Buffer.concat([pending, read]), limit)
      if (framed.error) {
        expect(framed.error.code).toBe('FRAME_TOO_LONG')
        expect(pending.length).toBeLessThanOrEqual(limit)
        expect(pending.length + read.length).toBeGreaterThan(limit)
        return
      }
      pending = framed.rest
    }
    expect.fail(`no error after ${reads} reads`)
  })

  it('accepts a report of exactly the limit and refuses one byte more', () => {
    const report = Buffer.from(TEXT_VECTORS[0]!.text!.replace(/\$$/, ''), 'latin1')
    expect(frame(Buffer.concat([report, Buffer.from('$')]), report.length).frames).toEqual([report])
    expect(frame(Buffer.concat([report, Buffer.from('$')]), report.length - 1).error?.code).toBe('FRAME_TOO_LONG')
  })

  it('rejects a binary length field beyond the limit as FRAME_TOO_LONG before its bytes arrive', () => {
    const header = Buffer.from('2b5253500700000000ffff', 'hex') // +RSP, length 0xffff at offset 9
    expect(frame(header, 1024).error?.code).toBe('FRAME_TOO_LONG')
    expect(frame(Buffer.from('2b00ffff', 'hex'), 1024).error?.code).toBe('FRAME_TOO_LONG')
  })

  it('rejects a binary length field too short to cover its own header as BAD_FRAME, so it cannot stall the stream', () => {
    expect(frame(Buffer.from('2b0000', 'hex'), 1024)).toEqual({ frames: [], rest: Buffer.from('2b0000', 'hex') })
    expect(frame(Buffer.from('2b000003', 'hex'), 1024).error?.code).toBe('BAD_FRAME')
    expect(frame(Buffer.from('2b484244000000', 'hex'), 1024).error?.code).toBe('BAD_FRAME') // +HBD, length 0 at offset 5
  })
})

// ---------------------------------------------------------------------------------------------

const decodeText = (text: string, session: Session = TCP): Decoded => decode(Buffer.from(text, 'latin1'), session, CONTEXT)
const FRI_001 = TEXT_VECTORS.find((vector) => vector.id === 'ql-fri-001')!.text!
const MULTI = TEXT_VECTORS.find((vector) => vector.id === 'ql-fri-multi-002')!.text!

describe('queclink decode', () => {
  it('reads a power-on (GTPNA) and a watchdog reboot (GTDOG) as deviceReset, and a power-off (GTPFA) as no event', () => {
    const eventsOf = (text: string) => decodeText(text).records.map((record) => record.events)
    expect(eventsOf('+RESP:GTPNA,F50201,866425030235982,GL300M,20190208124849,0BD5$')).toEqual([['deviceReset']])
    expect(eventsOf(FRI_001.replace(':GTFRI,', ':GTDOG,'))).toEqual([['deviceReset']])
    expect(eventsOf('+RESP:GTPFA,F50201,866425030235982,GL300M,20190208124849,0BD4$')).toEqual([[]])
  })

  it('marks +BUFF records as buffered history and +RESP records as live', () => {
    const live = decodeText(FRI_001)
    const history = decodeText(FRI_001.replace('+RESP:', '+BUFF:'))
    expect(live.records[0]!.buffered).toBe(false)
    expect(history.records[0]!.buffered).toBe(true)
    expect({ ...history.records[0], buffered: false }).toEqual(live.records[0])
    expect(history.ack).toEqual(live.ack)
  })

  it('answers a heartbeat with +SACK:GTHBD, its protocol version and count number, and stores nothing', () => {
    expect(decodeText('+ACK:GTHBD,060402,862894021808798,,20260701120000,00A1$')).toEqual({
      records: [],
      identity: { imei: IMEI },
      ack: encodeHeartbeatSack('060402', 0xa1),
    })
  })

  it('acknowledges a command acknowledgement with +SACK and stores nothing', () => {
    const decoded = decodeText('+ACK:GTRTO,1A0800,860599000773978,GL300,VER,FFFF,20161006053520,0C19')
    expect(decoded).toEqual({ records: [], identity: { imei: '860599000773978' }, ack: Buffer.from('+SACK:0C19$') })
  })

  it('echoes the count number in the +SACK exactly as the device wrote it', () => {
    expect(String(decodeText(FRI_001.replace(',32DB$', ',32db$')).ack)).toBe('+SACK:32db$')
  })

  it('reads external power, battery, odometer, hour meter and ignition from a GV300 GTFRI', () => {
    const [record] = decodeText(
      '+RESP:GTFRI,060402,862894021808798,truck 7,13800,10,1,1,42.5,90,120.0,24.000001,-45.500000,20260701115959,0736,0003,6ABA,8305,00,123456.7,01234:30:00,,,87,220100,,,,20260701120000,0001$',
    ).records
    expect(record).toMatchObject({
      fixTime: '2026-07-01T11:59:59.000Z',
      latitude: -45.5,
      longitude: 24.000001,
      speedKmh: 42.5,
      externalVoltageV: 13.8,
      batteryLevelPct: 87,
      odometerKm: 123456.7,
      engineHoursH: 1234.5,
      ignition: true,
      motion: true,
      io: { deviceName: 'truck 7', deviceStatus: '220100', mcc: 736, mnc: 3, lac: 0x6aba, cellId: 0x8305, sendTime: '2026-07-01T12:00:00.000Z' },
    })
  })

  it('takes the field after the device name for a report id, not a voltage, on GL-family GTFRI', () => {
    const glWithReportId = MULTI.replace('GL300W,0,0,2,', 'GL300W,5000,0,2,')
    expect(decodeText(glWithReportId).records[1]).not.toHaveProperty('externalVoltageV')
  })

  it('gives one record per location block, the device state on the last one only', () => {
    const records = decodeText(MULTI).records
    expect(records.map((record) => record.fixTime)).toEqual(['2016-02-15T21:04:33.000Z', '2016-02-15T21:05:03.000Z'])
    expect(records[0]).not.toHaveProperty('batteryLevelPct')
    expect(records[1]!.batteryLevelPct).toBe(88)
  })

  it('skips a block without a fix but keeps the blocks after it that have one', () => {
    const firstWithoutFix = MULTI.replace('-78.481127,-0.206828,20160215210433', ',,')
    const records = decodeText(firstWithoutFix).records
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ fixTime: '2016-02-15T21:05:03.000Z', batteryLevelPct: 88 })
  })

  it('names harsh braking, acceleration and cornering from the GTHBM report type', () => {
    const hbm = TEXT_VECTORS.find((vector) => vector.id === 'ql-hbm-cornering-001')!.text!
    const eventsFor = (reportType: string) => decodeText(hbm.replace(',12,1,', `,${reportType},1,`)).records[0]!.events
    expect(eventsFor('10')).toEqual(['harshBraking'])
    expect(eventsFor('21')).toEqual(['harshAcceleration'])
    expect(eventsFor('32')).toEqual(['harshCornering'])
    expect(eventsFor('13')).toEqual(['harshBraking'])
    expect(eventsFor('14')).toEqual(['harshAcceleration'])
    expect(eventsFor('15')).toEqual([])
  })

  it('names a main power cut (GTMPF, GTEPF) and its restore (GTMPN, GTEPN)', () => {
    const mpn = TEXT_VECTORS.find((vector) => vector.id === 'ql-mpn-001')!.text!
    const eventsOf = (type: string) => decodeText(mpn.replace('GTMPN', type)).records[0]!.events
    expect([eventsOf('GTMPF'), eventsOf('GTEPF'), eventsOf('GTMPN'), eventsOf('GTEPN')]).toEqual([
      ['powerCut'],
      ['powerCut'],
      ['powerRestored'],
      ['powerRestored'],
    ])
  })

  it('reads the motion state of GTSTT into ignition and motion', () => {
    const stt = '+RESP:GTSTT,060100,135790246811220,,22,0,4.3,92,70.0,121.354335,31.222073,20090214013254,0460,0000,18d8,6141,00,20090214093254,11F0$'
    expect(decodeText(stt).records[0]).toMatchObject({ ignition: true, motion: true, speedKmh: 4.3, latitude: 31.222073 })
    const sensorOnly = decodeText(stt.replace(',,22,', ',,41,')).records[0]!
    expect(sensorOnly.motion).toBe(false)
    expect(sensorOnly).not.toHaveProperty('ignition')
  })

  it('keeps a report without a fix as one record without a position, timed by its send time', () => {
    const [record] = decodeText('+RESP:GTSOS,060402,862894021808798,,,00,1,,,,,,,,0736,0003,6ABA,8305,00,,20260701120000,0002$').records
    expect(record).toMatchObject({ fixTime: '2026-07-01T12:00:00.000Z', valid: false, events: ['sos'], io: { lac: 0x6aba } })
    for (const field of ['latitude', 'longitude', 'speedKmh', 'course', 'altitude', 'hdop']) expect(record).not.toHaveProperty(field)
    expectValidRecord(record!)
  })

  it('times a report without a fix or send time by its arrival', () => {
    const [record] = decodeText('+BUFF:GTSOS,060402,862894021808798,,,00,1,,,,,,,,,,,,,,,0003').records
    expect(record).toMatchObject({ fixTime: NOW.toISOString(), buffered: true, valid: false })
  })

  it('reads an unknown report around its first pair of coordinates, and stores nothing when it has none', () => {
    const withFix = decodeText('+RESP:GTXYZ,060402,862894021808798,,7,7,1,2,10.0,45,5.0,2.350000,48.850000,20260701115900,,,,,00,20260701120000,0004$')
    expect(withFix.records[0]).toMatchObject({ latitude: 48.85, longitude: 2.35, speedKmh: 10, io: { type: 'GTXYZ' } })
    expect(decodeText('+RESP:GTINF,060402,862894021808798,,21,89860,16,0,0,,,3.91,1,,,20260701120000,0005$')).toEqual({
      records: [],
      identity: { imei: IMEI },
      ack: Buffer.from('+SACK:0005$'),
    })
  })

  it('keeps an unknown report without a fix when it carries an event (GTJDR jamming)', () => {
    const [record] = decodeText('+RESP:GTJDR,060402,862894021808798,,,,,,,,,,,,,,,20260701120000,0006$').records
    expect(record).toMatchObject({ valid: false, events: ['jamming'], fixTime: '2026-07-01T12:00:00.000Z' })
  })

  it('accepts a 14-hex-digit MEID as the identity, in capitals', () => {
    const decoded = decodeText(FRI_001.replace('868487004353181', 'a1000043d20139'))
    expect(decoded.identity).toEqual({ imei: 'A1000043D20139' })
    expect(decoded.records[0]!.imei).toBe('A1000043D20139')
  })

  it('refuses a message whose IMEI is not the one its TCP connection identified', () => {
    const decoded = decode(Buffer.from(FRI_001), { transport: 'tcp', imei: IMEI }, CONTEXT)
    expect(decoded).toEqual({ records: [], error: { code: 'BAD_IMEI', message: `IMEI 868487004353181 on a connection identified as ${IMEI}` } })
    expect(decode(Buffer.from(FRI_001), { transport: 'udp', imei: IMEI }, CONTEXT).error).toBeUndefined()
  })

  const REFUSED: [string, string, ProtocolErrorCode][] = [
    ['not @Track at all', 'GET / HTTP/1.1', 'BAD_FRAME'],
    ['a non-ASCII byte', FRI_001.replace('cv100', 'cv\u00e9100'), 'BAD_FRAME'],
    ['two reports in one datagram', `${FRI_001}${FRI_001}`, 'MALFORMED'],
    ['an unknown sentence type', '+RESP:XXFRI,060402,862894021808798,0001$', 'UNKNOWN_TYPE'],
    ['a report with three fields', '+RESP:GTFRI,060402,862894021808798$', 'TRUNCATED'],
    ['an IMEI of 13 digits', FRI_001.replace('868487004353181', '8684870043531'), 'BAD_IMEI'],
    ['an IMEI with a letter', FRI_001.replace('868487004353181', '86848700435318X'), 'BAD_IMEI'],
    ['no count number', FRI_001.replace(',32DB$', '$'), 'MALFORMED'],
    ['a count number of 5 digits', FRI_001.replace(',32DB$', ',32DB0$'), 'MALFORMED'],
    ['more positions announced than carried', FRI_001.replace(',10,1,0,', ',10,2,0,'), 'TRUNCATED'],
    ['a number of positions that is no number', FRI_001.replace(',10,1,0,', ',10,x,0,'), 'MALFORMED'],
    ['a latitude beyond 90', FRI_001.replace('22.537178', '92.537178'), 'MALFORMED'],
    ['a report cut inside its location block', '+RESP:GTMPN,450102,865084030001323,gb100,0,1.6,0,-93.1,121.393023,20170619103143,0512$', 'TRUNCATED'],
    ['an append mask announcing a missing field', '+RESP:GTIGN,6E0202,868589060169789,ra79,379,1,0.0,105,532.2,-70.616413,-33.393457,20240610201712,0730,0001,333A,00CFA301,01,20240610201713,3AE2$', 'TRUNCATED'],
  ]
  for (const [what, text, code] of REFUSED) {
    it(`refuses ${what} as ${code}, with no record and no reply`, () => {
      const decoded = decodeText(text, UDP)
      expect(decoded.error?.code).toBe(code)
      expect(decoded.error?.message.length).toBeGreaterThan(10)
      expect(decoded.records).toEqual([])
      expect(decoded.ack).toBeUndefined()
    })
  }
})

describe('queclink descriptor', () => {
  it('offers TCP and UDP on port 5004 with the Queclink frame and decode functions', () => {
    expect(queclink).toEqual({ name: 'queclink', transports: ['tcp', 'udp'], defaultPort: 5004, frame, decode, describeMessage })
  })

  it('works through the decode command: a --text report over TCP needs its "$", over UDP it does not', () => {
    const text = '+RESP:GTPFA,F50201,866425030235982,GL300M,20190208124849,0BD4'
    const run = (transport: 'tcp' | 'udp', message: string) => decodeMessages({ protocol: queclink, transport, crc: 'strict', messages: [Buffer.from(message)] }, () => NOW)
    const sack = { type: 'ack', hex: Buffer.from('+SACK:0BD4$').toString('hex') }
    expect(run('tcp', `${text}$`)).toEqual([expect.objectContaining({ type: 'record', imei: '866425030235982' }), sack])
    expect(run('udp', text)).toEqual(run('tcp', `${text}$`))
    expect(run('tcp', text)).toEqual([expect.objectContaining({ type: 'error', code: 'TRUNCATED' })])
  })
})

// ---------------------------------------------------------------------------------------------

const BASE: QueclinkRecordInput = {
  timeMs: Date.UTC(2026, 6, 1, 11, 59, 30),
  latitude: -33.437921,
  longitude: -70.649670,
  speedKmh: 87.4,
  course: 271,
  altitude: 571.5,
}

describe('queclink encoders', () => {
  it('encodes a GV300 GTFRI sentence field for field', () => {
    const sentence = encodeReport(
      'GTFRI',
      IMEI,
      [{ ...BASE, hdop: 2, externalVoltageV: 13.812, batteryLevelPct: 95, odometerKm: 1234.56, engineHoursH: 10.5, ignition: true }],
      { countNumber: 0x1f, sendTimeMs: Date.UTC(2026, 6, 1, 12) },
    )
    expect(sentence.toString()).toBe(
      '+RESP:GTFRI,060402,862894021808798,,13812,10,1,2,87.4,271,571.5,-70.649670,-33.437921,20260701115930,,,,,00,1234.6,00010:30:00,,,95,220000,,,,20260701120000,001F$',
    )
  })

  it('encodes buffered history with +BUFF and its later send time', () => {
    const sentence = encodeReport('GTIGF', IMEI, [BASE], { countNumber: 2, buffered: true, sendTimeMs: Date.UTC(2026, 6, 1, 15) }).toString()
    expect(sentence).toBe('+BUFF:GTIGF,060402,862894021808798,,,1,87.4,271,571.5,-70.649670,-33.437921,20260701115930,,,,,00,,,20260701150000,0002$')
  })

  it('encodes the harsh behaviour into the GTHBM report type', () => {
    const reportType = (harsh: 'braking' | 'acceleration' | 'cornering') => encodeReport('GTHBM', IMEI, [BASE], { countNumber: 0, harsh }).toString().split(',')[5]
    expect([reportType('braking'), reportType('acceleration'), reportType('cornering')]).toEqual(['10', '11', '12'])
  })

  it('encodes the heartbeat, the +SACK and the heartbeat +SACK', () => {
    expect(encodeHeartbeat(IMEI, 0x11f0, { sendTimeMs: Date.UTC(2010, 1, 14, 9, 32, 54) }).toString()).toBe('+ACK:GTHBD,060402,862894021808798,,20100214093254,11F0$')
    expect(encodeHeartbeat(IMEI, 1).toString()).toBe('+ACK:GTHBD,060402,862894021808798,,,0001$')
    expect(encodeSack(0x32db).toString()).toBe('+SACK:32DB$')
    expect(encodeSack('0c19').toString()).toBe('+SACK:0c19$')
    expect(encodeHeartbeatSack('1A0401', '11F0').toString()).toBe('+SACK:GTHBD,1A0401,11F0$')
    expect(formatCountNumber(0)).toBe('0000')
  })

  it('refuses what a sentence cannot carry', () => {
    expect(() => encodeReport('GTFRI', IMEI, [], { countNumber: 0 })).toThrow(RangeError)
    expect(() => encodeReport('GTSOS', IMEI, [BASE, BASE], { countNumber: 0 })).toThrow(RangeError)
    expect(() => encodeReport('GTHBM', IMEI, [BASE], { countNumber: 0 })).toThrow(RangeError)
    expect(() => encodeReport('GTFRI', IMEI, [{ ...BASE, latitude: 91 }], { countNumber: 0 })).toThrow(RangeError)
    expect(() => encodeReport('GTFRI', IMEI, [BASE], { countNumber: 0x10000 })).toThrow(RangeError)
    expect(() => encodeSack('12345')).toThrow(RangeError)
  })
})

describe('queclink encode then decode', () => {
  const decodeStream = (bytes: Buffer): Decoded => {
    const { frames, rest, error } = frame(bytes, MAX_FRAME_BYTES)
    expect([frames.length, rest.length, error]).toEqual([1, 0, undefined])
    const decoded = decode(frames[0]!, TCP, CONTEXT)
    expect(decode(bytes, UDP, CONTEXT)).toEqual(decoded)
    expect(decoded.error).toBeUndefined()
    decoded.records.forEach(expectValidRecord)
    return decoded
  }
  const position = (input: QueclinkRecordInput) => ({
    fixTime: new Date(input.timeMs).toISOString(),
    valid: true,
    latitude: input.latitude,
    longitude: input.longitude,
    speedKmh: input.speedKmh,
    course: input.course,
    altitude: input.altitude,
    hdop: input.hdop ?? 1,
  })

  it('gives back a GTFRI with its device state, and acknowledges its count number', () => {
    const input = { ...BASE, hdop: 3, externalVoltageV: 0.012, batteryLevelPct: 40, odometerKm: 99_999.9, engineHoursH: 12_345.75, ignition: false }
    const decoded = decodeStream(encodeReport('GTFRI', IMEI, [input], { countNumber: 0xbeef }))
    expect(decoded.ack).toEqual(encodeSack(0xbeef))
    expect(decoded.records).toEqual([
      {
        imei: IMEI,
        protocol: 'queclink',
        receivedAt: NOW.toISOString(),
        buffered: false,
        ...position(input),
        externalVoltageV: 0.012,
        batteryLevelPct: 40,
        odometerKm: 99_999.9,
        engineHoursH: 12_345.75,
        ignition: false,
        motion: true,
        events: [],
        io: { type: 'GTFRI', protocolVersion: '060402', countNumber: 'BEEF', sendTime: new Date(input.timeMs).toISOString(), reportType: '10', deviceStatus: '120000' },
      },
    ])
  })

  it('gives back a 0 V external power reading, the sign of a cut supply', () => {
    const [record] = decodeStream(encodeReport('GTFRI', IMEI, [{ ...BASE, externalVoltageV: 0, batteryLevelPct: 60 }], { countNumber: 3 })).records
    expect(record).toMatchObject({ externalVoltageV: 0, batteryLevelPct: 60 })
  })

  it('gives back several GTFRI positions in order, the state on the last one', () => {
    const inputs = [2, 0, 1].map((minute) => ({ ...BASE, timeMs: Date.UTC(2026, 5, 30, 23, minute), latitude: 10 + minute, speedKmh: 0 }))
    inputs[2] = { ...inputs[2]!, batteryLevelPct: 77 }
    const records = decodeStream(encodeReport('GTFRI', IMEI, inputs, { countNumber: 1, buffered: true, sendTimeMs: NOW.getTime() })).records
    expect(records.map((record) => record.fixTime)).toEqual(inputs.map((input) => new Date(input.timeMs).toISOString()))
    expect(records.map((record) => [record.latitude, record.buffered, record.batteryLevelPct, record.motion])).toEqual([
      [12, true, undefined, undefined],
      [10, true, undefined, undefined],
      [11, true, 77, false],
    ])
  })

  const EVENTFUL: [QueclinkReportKind, { harsh?: 'braking' | 'acceleration' | 'cornering' }, Partial<DeviceRecord>][] = [
    ['GTIGN', {}, { events: ['ignitionOn'], ignition: true, odometerKm: 5.5, engineHoursH: 2 }],
    ['GTIGF', {}, { events: ['ignitionOff'], ignition: false, odometerKm: 5.5, engineHoursH: 2 }],
    ['GTMPN', {}, { events: ['powerRestored'] }],
    ['GTMPF', {}, { events: ['powerCut'] }],
    ['GTSOS', {}, { events: ['sos'], odometerKm: 5.5 }],
    ['GTHBM', { harsh: 'braking' }, { events: ['harshBraking'], odometerKm: 5.5 }],
    ['GTHBM', { harsh: 'acceleration' }, { events: ['harshAcceleration'], odometerKm: 5.5 }],
    ['GTHBM', { harsh: 'cornering' }, { events: ['harshCornering'], odometerKm: 5.5 }],
  ]
  for (const [kind, options, expected] of EVENTFUL) {
    it(`gives back ${kind}${options.harsh ? ` (${options.harsh})` : ''} with its event, live and buffered`, () => {
      const input = { ...BASE, odometerKm: 5.5, engineHoursH: 2 }
      for (const buffered of [false, true]) {
        const decoded = decodeStream(encodeReport(kind, IMEI, [input], { countNumber: 7, buffered, ...options }))
        expect(decoded.ack).toEqual(encodeSack(7))
        expect(decoded.records).toHaveLength(1)
        expect(decoded.records[0]).toMatchObject({ ...position(input), ...expected, buffered, io: { type: kind } })
      }
    })
  }

  it('gives back a heartbeat, with or without its send time, as its +SACK and nothing stored', () => {
    for (const heartbeat of [encodeHeartbeat(IMEI, 0x0102, { sendTimeMs: NOW.getTime() }), encodeHeartbeat(IMEI, 0x0102)]) {
      expect(decodeStream(heartbeat)).toEqual({ records: [], identity: { imei: IMEI }, ack: encodeHeartbeatSack('060402', 0x0102) })
    }
  })
})

// ---------------------------------------------------------------------------------------------
