import { describe, expect, it } from 'vitest'
import { MinHeap } from './heap.ts'
import { createRandom } from './random.ts'

describe('MinHeap', () => {
  it('pops items in key order, whatever the push order', () => {
    const random = createRandom(11)
    const heap = new MinHeap<number>()
    const keys = Array.from({ length: 500 }, () => Math.floor(random() * 100))
    keys.forEach((key, i) => heap.push(key, i))
    const popped: number[] = []
    while (heap.size > 0) popped.push(keys[heap.pop()!]!)
    expect(popped).toEqual([...keys].sort((a, b) => a - b))
    expect(heap.pop()).toBeUndefined()
    expect(heap.peekKey()).toBe(Infinity)
  })
})
