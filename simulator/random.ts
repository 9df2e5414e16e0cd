/** A small seeded PRNG (mulberry32) so a simulation run can be reproduced from its seed. */
export type Random = () => number

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniform number in [min, max). */
export function between(random: Random, min: number, max: number): number {
  return min + (max - min) * random()
}

/** A uniform integer in [min, max]. */
export function intBetween(random: Random, min: number, max: number): number {
  return Math.floor(between(random, min, max + 1))
}

/** Moves `value` by at most `step` either way, kept inside [min, max]. */
export function randomWalk(random: Random, value: number, step: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value + between(random, -step, step)))
}

/** `length` uniform random bytes. */
export function randomBytes(random: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = intBetween(random, 0, 255)
  return bytes
}

/** One of `items`, uniformly. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[intBetween(random, 0, items.length - 1)]!
}
