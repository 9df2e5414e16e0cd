import { describe, expect, it } from 'vitest'
import { teltonika } from '../gateway/protocols/teltonika/index.ts'
import { avlDataVectors, vectorsDecodedCorrectly, type ComparableRecord, type TeltonikaPacketParser } from './teltonika-vectors.ts'

const NOW = new Date('2026-11-22T08:00:00.000Z')

const ours: TeltonikaPacketParser = (packet) => {
  const decoded = teltonika.decode(packet, { transport: 'tcp', imei: '356307042441013' }, { now: NOW, crc: 'strict' })
  if (decoded.error) return undefined
  return decoded.records.map((record): ComparableRecord => ({ ...record, timeMs: Date.parse(record.fixTime) }))
}

describe('teltonika vectors decoded correctly', () => {
  it('judges the TCP AVL packets with records and a valid CRC', () => {
    const vectors = avlDataVectors()
    expect(vectors.length).toBeGreaterThan(10)
    expect(vectors.every((vector) => vector.transport === 'tcp' && vector.expect.crcValid === true)).toBe(true)
  })

  it('counts every such vector as decoded correctly by our decoder', () => {
    expect(vectorsDecodedCorrectly(ours)).toEqual({ correct: avlDataVectors().length, total: avlDataVectors().length, wrong: [] })
  })

  it('counts a vector wrong when a coordinate is off by more than 1e-5 degrees', () => {
    const shifted: TeltonikaPacketParser = (packet) => ours(packet)?.map((record) => ({ ...record, latitude: (record.latitude ?? 0) + 2e-5 }))
    expect(vectorsDecodedCorrectly(shifted).correct).toBeLessThan(avlDataVectors().length)
  })

  it('counts a vector wrong when an IO element is missing or the parser throws', () => {
    const missingIo: TeltonikaPacketParser = (packet) => ours(packet)?.map((record) => ({ ...record, io: {} }))
    const throwing: TeltonikaPacketParser = () => {
      throw new Error('cannot parse')
    }
    expect(vectorsDecodedCorrectly(missingIo).correct).toBeLessThan(avlDataVectors().length)
    expect(vectorsDecodedCorrectly(throwing)).toMatchObject({ correct: 0, total: avlDataVectors().length })
  })
})
