import type { Protocol } from '../core/record.ts'
import type { RejectionReason } from './rejections.ts'
import type { Transport } from './protocols/types.ts'

export interface ProtocolStats {
  /** Listening port per transport, e.g. `{ tcp: 5027, udp: 5027 }`. */
  ports: Partial<Record<Transport, number>>
  openConnections: number
  connections: number
  messages: number
  records: number
  bytesIn: number
  bytesOut: number
  rejections: Partial<Record<RejectionReason, number>>
}

/** Counters behind GET /api/gateway/stats; every rejection is counted by reason. */
export class GatewayStats {
  readonly #byProtocol = new Map<Protocol, ProtocolStats>()

  for(protocol: Protocol): ProtocolStats {
    let stats = this.#byProtocol.get(protocol)
    if (!stats) {
      stats = { ports: {}, openConnections: 0, connections: 0, messages: 0, records: 0, bytesIn: 0, bytesOut: 0, rejections: {} }
      this.#byProtocol.set(protocol, stats)
    }
    return stats
  }

  reject(protocol: Protocol, reason: RejectionReason): void {
    const rejections = this.for(protocol).rejections
    rejections[reason] = (rejections[reason] ?? 0) + 1
  }

  snapshot(): Record<string, ProtocolStats> {
    return Object.fromEntries(this.#byProtocol)
  }
}
