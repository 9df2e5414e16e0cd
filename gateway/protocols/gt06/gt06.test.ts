import { describe, expect, it } from 'vitest'
import { createRandom, intBetween } from '../../../simulator/random.ts'
import { expectValidRecord } from '../../../test/helpers/expect-valid-record.ts'
import { loadVectors, type Vector, vectorBytes } from '../../../test/helpers/vectors.ts'
import { crcItu } from '../../lib/crc.ts'
import type { DeviceRecord, RecordEvent } from '../../../core/record.ts'
import type { DecodeContext, Decoded, Session } from '../types.ts'
import { decode, loginTimeZoneOffsetMinutes } from './decode.ts'
import { describeMessage } from './describe.ts'
import {
  encodeAlarm,
  encodeHeartbeat,
  encodeLocation,
  encodeLogin,
  encodePacket,
  encodeServerAck,
  encodeTimeReply,
  GT06_ALARM_CODES,
  type Gt06Alarm,
  type Gt06RecordInput,
  readServerAck,
  timeZoneWord,
} from './encode.ts'
import { frame } from './frame.ts'
import { gt06 } from './index.ts'
import { frameReads as framesOfReads } from '../../../test/helpers/framing.ts'

const MAX_FRAME_BYTES = 64 * 1024
const IMEI = '864717003283581'
const NOW = new Date('2025-07-01T12:00:00.000Z')
const LOGGED_IN: Session = { transport: 'tcp', imei: IMEI }
const NEW_CONNECTION: Session = { transport: 'tcp' }
const STRICT: DecodeContext = { now: NOW, crc: 'strict' }
const LENIENT: DecodeContext = { now: NOW, crc: 'lenient' }

const VECTORS = loadVectors('gt06')
const byId = (id: string): Vector => VECTORS.find((vector) => vector.id === id)!
/** Vectors that hold exactly one complete message. */
const MESSAGE_VECTORS = VECTORS.filter((vector) => vector.kind !== 'frame' && vector.kind !== 'truncated')
const hexOf = (bytes: Uint8Array | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('hex') : undefined)

/** Traccar alarm names that differ from ours. */
const EVENT_NAMES: Record<string, RecordEvent> = {
  hardBraking: 'harshBraking',
  hardAcceleration: 'harshAcceleration',
  hardCornering: 'harshCornering',
}

/** Where each `expect.records[]` key of the corpus lives in our record. */
const VECTOR_FIELDS: Record<string, (record: DeviceRecord) => unknown> = {
  speedKmh: (r) => r.speedKmh,
  course: (r) => r.course,
  satellites: (r) => r.satellites,
  valid: (r) => r.valid,
  ignition: (r) => r.ignition,
  charge: (r) => r.externalPowerConnected,
  blocked: (r) => r.io.blocked,
  armed: (r) => r.io.armed,
  batteryLevel: (r) => r.batteryLevelPct,
  rssi: (r) => r.gsmSignal,
  status: (r) => r.io.status,
  geofence: (r) => r.io.geofence,
  archive: (r) => r.buffered,
  event: (r) => r.io.event ?? r.io.uploadMode,
}
const CLOSE_FIELDS: Record<string, (record: DeviceRecord) => number | undefined> = {
  latitude: (r) => r.latitude,
  longitude: (r) => r.longitude,
  battery: (r) => r.batteryVoltageV,
  power: (r) => r.externalVoltageV,
  odometer: (r) => (r.odometerKm === undefined ? undefined : r.odometerKm * 1000),
}
/** Corpus keys that are Traccar bookkeeping, not values of the record. */
const NOT_RECORD_FIELDS = new Set(['deviceTime', 'speedKnots', 'traccarAlarmString', 'outdated', 'fixTime', 'alarms', 'note'])

function expectRecordMatches(record: DeviceRecord, expected: Record<string, unknown>): void {
  expectValidRecord(record)
  if (expected.outdated) {
    // No fix in the message: no coordinates, and the device's own time when it sent one (else arrival).
    expect(record).not.toHaveProperty('latitude')
    expect(record.valid).toBe(false)
    expect(record.fixTime).toBe((expected.deviceTime as string | undefined) ?? record.fixTime)
  } else {
    expect(record.fixTime).toBe(expected.fixTime)
  }
  const alarms = (expected.alarms as string[] | undefined) ?? []
  expect(record.events).toEqual(alarms.map((alarm) => EVENT_NAMES[alarm] ?? alarm))
  for (const [key, value] of Object.entries(expected)) {
    if (NOT_RECORD_FIELDS.has(key)) continue
    const close = CLOSE_FIELDS[key]
    const exact = VECTOR_FIELDS[key]
    if (close) expect(Math.abs(close(record)! - (value as number)), key).toBeLessThanOrEqual(1e-5)
    else if (exact) expect(exact(record), key).toEqual(value)
    else throw new Error(`no mapping for corpus key ${key}`)
  }
}

describe('gt06 vectors', () => {
  it('covers all 26 GT06 vectors of the shared corpus', () => {
    expect(VECTORS).toHaveLength(26)
  })

  for (const vector of MESSAGE_VECTORS.filter((v) => Array.isArray(v.expect.records))) {
    const crcValid = vector.expect.crcValid !== false
    it(`${vector.id}: decodes to the expected values and answers ${vector.expect.ack}${crcValid ? '' : ' (lenient CRC)'}`, () => {
      const decoded = decode(vectorBytes(vector), LOGGED_IN, crcValid ? STRICT : LENIENT)
      expect(decoded.error).toBeUndefined()
      expect(hexOf(decoded.ack)).toBe(vector.expect.ack)
      const expected = vector.expect.records as Record<string, unknown>[]
      expect(decoded.records).toHaveLength(expected.length)
      expect(decoded.records).toHaveLength(vector.expect.positions as number)
      decoded.records.forEach((record, index) => {
        expect(record.imei).toBe(IMEI)
        expectRecordMatches(record, expected[index]!)
      })
    })
  }

  it('stamps status messages without a device time with the arrival time, and 0x95 short alarms with their own', () => {
    const heartbeat = decode(vectorBytes(byId('gt06-heartbeat-001')), LOGGED_IN, STRICT).records[0]!
    expect(heartbeat.fixTime).toBe(NOW.toISOString())
    const alarm = decode(vectorBytes(byId('gt06-alarm-accel-001')), LOGGED_IN, STRICT).records[0]!
    expect(alarm.fixTime).toBe('2019-10-02T09:50:28.000Z')
    const status = decode(vectorBytes(byId('gt06-ext-status-001')), LOGGED_IN, STRICT).records[0]!
    expect(status.fixTime).toBe('2022-09-07T16:00:00.000Z')
  })

  it('reads the 0x37 history fix of gt06-archive-004 as buffered, with its odometer module', () => {
    const [record] = decode(vectorBytes(byId('gt06-archive-004')), LOGGED_IN, STRICT).records
    expectValidRecord(record!)
    expect(record).toMatchObject({ fixTime: '2020-08-13T05:00:10.000Z', buffered: true, valid: true, satellites: 5, odometerKm: 9 })
    expect(record!.latitude).toBeCloseTo(-6.13588, 5)
    expect(record!.longitude).toBeCloseTo(106.79224, 5)
    expect(record!.io).toMatchObject({ reupload: 1, uploadMode: 0, module002e: 9000, module003b: 6080 })
  })

  it('answers the Wi-Fi message of gt06-wifi-zero-len-001 with its time and stores nothing (Traccar stores an outdated position)', () => {
    const vector = byId('gt06-wifi-zero-len-001')
    const decoded = decode(vectorBytes(vector), LOGGED_IN, STRICT)
    expect(decoded).toEqual({ records: [], ack: Buffer.from(vector.expect.ack as string, 'hex') })
  })

  for (const vector of MESSAGE_VECTORS.filter((v) => v.kind === 'login')) {
    it(`${vector.id}: identifies ${vector.expect.imei} and answers with the login echo, offering no refusal reply`, () => {
      const decoded = decode(vectorBytes(vector), NEW_CONNECTION, STRICT)
      const timeZone = vector.expect.loginTimezoneOffsetMinutes
      const identity = timeZone === undefined ? { imei: vector.expect.imei } : { imei: vector.expect.imei, clockOffsetMinutes: timeZone }
      expect(decoded).toEqual({ records: [], identity, ack: Buffer.from(vector.expect.ack as string, 'hex') })
      expect(decoded.identity!.reject).toBeUndefined()
    })
  }

  it('gt06-preauth-001: ignores a message before the login, without a reply', () => {
    const decoded = decode(vectorBytes(byId('gt06-preauth-001')), NEW_CONNECTION, STRICT)
    expect(decoded).toEqual({ records: [], error: expect.objectContaining({ code: 'NOT_IDENTIFIED' }) })
  })

  it('gt06-malformed-001: rejects a frame too short for a serial number and CRC in either CRC mode, without a reply', () => {
    for (const context of [STRICT, LENIENT]) {
      expect(decode(vectorBytes(byId('gt06-malformed-001')), LOGGED_IN, context)).toEqual({
        records: [],
        error: expect.objectContaining({ code: 'MALFORMED' }),
      })
    }
  })

  const badCrc = MESSAGE_VECTORS.filter((vector) => vector.expect.crcValid === false && vector.expect.positions)
  it(`rejects the ${badCrc.length} vectors with a wrong CRC in strict mode, without a reply (Traccar would answer)`, () => {
    expect(badCrc.map((vector) => vector.id)).toEqual([
      'gt06-gps-badcrc-001',
      'gt06-alarm-lowbat-001',
      'gt06-alarm-lowbat-002',
      'gt06-alarm-braking-002',
    ])
    for (const vector of badCrc) {
      expect(decode(vectorBytes(vector), LOGGED_IN, STRICT)).toEqual({ records: [], error: expect.objectContaining({ code: 'BAD_CHECKSUM' }) })
    }
  })

  it('gt06-truncated-tail-001: keeps a message missing its final 0A as an incomplete tail', () => {
    const bytes = vectorBytes(byId('gt06-truncated-tail-001'))
    expect(frame(bytes, MAX_FRAME_BYTES)).toEqual({ frames: [], rest: bytes })
  })

  for (const vector of VECTORS.filter((v) => v.kind === 'frame')) {
    it(`${vector.id}: splits the stream into the expected frames`, () => {
      const framed = frame(vectorBytes(vector), MAX_FRAME_BYTES)
      expect(framed.frames.map((f) => f.toString('hex'))).toEqual(vector.expect.frames)
      expect(framed.rest).toHaveLength(0)
    })
  }
})

describe('gt06 frame', () => {
  const frameReads = (reads: Buffer[], max = MAX_FRAME_BYTES) => framesOfReads(frame, reads, max)

  it('yields the same frames wherever a real message is cut across two reads', () => {
    for (const vector of MESSAGE_VECTORS) {
      const bytes = vectorBytes(vector)
      for (let cut = 0; cut <= bytes.length; cut++) {
        expect(frameReads([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual({ frames: [vector.hex], rest: Buffer.alloc(0) })
      }
    }
  })

  it('splits many messages glued into one read, and the same stream cut into random reads', () => {
    const random = createRandom(6)
    const messages = Array.from({ length: 300 }, () => MESSAGE_VECTORS[intBetween(random, 0, MESSAGE_VECTORS.length - 1)]!.hex!)
    const stream = Buffer.from(messages.join(''), 'hex')
    expect(frameReads([stream]).frames).toEqual(messages)
    const reads: Buffer[] = []
    for (let at = 0; at < stream.length; ) {
      const length = intBetween(random, 1, 200)
      reads.push(stream.subarray(at, at + length))
      at += length
    }
    expect(frameReads(reads)).toEqual({ frames: messages, rest: Buffer.alloc(0) })
  })

  it('refuses a huge length field at once, without waiting for the data', () => {
    expect(frame(Buffer.from('7979ffff', 'hex'), MAX_FRAME_BYTES).error?.code).toBe('FRAME_TOO_LONG')
    expect(frame(Buffer.from('7878ff', 'hex'), 100).error?.code).toBe('FRAME_TOO_LONG')
    // 7979, the 2-byte length, that many bytes, 0D0A: a length of 0xFFFA makes exactly 64 KiB.
    expect(frame(Buffer.from('7979fffa', 'hex'), MAX_FRAME_BYTES)).toEqual({ frames: [], rest: Buffer.from('7979fffa', 'hex') })
    expect(frame(Buffer.from('7979fffb', 'hex'), MAX_FRAME_BYTES).error?.code).toBe('FRAME_TOO_LONG')
  })

  it('bounds a message without a length: no 0D0A within 1 KiB is FRAME_TOO_LONG', () => {
    const endless = Buffer.concat([Buffer.from('78780069', 'hex'), Buffer.alloc(1020, 0x11)])
    expect(frame(endless.subarray(0, 1023), MAX_FRAME_BYTES)).toEqual({ frames: [], rest: endless.subarray(0, 1023) })
    expect(frame(endless, MAX_FRAME_BYTES).error?.code).toBe('FRAME_TOO_LONG')
    expect(frame(endless.subarray(0, 100), 64).error?.code).toBe('FRAME_TOO_LONG')
  })

  it('keeps an incomplete tail in rest until the next read completes it', () => {
    const login = encodeLogin(IMEI, 1)
    const location = encodeLocation(LOCATION, 2)
    const first = frame(Buffer.concat([login, location.subarray(0, 10)]), MAX_FRAME_BYTES)
    expect(first.frames).toEqual([login])
    expect(first.rest.equals(location.subarray(0, 10))).toBe(true)
    expect(frame(Buffer.concat([first.rest, location.subarray(10)]), MAX_FRAME_BYTES).frames).toEqual([location])
  })

  it('waits on a stream that has not yet shown enough bytes to judge', () => {
    for (const hex of ['78', '7878', '7979', '797900', '78780d01', '78780069170926']) {
      expect(frame(Buffer.from(hex, 'hex'), MAX_FRAME_BYTES)).toEqual({ frames: [], rest: Buffer.from(hex, 'hex') })
    }
  })

  it('reports bytes that cannot start a GT06 message as BAD_FRAME, keeping the frames before them', () => {
    const login = encodeLogin(IMEI, 1)
    const http = frame(Buffer.concat([login, Buffer.from('GET / HTTP/1.1\r\n')]), MAX_FRAME_BYTES)
    expect(http.frames).toEqual([login])
    expect(http.error?.code).toBe('BAD_FRAME')
    expect(http.rest.toString()).toBe('GET / HTTP/1.1\r\n')
    for (const hex of ['00', '7879', '7978', '0d0a']) expect(frame(Buffer.from(hex, 'hex'), MAX_FRAME_BYTES).error?.code).toBe('BAD_FRAME')
  })

  it('ends a message whose length byte is off by a little at the 0D0A nearest after the declared end', () => {
    const next = encodeServerAck(0x13, 7)
    for (const delta of [-4, -1, 1, 4]) {
      const wrong = withLength(encodeLocation(LOCATION, 3), delta)
      expect(frameReads([Buffer.concat([wrong, next])])).toEqual({ frames: [wrong.toString('hex'), next.toString('hex')], rest: Buffer.alloc(0) })
      const decoded = decode(wrong, LOGGED_IN, STRICT)
      expect(decoded.error).toBeUndefined()
      expect(decoded.records).toHaveLength(1)
    }
  })

  it('does not cut a message at a 0D0A inside its content while the length field still fits', () => {
    const content = Buffer.from('0d0a0d0a0d0a0d0a', 'hex')
    const message = encodePacket(0x99, content, 0x0d0a)
    expect(frameReads([message.subarray(0, 9), message.subarray(9)]).frames).toEqual([message.toString('hex')])
  })

  it('gives up with BAD_FRAME when no 0D0A lies within a few bytes of the declared end', () => {
    const location = encodeLocation(LOCATION, 3)
    const garbled = Buffer.from(location)
    garbled.fill(0x55, garbled.length - 2)
    const framed = frame(Buffer.concat([garbled, Buffer.alloc(8, 0x55)]), MAX_FRAME_BYTES)
    expect(framed.frames).toEqual([])
    expect(framed.error?.code).toBe('BAD_FRAME')
  })
})

const LOCATION: Gt06RecordInput = {
  timeMs: Date.UTC(2025, 5, 30, 23, 59, 58),
  latitude: 54.6872136,
  longitude: -25.2796601,
  speedKmh: 87,
  course: 271,
  satellites: 11,
  ignition: true,
  cell: { mcc: 246, mnc: 3, lac: 0x1234, cellId: 0xabcdef },
}

/** The same message with its length field moved by `delta` (CRC recomputed, as a device would). */
function withLength(message: Buffer, delta: number): Buffer {
  const copy = Buffer.from(message)
  copy[2] = copy[2]! + delta
  copy.writeUInt16BE(crcItu(copy.subarray(2, copy.length - 4)), copy.length - 4)
  return copy
}

describe('gt06 decode', () => {
  it('refuses a login whose IMEI is not BCD digits', () => {
    const login = encodeLogin(IMEI, 1)
    const tampered = Buffer.from(login)
    tampered[5] = 0xab
    tampered.writeUInt16BE(crcItu(tampered.subarray(2, tampered.length - 4)), tampered.length - 4)
    expect(decode(tampered, NEW_CONNECTION, STRICT)).toEqual({ records: [], error: expect.objectContaining({ code: 'BAD_IMEI' }) })
  })

  it('reads the time-zone word of a login, in minutes east of UTC', () => {
    const content = (login: Buffer): Buffer => login.subarray(4, login.length - 6)
    expect(loginTimeZoneOffsetMinutes(content(vectorBytes(byId('gt06-login-003'))))).toBe(0)
    expect(loginTimeZoneOffsetMinutes(content(encodeLogin(IMEI, 1)))).toBeUndefined()
    expect(loginTimeZoneOffsetMinutes(content(encodeLogin(IMEI, 1, { timeZoneOffsetMinutes: 480 })))).toBe(480)
    expect(loginTimeZoneOffsetMinutes(content(encodeLogin(IMEI, 1, { timeZoneOffsetMinutes: -570 })))).toBe(-570)
    expect(timeZoneWord(480)).toBe(0x3200)
  })

  it('hands the login\'s time zone to the session and reads later device times in it', () => {
    expect(decode(encodeLogin(IMEI, 1, { timeZoneOffsetMinutes: 480 }), NEW_CONNECTION, STRICT).identity).toEqual({ imei: IMEI, clockOffsetMinutes: 480 })
    expect(decode(encodeLogin(IMEI, 1), NEW_CONNECTION, STRICT).identity).toEqual({ imei: IMEI })
    // LOCATION's device clock reads 2025-06-30 23:59:58.
    const fixTimeIn = (clockOffsetMinutes: number) => decode(encodeLocation(LOCATION, 2), { ...LOGGED_IN, clockOffsetMinutes }, STRICT).records[0]!.fixTime
    expect(fixTimeIn(480)).toBe('2025-06-30T15:59:58.000Z')
    expect(fixTimeIn(-570)).toBe('2025-07-01T09:29:58.000Z')
    expect(fixTimeIn(0)).toBe('2025-06-30T23:59:58.000Z')
    // A message stamped by the gateway clock is not shifted.
    expect(decode(encodeHeartbeat({}, 3), { ...LOGGED_IN, clockOffsetMinutes: 480 }, STRICT).records[0]!.fixTime).toBe(NOW.toISOString())
  })

  it('does not acknowledge anything but a login before the login', () => {
    for (const message of [encodeLocation(LOCATION, 1), encodeHeartbeat({}, 2), vectorBytes(byId('gt06-wifi-zero-len-001'))]) {
      expect(decode(message, NEW_CONNECTION, STRICT)).toEqual({ records: [], error: expect.objectContaining({ code: 'NOT_IDENTIFIED' }) })
    }
  })

  it('rejects an unknown protocol number as UNKNOWN_TYPE, without a reply', () => {
    expect(decode(encodePacket(0x99, Buffer.of(1, 2, 3), 1), LOGGED_IN, STRICT)).toEqual({
      records: [],
      error: expect.objectContaining({ code: 'UNKNOWN_TYPE' }),
    })
  })

  it('checks the CRC-ITU strictly by default and ignores it when lenient', () => {
    const location = encodeLocation(LOCATION, 5)
    const tampered = Buffer.from(location)
    tampered[location.length - 3] = tampered[location.length - 3]! ^ 0xff
    expect(decode(tampered, LOGGED_IN, STRICT)).toEqual({ records: [], error: expect.objectContaining({ code: 'BAD_CHECKSUM' }) })
    expect(decode(tampered, LOGGED_IN, LENIENT)).toEqual(decode(location, LOGGED_IN, STRICT))
  })

  it('rejects a zero length field on anything but a Wi-Fi message', () => {
    expect(decode(Buffer.from('787800120102030d0a', 'hex'), LOGGED_IN, LENIENT).error?.code).toBe('MALFORMED')
  })

  it('answers a time request with the gateway time in UTC, echoing its serial', () => {
    const decoded = decode(encodePacket(0x8a, new Uint8Array(), 0x0042), LOGGED_IN, STRICT)
    expect(decoded).toEqual({ records: [], ack: encodeTimeReply(NOW, 0x0042) })
    expect(hexOf(decoded.ack)!.slice(0, 24)).toBe('78780b8a' + '1907010c0000' + '0042')
  })

  it('acknowledges a command answer (0x15) but stores nothing; long-form answers and information (0x21, 0x94) get no reply', () => {
    expect(decode(encodePacket(0x15, Buffer.from('0a00000001' + '4f4b', 'hex'), 9), LOGGED_IN, STRICT)).toEqual({
      records: [],
      ack: encodeServerAck(0x15, 9),
    })
    expect(decode(encodePacket(0x21, Buffer.from('00000001014f4b', 'hex'), 9), LOGGED_IN, STRICT)).toEqual({ records: [] })
    expect(decode(encodePacket(0x94, Buffer.from('0a', 'hex'), 9), LOGGED_IN, STRICT)).toEqual({ records: [] })
  })

  it('acknowledges a status message of a layout it does not know without inventing a record', () => {
    expect(decode(encodePacket(0x13, Buffer.alloc(14), 3), LOGGED_IN, STRICT)).toEqual({ records: [], ack: encodeServerAck(0x13, 3) })
    expect(decode(encodePacket(0x19, Buffer.alloc(30), 3), LOGGED_IN, STRICT)).toEqual({ records: [], ack: encodeServerAck(0x19, 3) })
  })

  it('rejects impossible dates, coordinates and courses as MALFORMED instead of storing them', () => {
    const location = encodeLocation(LOCATION, 1)
    const patch = (at: number, bytes: number[]): Buffer => {
      const copy = Buffer.from(location)
      copy.set(bytes, at)
      copy.writeUInt16BE(crcItu(copy.subarray(2, copy.length - 4)), copy.length - 4)
      return copy
    }
    expect(decode(patch(5, [13]), LOGGED_IN, STRICT).error?.code).toBe('MALFORMED') // month 13
    expect(decode(patch(6, [31]), LOGGED_IN, STRICT).error?.code).toBe('MALFORMED') // 31 June
    expect(decode(patch(7, [24]), LOGGED_IN, STRICT).error?.code).toBe('MALFORMED') // hour 24
    expect(decode(patch(11, [0xff, 0xff, 0xff, 0xff]), LOGGED_IN, STRICT).error?.code).toBe('MALFORMED') // latitude 2386°
    expect(decode(patch(20, [0x13, 0xff]), LOGGED_IN, STRICT).error?.code).toBe('MALFORMED') // course 1023
  })

  it('reports a message cut short inside a block as TRUNCATED', () => {
    const gpsAndHalfACell = encodeLocation(LOCATION, 1).subarray(4, 4 + 22)
    expect(decode(encodePacket(0x22, gpsAndHalfACell, 1), LOGGED_IN, STRICT).error?.code).toBe('TRUNCATED')
  })

  it('maps terminal-info alarm bits and alarm codes to events, once each', () => {
    const statusWith = (terminal: number, alarm: number): RecordEvent[] =>
      decode(encodePacket(0x13, Buffer.of(terminal, 6, 4, alarm, 2), 1), LOGGED_IN, STRICT).records[0]!.events
    expect(statusWith(2 << 3, 0x02)).toEqual(['powerCut'])
    expect(statusWith(4 << 3, 0x00)).toEqual(['sos'])
    expect(statusWith(1 << 3, 0x1a)).toEqual(['vibration', 'harshBraking'])
    expect(statusWith(7 << 3, 0x00)).toEqual(['tampering'])
    // Model-dependent or without a RecordEvent: kept only as the raw code.
    for (const code of [0x04, 0x06, 0x11, 0x18, 0x28, 0x29, 0x30]) expect(statusWith(0, code)).toEqual([])
  })
})

describe('gt06 descriptor', () => {
  it('offers TCP on port 5023 with the GT06 frame and decode functions', () => {
    expect(gt06).toEqual({ name: 'gt06', transports: ['tcp'], defaultPort: 5023, frame, decode, describeMessage })
  })
})

describe('gt06 encoders', () => {
  it('encodes a login byte for byte like the manual example and the vector with a time-zone word', () => {
    expect(encodeLogin('123456789012345', 1).toString('hex')).toBe(byId('gt06-login-002').hex)
    expect(encodeLogin('863586038760942', 0x010a, { modelId: 0xa001, timeZoneOffsetMinutes: 0 }).toString('hex')).toBe(byId('gt06-login-003').hex)
  })

  it('encodes the serial-number echo like the manual and reads it back', () => {
    expect(encodeServerAck(0x01, 1).toString('hex')).toBe('787805010001d9dc0d0a')
    expect(readServerAck(encodeServerAck(0x26, 0xbeef))).toEqual({ type: 0x26, serial: 0xbeef })
    expect(readServerAck(Buffer.from('787805010001d9dd0d0a', 'hex'))).toBeUndefined()
    expect(readServerAck(Buffer.from('7878', 'hex'))).toBeUndefined()
  })

  it('switches to the 7979 long form when the length does not fit a byte', () => {
    const long = encodePacket(0xf1, Buffer.alloc(300), 1)
    expect(long.subarray(0, 4).toString('hex')).toBe('7979' + (300 + 5).toString(16).padStart(4, '0'))
    expect(frame(long, MAX_FRAME_BYTES).frames).toEqual([long])
  })
})

describe('gt06 encode then decode', () => {
  const expectLocation = (record: DeviceRecord, input: Gt06RecordInput): void => {
    expectValidRecord(record)
    expect(record).toMatchObject({
      imei: IMEI,
      protocol: 'gt06',
      fixTime: new Date(input.timeMs).toISOString(),
      receivedAt: NOW.toISOString(),
      valid: input.valid ?? true,
      speedKmh: input.speedKmh,
      course: input.course,
      satellites: input.satellites,
    })
    expect(Math.abs(record.latitude! - input.latitude)).toBeLessThan(1e-6)
    expect(Math.abs(record.longitude! - input.longitude)).toBeLessThan(1e-6)
  }

  it('gives back the IMEI of an encoded login and answers with its serial', () => {
    expect(decode(encodeLogin(IMEI, 0x1234), NEW_CONNECTION, STRICT)).toEqual({
      records: [],
      identity: { imei: IMEI },
      ack: encodeServerAck(0x01, 0x1234),
    })
  })

  it('gives back a real-time location (0x22) in all four hemispheres, acknowledged by serial', () => {
    for (const [latitude, longitude] of [[54.6872136, -25.2796601], [-33.4379212, -70.6496701], [-6.1358817, 106.79224], [89.9999, 179.9999]]) {
      const input = { ...LOCATION, latitude: latitude!, longitude: longitude! }
      const decoded = decode(encodeLocation(input, 0x0102), LOGGED_IN, STRICT)
      expect(decoded.ack).toEqual(encodeServerAck(0x22, 0x0102))
      expect(decoded.records).toHaveLength(1)
      expectLocation(decoded.records[0]!, input)
      expect(decoded.records[0]).toMatchObject({ buffered: false, ignition: true, events: [] })
      expect(decoded.records[0]!.io).toMatchObject({ mcc: 246, mnc: 3, lac: 0x1234, cellId: 0xabcdef, reupload: 0 })
    }
  })

  it('marks a re-uploaded location as buffered and keeps an invalid fix invalid', () => {
    const input = { ...LOCATION, valid: false, ignition: false }
    const [record] = decode(encodeLocation(input, 9, { reupload: true }), LOGGED_IN, STRICT).records
    expectLocation(record!, input)
    expect(record).toMatchObject({ buffered: true, valid: false, ignition: false })
  })

  it('gives back a heartbeat (0x13) as a record without coordinates carrying ignition, charging, battery and signal', () => {
    const decoded = decode(encodeHeartbeat({ ignition: true, charging: true, voltageLevel: 3, gsmSignal: 2 }, 77), LOGGED_IN, STRICT)
    expect(decoded.ack).toEqual(encodeServerAck(0x13, 77))
    expectValidRecord(decoded.records[0]!)
    expect(decoded.records[0]).toEqual({
      imei: IMEI,
      protocol: 'gt06',
      fixTime: NOW.toISOString(),
      receivedAt: NOW.toISOString(),
      buffered: false,
      valid: false,
      ignition: true,
      externalPowerConnected: true,
      batteryLevelPct: 50,
      gsmSignal: 2,
      events: [],
      io: { type: 0x13, status: 0b110, charging: true, armed: false, blocked: false, voltageLevel: 3, alarm: 0, language: 2 },
    })
  })

  for (const alarm of Object.keys(GT06_ALARM_CODES) as Gt06Alarm[]) {
    it(`gives back a ${alarm} alarm (0x26) as that event at the alarm's position`, () => {
      const decoded = decode(encodeAlarm(LOCATION, alarm, 0x0a0b, { charging: true }), LOGGED_IN, STRICT)
      expect(decoded.ack).toEqual(encodeServerAck(0x26, 0x0a0b))
      const [record] = decoded.records
      expectLocation(record!, LOCATION)
      expect(record!.events).toEqual([alarm])
      expect(record).toMatchObject({ ignition: true, batteryLevelPct: 100, gsmSignal: 4 })
      expect(record!.io).toMatchObject({ alarm: GT06_ALARM_CODES[alarm], charging: true, mcc: 246, cellId: 0xabcdef })
    })
  }
})
