/** Simulated time: `rate` simulated seconds pass per real second, starting at epoch `startMs`. */
export class SimClock {
  readonly rate: number
  readonly startMs: number
  readonly #startReal: number

  constructor(rate: number, startMs: number, nowReal: number = performance.now()) {
    if (!(rate > 0)) throw new Error(`rate must be positive, got ${rate}`)
    this.rate = rate
    this.startMs = startMs
    this.#startReal = nowReal
  }

  /** Simulated seconds elapsed since the start. */
  simSec(nowReal: number = performance.now()): number {
    return ((nowReal - this.#startReal) / 1000) * this.rate
  }

  /** Real milliseconds from now until simulated second `simSec` (0 if it has passed). */
  realMsUntil(simSec: number, nowReal: number = performance.now()): number {
    return Math.max(0, this.#startReal + (simSec * 1000) / this.rate - nowReal)
  }

  /** Epoch milliseconds of simulated second `simSec` (what a record's fix time says). */
  epochMs(simSec: number): number {
    return this.startMs + simSec * 1000
  }
}
