import { describe, expect, it } from 'vitest'
import { crc16Ibm, crcItu } from './crc.ts'

const CHECK_INPUT = Buffer.from('123456789', 'ascii')

describe('crc16Ibm', () => {
  it('matches the CRC-16/ARC check value for "123456789"', () => {
    expect(crc16Ibm(CHECK_INPUT)).toBe(0xbb3d)
  })

  it('is 0 for no bytes, since it starts from 0 with no final xor', () => {
    expect(crc16Ibm(new Uint8Array())).toBe(0)
  })

  it('matches the CRC of a real Teltonika packet (codec byte through the second record count)', () => {
    const packet = Buffer.from('000000000000002808010000016b40d9ad80010000000000000000000000000000000103021503010101425e100000010000f22a', 'hex')
    expect(crc16Ibm(packet.subarray(8, packet.length - 4))).toBe(0xf22a)
  })
})

describe('crcItu', () => {
  it('matches the CRC-16/X-25 check value for "123456789"', () => {
    expect(crcItu(CHECK_INPUT)).toBe(0x906e)
  })

  it('matches the CRC of a GT06 login reply (length byte through serial number)', () => {
    const reply = Buffer.from('787805010001d9dc0d0a', 'hex')
    expect(crcItu(reply.subarray(2, 6))).toBe(0xd9dc)
  })
})
