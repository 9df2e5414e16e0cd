import type { Protocol } from '../core/record.ts'
import type { Transport } from './protocols/types.ts'
import type { RecordRejection } from './record-validation.ts'

/** A record the gateway refused to store, kept for installers with the message it came in. */
export interface QuarantinedRecord {
  imei: string
  protocol: Protocol
  transport: Transport
  /** Gateway time of arrival, ISO 8601. */
  time: string
  code: RecordRejection
  field: string
  message: string
  /** The record's fix time as decoded (it may be the reason). */
  fixTime: string
  /** The message as received: `{ hex }` for TCP/UDP, `{ method, target, body }` for HTTP; long values clipped. */
  raw: Record<string, unknown>
}

/** Where the gateway puts the records it refuses. */
export interface QuarantineSink {
  add(entry: QuarantinedRecord): void
}

/** Longest raw value kept per entry (hex digits or request text): 1 KB of a message is what an installer reads. */
const MAX_RAW_CHARS = 2048

/**
 * The refused records, in memory (the gateway owns no SQL): the last `perDevice` of each device and
 * `total` in all. Past the total, the device that was quarantined least recently loses its oldest
 * entry first, so a device flooding bad records pushes out its own history, not every other device's.
 */
export class Quarantine implements QuarantineSink {
  /** In order of each device's latest entry: the first device is the least recently quarantined. */
  readonly #byDevice = new Map<string, QuarantinedRecord[]>()
  #size = 0

  constructor(
    private readonly perDevice = 50,
    private readonly total = 20_000,
  ) {}

  add(entry: QuarantinedRecord): void {
    const entries = this.#byDevice.get(entry.imei) ?? []
    this.#byDevice.delete(entry.imei)
    this.#byDevice.set(entry.imei, entries)
    entries.push({ ...entry, raw: clippedRaw(entry.raw) })
    this.#size++
    if (entries.length > this.perDevice) {
      entries.shift()
      this.#size--
    }
    while (this.#size > this.total) this.#evictOldest()
  }

  /** Newest first; empty for a device with no refused records. */
  recent(imei: string): QuarantinedRecord[] {
    return (this.#byDevice.get(imei) ?? []).slice().reverse()
  }

  get size(): number {
    return this.#size
  }

  #evictOldest(): void {
    const [imei, entries] = this.#byDevice.entries().next().value!
    entries.shift()
    this.#size--
    if (entries.length === 0) this.#byDevice.delete(imei)
  }
}

function clippedRaw(raw: Record<string, unknown>): Record<string, unknown> {
  const clipped: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    clipped[key] = typeof value === 'string' && value.length > MAX_RAW_CHARS ? `${value.slice(0, MAX_RAW_CHARS)}...` : value
  }
  return clipped
}
