import { describe, expect, it } from 'vitest'
import type { Packet } from '../../../../shared/contract.ts'
import { groupHex, packetKind, readRecord, recordCountLabel } from './packets.ts'

function packet(protocol: string, hex: string, transport = 'tcp'): Packet {
  return { imei: '356307042440007', protocol, transport, time: '2026-11-22T08:00:00Z', raw: { hex }, records: [] }
}

describe('readRecord', () => {
  it('keeps the fields of the right type and drops the rest', () => {
    const record = readRecord({
      fixTime: '2026-11-22T08:00:00Z',
      latitude: 54.6,
      longitude: 'east',
      speedKmh: Number.NaN,
      ignition: true,
      valid: 'yes',
      events: ['powerCut', 7],
      io: { 239: 1 },
    })
    expect(record).toEqual({ fixTime: '2026-11-22T08:00:00Z', latitude: 54.6, ignition: true, events: ['powerCut'] })
  })

  it('has no events when none were sent', () => {
    expect(readRecord({}).events).toEqual([])
  })
})

describe('packetKind', () => {
  it('names Teltonika codecs and the IMEI handshake', () => {
    expect(packetKind(packet('teltonika', '000000000000003608010000016b40d8ea30'))).toBe('Codec 8')
    expect(packetKind(packet('teltonika', '000000000000004a8e010000016b412cee00'))).toBe('Codec 8E')
    expect(packetKind(packet('teltonika', '000f333536333037303432343431303133'))).toBe('IMEI handshake')
  })

  it('finds the codec after the IMEI in a Teltonika UDP datagram', () => {
    const imei = Buffer.from('352093086403655').toString('hex')
    expect(packetKind(packet('teltonika', `003dcafe0105000f${imei}0801`, 'udp'))).toBe('Codec 8')
  })

  it('names GT06 messages by protocol number', () => {
    expect(packetKind(packet('gt06', '78780d01035341353215036200220d0a'))).toBe('GT06 login')
    expect(packetKind(packet('gt06', '787822220f0c1d023305c9027ac8180c46586000140001cc00287d001f71000001000820860d0a'))).toBe('GT06 location')
    expect(packetKind(packet('gt06', '797900ff9400'))).toBe('GT06 info')
    expect(packetKind(packet('gt06', '7878057f'))).toBe('GT06 0x7f')
  })

  it('reads the Queclink report header', () => {
    expect(packetKind(packet('queclink', Buffer.from('+RESP:GTFRI,270E00,8603160').toString('hex')))).toBe('+RESP:GTFRI')
    expect(packetKind(packet('queclink', Buffer.from('+BUFF:GTIGN,270E00').toString('hex')))).toBe('+BUFF:GTIGN')
  })

  it('names OsmAnd requests by method', () => {
    expect(packetKind({ ...packet('osmand', ''), transport: 'http', raw: { method: 'GET', target: '/?id=1' } })).toBe('OsmAnd GET')
  })
})

describe('labels', () => {
  it('counts records in words', () => {
    expect(recordCountLabel(0)).toBe('no record')
    expect(recordCountLabel(1)).toBe('1 record')
    expect(recordCountLabel(12)).toBe('12 records')
  })

  it('groups hex in two-byte words', () => {
    expect(groupHex('000f33353633')).toBe('000f 3335 3633')
    expect(groupHex('000f3')).toBe('000f 3')
  })
})
