import { z } from 'zod'
import type { PacketEntry } from '../../gateway/packet-log.ts'
import type { Packet } from '../shared/contract.ts'

/** The gateway's packet log as the dashboard uses it (gateway/packet-log.ts `PacketLog`). */
export interface PacketSource {
  /** Starts (or extends, for an hour) logging the device's messages. */
  watch(imei: string): void
  /** Newest first. */
  recent(imei: string, limit?: number): PacketEntry[]
  subscribe(listener: (entry: PacketEntry) => void): () => void
}

/** The sockets watching a device's packets. */
export const packetRoom = (imei: string) => `packets:${imei}`
export const imeiOfPacketRoom = (room: string): string | undefined => (room.startsWith('packets:') ? room.slice('packets:'.length) : undefined)

export const packetsQuery = z.strictObject({
  limit: z.coerce.number().int('limit is a whole number').min(1, 'limit is 1 to 200').max(200, 'limit is 1 to 200').default(50),
})

/** The contract's form: the decoded records as their JSON (DeviceRecord is plain data already). */
export function toPacket(entry: PacketEntry): Packet {
  return {
    imei: entry.imei,
    protocol: entry.protocol,
    transport: entry.transport,
    time: entry.time,
    kind: entry.kind,
    raw: entry.raw,
    records: entry.records.map((record) => ({ ...record })),
    ...(entry.error ? { error: entry.error } : {}),
    ...(entry.replyHex ? { replyHex: entry.replyHex } : {}),
  }
}
