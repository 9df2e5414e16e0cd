import { EventEmitter } from 'node:events'
import type { VehicleState } from './state.ts'
import type { Alert } from '../core/alerts.ts'

export interface LiveEvents {
  /** A vehicle's live state changed (new position, status, connection). */
  vehicle: [state: VehicleState]
  /** An alert was stored (raised, with its id and places); rules decide who is told. Published once per alert. */
  alert: [alert: Alert]
  /** An alert published earlier ended (`clearedAt` set; a power cut may now carry `details.probableDeviceReset`). */
  alertCleared: [alert: Alert]
}

/** Where the processor publishes live changes. In one process an EventEmitter; past one machine, a broker. */
export interface LiveBus {
  publish<E extends keyof LiveEvents>(event: E, ...args: LiveEvents[E]): void
  subscribe<E extends keyof LiveEvents>(event: E, listener: (...args: LiveEvents[E]) => void): () => void
}

export class InProcessLiveBus implements LiveBus {
  readonly #emitter = new EventEmitter<LiveEvents>()

  constructor() {
    this.#emitter.setMaxListeners(0)
  }

  publish<E extends keyof LiveEvents>(event: E, ...args: LiveEvents[E]): void {
    ;(this.#emitter.emit as (event: E, ...args: LiveEvents[E]) => boolean)(event, ...args)
  }

  subscribe<E extends keyof LiveEvents>(event: E, listener: (...args: LiveEvents[E]) => void): () => void {
    const on = this.#emitter.on as (event: E, listener: (...args: LiveEvents[E]) => void) => unknown
    const off = this.#emitter.off as (event: E, listener: (...args: LiveEvents[E]) => void) => unknown
    on.call(this.#emitter, event, listener)
    return () => void off.call(this.#emitter, event, listener)
  }
}
