/** The last `capacity` ids seen, so an alert published twice is acted on once. */
export class RecentIds {
  readonly #ids = new Set<number>()

  constructor(private readonly capacity: number) {}

  /** Adds the id; false when it was already there. */
  add(id: number): boolean {
    if (this.#ids.has(id)) return false
    this.#ids.add(id)
    if (this.#ids.size > this.capacity) this.#ids.delete(this.#ids.values().next().value!)
    return true
  }
}
