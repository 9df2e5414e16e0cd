/**
 * Packed BCD: two decimal digits per byte, high nibble first (GT06 login IMEI, Wi-Fi message time).
 * Bytes are data: a nibble above 9 makes the reader return undefined rather than throw.
 */

/** The decimal digits of packed BCD bytes, or undefined when a nibble is not a digit. */
export function readBcdDigits(bytes: Uint8Array): string | undefined {
  let digits = ''
  for (const byte of bytes) {
    const high = byte >>> 4
    const low = byte & 0x0f
    if (high > 9 || low > 9) return undefined
    digits += `${high}${low}`
  }
  return digits
}

/** Packs decimal digits two to a byte; an odd count gets a leading zero nibble. Non-digits throw (a programmer mistake). */
export function encodeBcd(digits: string): Buffer {
  if (!/^\d*$/.test(digits)) throw new TypeError(`not decimal digits: ${JSON.stringify(digits)}`)
  return Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, 'hex')
}
