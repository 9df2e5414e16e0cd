import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { decodeMessages, parseRequest } from './decode-cli.ts'
import { encodeLocation, encodeLogin } from './protocols/gt06/encode.ts'
import { encodeAvlPacket, encodeImeiHandshake, encodeUdpDatagram } from './protocols/teltonika/encode.ts'
import { loadVectors } from '../test/helpers/vectors.ts'

const run = promisify(execFile)
const REPO_ROOT = new URL('..', import.meta.url)
const cli = (...args: string[]) => run('npx', ['tsx', 'gateway/decode-cli.ts', ...args], { cwd: REPO_ROOT })

const vectorHex = (id: string): string => loadVectors().find((vector) => vector.id === id)!.hex!
const HANDSHAKE = vectorHex('telt-login-001')
const C8_001 = vectorHex('telt-c8-001')
const C8_BAD_CRC = vectorHex('telt-c8-badcrc-001')
const IMEI = '123456789012345'
const NOW = new Date('2025-07-01T12:00:00.000Z')

function request(...args: string[]) {
  const parsed = parseRequest(args)
  if (!('request' in parsed)) throw new Error(parsed.problem)
  return parsed.request
}

describe('decode command', () => {
  it('prints the handshake ACK, then the record and its ACK, one JSON line each', async () => {
    const { stdout } = await cli('--protocol', 'teltonika', '--transport', 'tcp', '--hex', HANDSHAKE, '--hex', C8_001)
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line))
    expect(lines).toHaveLength(3)
    expect(lines[0]).toEqual({ type: 'ack', hex: '01' })
    expect(lines[1]).toMatchObject({
      type: 'record',
      imei: IMEI,
      protocol: 'teltonika',
      fixTime: '2019-01-04T12:27:19.000Z',
      valid: true,
      speedKmh: 83,
      course: 198,
      altitude: 190,
      satellites: 15,
      motion: true,
      externalVoltageV: 14.233,
      batteryVoltageV: 3.976,
      odometerKm: 2656.224,
      events: [],
      io: { 16: 2656224, 66: 14233, 240: 1 },
    })
    expect(lines[1].latitude).toBeCloseTo(48.15231, 5)
    expect(lines[1].longitude).toBeCloseTo(16.37452, 5)
    expect(lines[2]).toEqual({ type: 'ack', hex: '00000001' })
  })

  it('prints usage on stderr and exits 2 for an unknown protocol', async () => {
    const failure = await cli('--protocol', 'nmea', '--transport', 'tcp', '--hex', '00').catch((error) => error)
    expect(failure.code).toBe(2)
    expect(failure.stdout).toBe('')
    expect(failure.stderr).toContain('unknown protocol "nmea"')
    expect(failure.stderr).toContain('usage: npm run --silent decode')
  })

  it('rejects arguments that do not describe a request', () => {
    expect(parseRequest(['--protocol', 'teltonika', '--transport', 'tcp'])).toHaveProperty('problem')
    expect(parseRequest(['--protocol', 'teltonika', '--transport', 'http', '--hex', '00'])).toHaveProperty('problem')
    expect(parseRequest(['--protocol', 'teltonika', '--transport', 'tcp', '--hex', 'xyz'])).toHaveProperty('problem')
    expect(parseRequest(['--protocol', 'teltonika', '--transport', 'tcp', '--hex', '00', '--crc', 'off'])).toHaveProperty('problem')
    expect(parseRequest(['--protocol', 'teltonika', '--transport', 'tcp', '--hex', '00', '--verbose'])).toHaveProperty('problem')
  })

  it('keeps --hex and --text messages in the order given', () => {
    const { messages } = request('--protocol', 'teltonika', '--transport', 'udp', '--text', 'a', '--hex', '62', '--text', 'c')
    expect(messages.map((message) => message.toString())).toEqual(['a', 'b', 'c'])
  })

  it('treats TCP messages as one stream: a message may span two inputs', () => {
    const cut = 40
    const outputs = decodeMessages(
      request('--protocol', 'teltonika', '--transport', 'tcp', '--hex', HANDSHAKE + C8_001.slice(0, cut), '--hex', C8_001.slice(cut)),
      () => NOW,
    )
    expect(outputs.map((output) => output.type)).toEqual(['ack', 'record', 'ack'])
  })

  it('reads a GT06 device\'s later location times in the time zone its login gave', () => {
    const deviceClock = Date.UTC(2025, 5, 30, 12, 0, 0)
    const login = encodeLogin('864717003283581', 1, { timeZoneOffsetMinutes: -300 }).toString('hex')
    const location = encodeLocation({ timeMs: deviceClock, latitude: 1, longitude: 2, speedKmh: 0, course: 0, satellites: 5 }, 2).toString('hex')
    const outputs = decodeMessages(request('--protocol', 'gt06', '--transport', 'tcp', '--hex', login, '--hex', location), () => NOW)
    expect(outputs.find((output) => output.type === 'record')).toMatchObject({ fixTime: '2025-06-30T17:00:00.000Z' })
  })

  it('reports an incomplete TCP message at the end as TRUNCATED', () => {
    const outputs = decodeMessages(request('--protocol', 'teltonika', '--transport', 'tcp', '--hex', HANDSHAKE + C8_001.slice(0, -2)))
    expect(outputs).toEqual([{ type: 'ack', hex: '01' }, expect.objectContaining({ type: 'error', code: 'TRUNCATED' })])
  })

  it('enforces checksums unless --crc lenient is given', () => {
    const args = ['--protocol', 'teltonika', '--transport', 'tcp', '--hex', HANDSHAKE, '--hex', C8_BAD_CRC]
    expect(decodeMessages(request(...args)).slice(1)).toEqual([expect.objectContaining({ type: 'error', code: 'BAD_CHECKSUM' })])
    expect(decodeMessages(request(...args, '--crc', 'lenient')).slice(1).map((output) => output.type)).toEqual(['record', 'ack'])
  })

  it('reports AVL data sent before the handshake as NOT_IDENTIFIED', () => {
    const outputs = decodeMessages(request('--protocol', 'teltonika', '--transport', 'tcp', '--hex', C8_001))
    expect(outputs).toEqual([expect.objectContaining({ type: 'error', code: 'NOT_IDENTIFIED' })])
  })

  it('stops at bytes that cannot be framed, as a gateway closing the connection would', () => {
    const packet = encodeAvlPacket([{ timeMs: Date.UTC(2024, 0, 1), latitude: 1, longitude: 2, io: {} }]).toString('hex')
    const outputs = decodeMessages(
      request('--protocol', 'teltonika', '--transport', 'tcp', '--hex', encodeImeiHandshake(IMEI).toString('hex'), '--text', 'GET /', '--hex', packet),
    )
    expect(outputs).toEqual([{ type: 'ack', hex: '01' }, expect.objectContaining({ type: 'error', code: 'BAD_FRAME' })])
  })

  it('decodes each UDP input as one datagram', () => {
    const datagram = encodeUdpDatagram(IMEI, 0xcafe, 0x22, [{ timeMs: Date.UTC(2024, 0, 1), latitude: 1, longitude: 2, io: {} }])
    const outputs = decodeMessages(request('--protocol', 'teltonika', '--transport', 'udp', '--hex', datagram.toString('hex')), () => NOW)
    expect(outputs).toEqual([
      expect.objectContaining({ type: 'record', imei: IMEI, receivedAt: NOW.toISOString() }),
      { type: 'ack', hex: '0005cafe012201' },
    ])
  })
})
