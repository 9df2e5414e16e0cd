/**
 * Splits the bytes a Teltonika server sends over TCP into record-count ACKs (4-byte big-endian integers).
 * Pure: a read may end inside an ACK or carry several; the tail is kept for the next read.
 */

export interface AckRead {
  /** Complete ACKs in arrival order: the number of records the server accepted. */
  counts: number[]
  /** Bytes of an incomplete ACK, to be completed by the next read. */
  rest: Buffer
}

export const ACK_BYTES = 4

export function readAcks(rest: Buffer, chunk: Buffer): AckRead {
  const bytes = rest.length === 0 ? chunk : Buffer.concat([rest, chunk])
  const counts: number[] = []
  let offset = 0
  while (bytes.length - offset >= ACK_BYTES) {
    counts.push(bytes.readUInt32BE(offset))
    offset += ACK_BYTES
  }
  return { counts, rest: Buffer.from(bytes.subarray(offset)) }
}
