/**
 * 16-bit CRCs in their reflected (LSB-first) form, table-driven.
 * Check values over the ASCII bytes "123456789": CRC-16/IBM 0xBB3D, CRC-16/X-25 0x906E.
 */

function reflectedTable(polynomial: number): Uint16Array {
  const table = new Uint16Array(256)
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1
    table[byte] = crc
  }
  return table
}

function reflectedCrc16(table: Uint16Array, initial: number, finalXor: number, data: Uint8Array): number {
  let crc = initial
  for (const byte of data) crc = (crc >>> 8) ^ table[(crc ^ byte) & 0xff]!
  return (crc ^ finalXor) & 0xffff
}

const IBM_TABLE = reflectedTable(0xa001)
const ITU_TABLE = reflectedTable(0x8408)

/** CRC-16/IBM, a.k.a. CRC-16/ARC: reflected polynomial 0xA001, initial 0, no final xor (Teltonika). */
export function crc16Ibm(data: Uint8Array): number {
  return reflectedCrc16(IBM_TABLE, 0x0000, 0x0000, data)
}

/** CRC-ITU, a.k.a. CRC-16/X-25: reflected polynomial 0x8408, initial 0xFFFF, final xor 0xFFFF (GT06). */
export function crcItu(data: Uint8Array): number {
  return reflectedCrc16(ITU_TABLE, 0xffff, 0xffff, data)
}
