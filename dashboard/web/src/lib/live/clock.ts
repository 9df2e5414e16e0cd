import { createSubscriber } from 'svelte/reactivity'

/** The current time as reactive state that ticks only while something on screen reads it. */
export class Clock {
  #subscribe: () => void

  constructor(intervalMs: number) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, intervalMs)
      return () => clearInterval(timer)
    })
  }

  get now(): number {
    this.#subscribe()
    return Date.now()
  }
}
