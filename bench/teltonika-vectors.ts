/**
 * How many of the real Teltonika messages in test/fixtures/vectors/teltonika.json a parser decodes
 * correctly: the TCP AVL data packets with a valid CRC, judged on the fields those vectors assert
 * (record count; per record fix time, coordinates within 1e-5°, speed, course, altitude, satellites
 * and every raw IO element) — the same comparisons the Teltonika decoder tests make.
 */
import { loadVectors, vectorBytes, type ExpectedRecord, type Vector } from '../test/helpers/vectors.ts'

/** One decoded record, in whatever parser, reduced to what the vectors assert. */
export interface ComparableRecord {
  timeMs: number
  /** Absent when the parser reports no position for the record. */
  latitude?: number
  longitude?: number
  speedKmh?: number
  course?: number
  altitude?: number
  satellites?: number
  /** Raw IO values by IO id: numbers, or decimal strings for 8-byte values above 2^53-1. */
  io: Record<string, number | string | bigint | boolean>
}

/** Decodes one TCP AVL packet; throws (or returns nothing) when it cannot. */
export type TeltonikaPacketParser = (packet: Buffer) => ComparableRecord[] | undefined

type AvlVector = Vector<{ crcValid?: boolean; positions?: number; records?: ExpectedRecord[] }>

/** The corpus rounds coordinates to 5 decimals (Traccar's tests compare within 1e-5 degrees too). */
const COORDINATE_TOLERANCE = 1e-5

/** TCP AVL packets with records and a valid CRC: what every Teltonika parser is meant to read. */
export function avlDataVectors(): AvlVector[] {
  return loadVectors<AvlVector['expect']>('teltonika').filter(
    (vector) => vector.transport === 'tcp' && vector.expect.crcValid === true && (vector.expect.records?.length ?? 0) > 0,
  )
}

/** The vectors `parse` decodes to the values they assert; a parser that throws gets that vector wrong. */
export function vectorsDecodedCorrectly(parse: TeltonikaPacketParser, vectors = avlDataVectors()): { correct: number; total: number; wrong: string[] } {
  const wrong: string[] = []
  for (const vector of vectors) {
    let records: ComparableRecord[] | undefined
    try {
      records = parse(vectorBytes(vector))
    } catch {
      records = undefined
    }
    if (!records || !matchesVector(records, vector)) wrong.push(vector.id)
  }
  return { correct: vectors.length - wrong.length, total: vectors.length, wrong }
}

function matchesVector(records: ComparableRecord[], vector: AvlVector): boolean {
  const expected = vector.expect.records ?? []
  if (records.length !== (vector.expect.positions ?? expected.length)) return false
  return records.every((record, index) => matchesRecord(record, expected[index]!))
}

/** Field by field as the decoder tests compare; a record the corpus calls outdated is not judged on its position. */
export function matchesRecord(record: ComparableRecord, expected: ExpectedRecord): boolean {
  const fixTime = expected.fixTime ?? expected.deviceTime
  if (fixTime !== undefined && record.timeMs !== Date.parse(fixTime)) return false
  if (!expected.outdated && !(expected.latitude === 0 && expected.longitude === 0 && record.latitude === undefined)) {
    if (!within(record.latitude, expected.latitude) || !within(record.longitude, expected.longitude)) return false
  }
  for (const field of ['speedKmh', 'course', 'altitude', 'satellites'] as const) {
    if (expected[field] !== undefined && record[field] !== expected[field]) return false
  }
  if (expected.io !== undefined) {
    const keys = Object.keys(expected.io)
    if (Object.keys(record.io).length !== keys.length) return false
    if (!keys.every((key) => record.io[key] !== undefined && String(record.io[key]) === String(expected.io![key]))) return false
  }
  return true
}

function within(actual: number | undefined, expected: number | undefined): boolean {
  if (expected === undefined) return true
  return actual !== undefined && Math.abs(actual - expected) <= COORDINATE_TOLERANCE
}
