import { describe, expect, it } from 'vitest'
import {
  encodeAvlPacket,
  encodeImeiHandshake,
  encodeImeiReply,
  encodeRecordCountAck,
  encodeUdpAck,
  encodeUdpDatagram,
} from './encode.ts'

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
