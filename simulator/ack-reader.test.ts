import { describe, expect, it } from 'vitest'
import { encodeRecordCountAck } from '../gateway/protocols/teltonika/encode.ts'
import { readAcks } from './ack-reader.ts'

/** Feeds `chunks` through the reader as successive socket reads. */
function feed(chunks: Buffer[]): { counts: number[]; rest: Buffer } {
  let rest: Buffer = Buffer.alloc(0)
  const counts: number[] = []
  for (const chunk of chunks) {
    const read = readAcks(rest, chunk)
    counts.push(...read.counts)
    rest = read.rest
  }
  return { counts, rest }
}

describe('reading record-count ACKs', () => {
  it('reads one ACK delivered whole', () => {
    expect(feed([encodeRecordCountAck(4)])).toEqual({ counts: [4], rest: Buffer.alloc(0) })
  })

  it('completes an ACK split at every offset across two reads', () => {
    const ack = encodeRecordCountAck(0x01020304)
    for (let cut = 0; cut <= ack.length; cut++) {
      const { counts, rest } = feed([ack.subarray(0, cut), ack.subarray(cut)])
      expect(counts).toEqual([0x01020304])
      expect(rest.length).toBe(0)
    }
  })

  it('completes an ACK arriving one byte per read', () => {
    const ack = encodeRecordCountAck(50)
    expect(feed([...ack].map((b) => Buffer.of(b))).counts).toEqual([50])
  })

  it('reads several ACKs from one read, in order', () => {
    const bytes = Buffer.concat([encodeRecordCountAck(1), encodeRecordCountAck(50), encodeRecordCountAck(7)])
    expect(feed([bytes]).counts).toEqual([1, 50, 7])
  })

  it('keeps the partial tail after whole ACKs for the next read', () => {
    const bytes = Buffer.concat([encodeRecordCountAck(2), encodeRecordCountAck(3), encodeRecordCountAck(9)])
    for (let cut = 0; cut <= bytes.length; cut++) {
      const first = readAcks(Buffer.alloc(0), bytes.subarray(0, cut))
      expect(first.counts).toEqual([2, 3, 9].slice(0, Math.floor(cut / 4)))
      expect(first.rest.length).toBe(cut % 4)
      const second = readAcks(first.rest, bytes.subarray(cut))
      expect([...first.counts, ...second.counts]).toEqual([2, 3, 9])
      expect(second.rest.length).toBe(0)
    }
  })

  it('does not keep a reference into the caller’s read buffer', () => {
    const chunk = Buffer.from([0, 0, 0, 1, 0, 0])
    const { rest } = readAcks(Buffer.alloc(0), chunk)
    chunk.fill(0xff)
    expect([...rest]).toEqual([0, 0])
  })
})
