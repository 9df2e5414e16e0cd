import { describe, expect, it } from 'vitest'
import { protocolError } from '../gateway/protocols/errors.ts'
import { PROTOCOL_DESCRIPTORS } from '../gateway/protocols/registry.ts'
import type { ProtocolDescriptor } from '../gateway/protocols/types.ts'
import { createRandom } from '../simulator/random.ts'
import { makeRecord } from '../test/helpers/records.ts'
import { fuzzProtocol } from './fuzz.ts'
import { seedsFor } from './seeds.ts'

describe('seeded fuzzing of every protocol (the short version of npm run fuzz)', () => {
  for (const protocol of PROTOCOL_DESCRIPTORS) {
    it(`${protocol.name}: 3,000 hostile inputs, no crash, unbounded buffer, split mismatch or malformed decode`, () => {
      const seeds = seedsFor(protocol.name)
      expect(seeds.length).toBeGreaterThan(0)
      // Time is no finding here: a busy machine is slow. `npm run fuzz` reports slow inputs.
      const report = fuzzProtocol(protocol, seeds, 3000, createRandom(20261122), { slowMs: Number.POSITIVE_INFINITY })
      expect(report.findings).toEqual([])
    })
  }

  /** A protocol of one-byte messages decoded by `decode`: a stand-in for a buggy decoder. */
  const byteProtocol = (decode: ProtocolDescriptor['decode']): ProtocolDescriptor => ({
    name: 'teltonika',
    transports: ['tcp'],
    defaultPort: 0,
    frame: (buffer) => ({ frames: [...buffer].map((byte) => Buffer.from([byte])), rest: Buffer.alloc(0) }),
    describeMessage: () => ({ type: '', label: 'a byte' }),
    decode,
  })

  it('reports a decoder that throws, with the input that made it throw', () => {
    const fragile = byteProtocol((message) => {
      if (message.includes(0x42)) throw new Error('bug')
      return { records: [] }
    })
    const report = fuzzProtocol(fragile, [{ bytes: Buffer.from('hello') }], 200, createRandom(1))
    expect(report.findings[0]).toMatchObject({ kind: 'crash', detail: expect.stringContaining('bug') })
    expect(Buffer.from(report.findings[0]!.inputHex, 'hex').includes(0x42)).toBe(true)
  })

  it('reports a decoder that returns records beside an error', () => {
    const careless = byteProtocol(() => ({ records: [makeRecord({ fixTime: '2026-03-01T10:00:00.000Z' })], error: protocolError('BAD_CHECKSUM', 'CRC does not match') }))
    const report = fuzzProtocol(careless, [{ bytes: Buffer.from('hello') }], 5, createRandom(1))
    expect(report.findings[0]).toMatchObject({ kind: 'malformed', detail: 'BAD_CHECKSUM with 1 records' })
  })
})
