import type { Protocol } from './record.ts'

export interface ConnectionChange {
  imei: string
  protocol: Protocol
  connected: boolean
}

/** Which devices hold an open connection now; the dashboard shows it and commands will go through it. */
export class DeviceConnections {
  readonly #open = new Map<string, number>()

  constructor(private readonly onChange: (change: ConnectionChange) => void = () => {}) {}

  opened(imei: string, protocol: Protocol): void {
    const count = (this.#open.get(imei) ?? 0) + 1
    this.#open.set(imei, count)
    if (count === 1) this.onChange({ imei, protocol, connected: true })
  }

  closed(imei: string, protocol: Protocol): void {
    const count = (this.#open.get(imei) ?? 0) - 1
    if (count > 0) return void this.#open.set(imei, count)
    this.#open.delete(imei)
    this.onChange({ imei, protocol, connected: false })
  }

  isConnected(imei: string): boolean {
    return this.#open.has(imei)
  }
}
