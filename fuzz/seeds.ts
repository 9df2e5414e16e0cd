import { loadVectors, vectorBytes } from '../test/helpers/vectors.ts'
import type { FuzzSeed } from './fuzz.ts'

/** Real device messages of one protocol, the starting points of mutation. */
export function seedsFor(protocol: string): FuzzSeed[] {
  return loadVectors(protocol).map((vector) => {
    const seed: FuzzSeed = { bytes: vectorBytes(vector) }
    if (vector.httpMethod) seed.method = vector.httpMethod
    if (vector.contentType) seed.contentType = vector.contentType
    return seed
  })
}
