/**
 * How smooth the page is: the time between animation frames (what a user feels as jank) and the time our
 * per-frame work (applying a batch of live updates and drawing it) took. Kept in small rings for the
 * browser benchmark; runs only while the map is on screen.
 */
export const FRAME_SAMPLES = 600

export class Ring {
  #values: number[] = []
  constructor(readonly capacity: number) {}

  push(value: number): void {
    this.#values.push(value)
    if (this.#values.length > this.capacity) this.#values.splice(0, this.#values.length - this.capacity)
  }

  values(): number[] {
    return [...this.#values]
  }
}

export class FrameMonitor {
  readonly frameTimes = new Ring(FRAME_SAMPLES)
  readonly updateTimes = new Ring(FRAME_SAMPLES)
  #frame: number | null = null
  #last: number | null = null

  start(): void {
    if (this.#frame !== null) return
    const tick = (time: number) => {
      if (this.#last !== null) this.frameTimes.push(time - this.#last)
      this.#last = time
      this.#frame = requestAnimationFrame(tick)
    }
    this.#frame = requestAnimationFrame(tick)
  }

  stop(): void {
    if (this.#frame !== null) cancelAnimationFrame(this.#frame)
    this.#frame = null
    this.#last = null
  }

  /** Times `work` into `updateTimes`. */
  measure(work: () => void): void {
    const started = performance.now()
    work()
    this.updateTimes.push(performance.now() - started)
  }
}
