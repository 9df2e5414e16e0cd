import type { Protocol } from '../core/record.ts'
import type { RejectionReason } from './rejections.ts'

export interface ConnectionChange {
  imei: string
  protocol: Protocol
  connected: boolean
}

/** Closes a connection, counting why. */
export type CloseConnection = (reason: RejectionReason) => void

/**
 * Which devices hold an open connection now; the dashboard shows it and commands will go through it.
 * A device has one session: a newer connection for its IMEI closes the older one (SUPERSEDED), which
 * is what a device that reconnected leaves behind, or someone else speaking for its IMEI.
 */
export class DeviceConnections {
  readonly #open = new Map<string, number>()
  /** The newest connection of each device, by the function that closes it. */
  readonly #newest = new Map<string, CloseConnection>()

  constructor(private readonly onChange: (change: ConnectionChange) => void = () => {}) {}

  opened(imei: string, protocol: Protocol, close?: CloseConnection): void {
    if (close) {
      const older = this.#newest.get(imei)
      this.#newest.set(imei, close)
      older?.('SUPERSEDED')
    }
    const count = (this.#open.get(imei) ?? 0) + 1
    this.#open.set(imei, count)
    if (count === 1) this.onChange({ imei, protocol, connected: true })
  }

  closed(imei: string, protocol: Protocol, close?: CloseConnection): void {
    if (close && this.#newest.get(imei) === close) this.#newest.delete(imei)
    const count = (this.#open.get(imei) ?? 0) - 1
    if (count > 0) return void this.#open.set(imei, count)
    this.#open.delete(imei)
    this.onChange({ imei, protocol, connected: false })
  }
}
