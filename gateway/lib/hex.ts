const HEX = /^(?:[0-9a-fA-F]{2})*$/

/** True for an even number of hex digits; whitespace between bytes is allowed. */
export function isHex(text: string): boolean {
  return HEX.test(text.replace(/\s+/g, ''))
}

/** Parses hex such as "000f31" or "00 0f 31". Throws on anything else (validate input with `isHex`). */
export function fromHex(text: string): Buffer {
  const compact = text.replace(/\s+/g, '')
  if (!HEX.test(compact)) throw new TypeError(`not an even number of hex digits: ${JSON.stringify(text)}`)
  return Buffer.from(compact, 'hex')
}

/** Lowercase hex without separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
