import type { DeviceRecord, Protocol } from '../core/record.ts'
import type { MessageKind } from '../core/message-kind.ts'
import type { Transport } from './protocols/types.ts'
import type { RejectionReason } from './rejections.ts'

/** One message a device sent, as the installer's device page shows it. */
export interface PacketEntry {
  imei: string
  protocol: Protocol
  transport: Transport
  /** Gateway time of arrival, ISO 8601. */
  time: string
  /** What kind of message it was, as its protocol's decoder reads it. */
  kind: MessageKind
  /** The message as received: `{ hex }` for TCP/UDP, `{ method, target, body }` for HTTP. */
  raw: Record<string, unknown>
  records: DeviceRecord[]
  /** Why it was refused, when it was. */
  error?: { code: RejectionReason; message?: string }
  /** The reply sent (hex), when one was. */
  replyHex?: string
}

export interface PacketSink {
  record(entry: PacketEntry): void
}

const WATCH_MS = 60 * 60_000

/**
 * The messages of the devices installers are looking at: a device's log starts when someone watches
 * it (opens its page) and is kept, in a fixed ring, for an hour after the last look. Devices nobody
 * watches cost nothing here, so a fleet of 100,000 does not pay for a debugging aid.
 */
export class PacketLog implements PacketSink {
  readonly #rings = new Map<string, { entries: PacketEntry[]; watchedUntil: number }>()
  readonly #listeners = new Set<(entry: PacketEntry) => void>()

  constructor(
    private readonly perDevice = 200,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts (or extends) logging a device's messages. */
  watch(imei: string): void {
    const ring = this.#rings.get(imei)
    if (ring) ring.watchedUntil = this.now() + WATCH_MS
    else this.#rings.set(imei, { entries: [], watchedUntil: this.now() + WATCH_MS })
  }

  record(entry: PacketEntry): void {
    const ring = this.#rings.get(entry.imei)
    if (!ring) return
    if (ring.watchedUntil < this.now()) return void this.#rings.delete(entry.imei)
    ring.entries.push(entry)
    if (ring.entries.length > this.perDevice) ring.entries.shift()
    for (const listener of this.#listeners) listener(entry)
  }

  /** Newest first; empty for a device nobody watches. */
  recent(imei: string, limit = this.perDevice): PacketEntry[] {
    return (this.#rings.get(imei)?.entries ?? []).slice(-limit).reverse()
  }

  subscribe(listener: (entry: PacketEntry) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
