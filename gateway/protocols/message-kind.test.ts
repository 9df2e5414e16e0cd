import { describe, expect, it } from 'vitest'
import { encodeLogin } from './gt06/encode.ts'
import { gt06 } from './gt06/index.ts'
import { osmand } from './osmand/index.ts'
import { queclink } from './queclink/index.ts'
import { encodeAvlPacket, encodeImeiHandshake, encodeUdpDatagram } from './teltonika/encode.ts'
import { teltonika } from './teltonika/index.ts'

const hex = (text: string) => Buffer.from(text, 'hex')
const ascii = (text: string) => Buffer.from(text, 'latin1')
const RECORD = { timeMs: Date.UTC(2026, 10, 22, 8), latitude: 54.6, longitude: 25.2, io: {} }

describe('message kinds, as the packet log shows them', () => {
  it('names Teltonika codecs, the IMEI handshake and the ping', () => {
    expect(teltonika.describeMessage(encodeAvlPacket([RECORD]), 'tcp')).toEqual({ type: '0x08', label: 'Codec 8' })
    expect(teltonika.describeMessage(encodeAvlPacket([RECORD], 0x8e), 'tcp')).toEqual({ type: '0x8E', label: 'Codec 8E' })
    expect(teltonika.describeMessage(encodeImeiHandshake('356307042441013'), 'tcp')).toEqual({ type: 'IMEI', label: 'IMEI handshake' })
    expect(teltonika.describeMessage(Buffer.of(0xff), 'tcp')).toEqual({ type: '0xFF', label: 'Ping' })
    expect(teltonika.describeMessage(hex('0000000000000036ee01'), 'tcp')).toEqual({ type: '0xEE', label: 'Codec 0xEE' })
  })

  it('finds the codec after the IMEI in a Teltonika UDP datagram', () => {
    const datagram = encodeUdpDatagram('352093086403655', 0xcafe, 5, [RECORD])
    expect(teltonika.describeMessage(datagram, 'udp')).toEqual({ type: '0x08', label: 'Codec 8' })
    expect(teltonika.describeMessage(datagram.subarray(0, 10), 'udp')).toEqual({ type: '', label: 'Teltonika UDP' })
  })

  it('names GT06 messages by protocol number, the ones the decoder does not know included', () => {
    expect(gt06.describeMessage(encodeLogin('035341353215036', 1), 'tcp')).toEqual({ type: '0x01', label: 'GT06 login' })
    expect(gt06.describeMessage(hex('787822220f0c1d023305c9027ac8180c46586000140001cc00287d001f71000001000820860d0a'), 'tcp')).toEqual({ type: '0x22', label: 'GT06 location' })
    expect(gt06.describeMessage(hex('797900ff9400'), 'tcp')).toEqual({ type: '0x94', label: 'GT06 info' })
    expect(gt06.describeMessage(hex('7878057f'), 'tcp')).toEqual({ type: '0x7F', label: 'GT06 0x7F' })
    expect(gt06.describeMessage(hex('7878'), 'tcp')).toEqual({ type: '', label: 'GT06 message' })
  })

  it('reads the Queclink report header', () => {
    expect(queclink.describeMessage(ascii('+RESP:GTFRI,270E00,860316020000001,,0,0,1,1,0.0,0,0.0,0,0,20260701120000,,,,,,,20260701120000,0001'), 'tcp')).toEqual({ type: 'GTFRI', label: '+RESP:GTFRI' })
    expect(queclink.describeMessage(ascii('+BUFF:GTIGN,270E00'), 'udp')).toEqual({ type: 'GTIGN', label: '+BUFF:GTIGN' })
    expect(queclink.describeMessage(ascii('hello'), 'tcp')).toEqual({ type: '', label: 'Queclink message' })
  })

  it('names OsmAnd requests by method', () => {
    expect(osmand.describeRequest({ method: 'GET' })).toEqual({ type: 'GET', label: 'OsmAnd GET' })
  })
})
