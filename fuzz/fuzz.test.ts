import { describe, expect, it } from 'vitest'
import { PROTOCOL_DESCRIPTORS } from '../gateway/protocols/registry.ts'
import type { ProtocolDescriptor } from '../gateway/protocols/types.ts'
import { createRandom } from '../simulator/random.ts'
import { fuzzProtocol } from './fuzz.ts'
import { seedsFor } from './seeds.ts'

describe('seeded fuzzing of every protocol (the short version of npm run fuzz)', () => {
  for (const protocol of PROTOCOL_DESCRIPTORS) {
    it(`${protocol.name}: 3,000 hostile inputs, no crash, hang, unbounded buffer or split mismatch`, () => {
      const seeds = seedsFor(protocol.name)
      expect(seeds.length).toBeGreaterThan(0)
      const report = fuzzProtocol(protocol, seeds, 3000, createRandom(20261122))
      expect(report.findings).toEqual([])
    })
  }

  it('reports a decoder that throws, with the input that made it throw', () => {
    const fragile: ProtocolDescriptor = {
      name: 'teltonika',
      transports: ['tcp'],
      defaultPort: 0,
      frame: (buffer) => ({ frames: [...buffer].map((byte) => Buffer.from([byte])), rest: Buffer.alloc(0) }),
      describeMessage: () => ({ type: '', label: 'fragile' }),
      decode: (message) => {
        if (message.includes(0x42)) throw new Error('bug')
        return { records: [] }
      },
    }
    const report = fuzzProtocol(fragile, [{ bytes: Buffer.from('hello') }], 200, createRandom(1))
    expect(report.findings[0]).toMatchObject({ kind: 'crash', detail: expect.stringContaining('bug') })
    expect(Buffer.from(report.findings[0]!.inputHex, 'hex').includes(0x42)).toBe(true)
  })
})
