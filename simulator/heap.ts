/** A binary min-heap of items by a numeric key: the simulator's schedule of which device acts next. */
export class MinHeap<T> {
  readonly #keys: number[] = []
  readonly #items: T[] = []

  get size(): number {
    return this.#items.length
  }

  /** The smallest key; Infinity when empty. */
  peekKey(): number {
    return this.#keys[0] ?? Infinity
  }

  push(key: number, item: T): void {
    this.#keys.push(key)
    this.#items.push(item)
    let i = this.#keys.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.#keys[parent]! <= key) break
      this.#swap(i, parent)
      i = parent
    }
  }

  /** Removes and returns the item with the smallest key (the first pushed among equal keys is not guaranteed). */
  pop(): T | undefined {
    const top = this.#items[0]
    const lastKey = this.#keys.pop()
    const lastItem = this.#items.pop()
    if (this.#items.length === 0 || lastKey === undefined) return top
    this.#keys[0] = lastKey
    this.#items[0] = lastItem!
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < this.#keys.length && this.#keys[left]! < this.#keys[smallest]!) smallest = left
      if (right < this.#keys.length && this.#keys[right]! < this.#keys[smallest]!) smallest = right
      if (smallest === i) return top
      this.#swap(i, smallest)
      i = smallest
    }
  }

  #swap(a: number, b: number): void {
    ;[this.#keys[a], this.#keys[b]] = [this.#keys[b]!, this.#keys[a]!]
    ;[this.#items[a], this.#items[b]] = [this.#items[b]!, this.#items[a]!]
  }
}
