import { expect } from 'vitest'
import { FrameReader } from '../../gateway/frame-reader.ts'
import type { Framed } from '../../gateway/protocols/types.ts'
import { intBetween, type Random } from '../../simulator/random.ts'

type Frame = (buffer: Buffer, maxFrameBytes: number) => Framed

/** Frames `reads` one after another as a transport would, carrying the incomplete tail over. */
export function frameReads(frame: Frame, reads: Buffer[], maxFrameBytes: number): { frames: string[]; rest: Buffer } {
  const reader = new FrameReader(frame, maxFrameBytes)
  const frames: string[] = []
  for (const read of reads) {
    const framed = reader.read(read)
    expect(framed.error).toBeUndefined()
    frames.push(...framed.frames.map((f) => f.toString('hex')))
  }
  return { frames, rest: reader.pending }
}

/** `bytes` cut into reads of 1 to `maxRead` bytes, as a network might deliver them. */
export function cutRandomly(random: Random, bytes: Buffer, maxRead = 300): Buffer[] {
  const reads: Buffer[] = []
  for (let offset = 0; offset < bytes.length; ) {
    const size = intBetween(random, 1, maxRead)
    reads.push(bytes.subarray(offset, offset + size))
    offset += size
  }
  return reads
}
