/** Reading the packets a device sent (installer's device page): typed record fields and key facts; the gateway names each message's kind. */
import type { Packet } from '../../../../shared/contract.ts'

/** The fields of a decoded record the device page reads; anything else stays in the raw view. */
export interface PacketRecord {
  fixTime?: string
  receivedAt?: string
  buffered?: boolean
  valid?: boolean
  latitude?: number
  longitude?: number
  speedKmh?: number
  satellites?: number
  ignition?: boolean
  motion?: boolean
  externalVoltageV?: number
  batteryVoltageV?: number
  gsmSignal?: number
  events: string[]
}

const NUMBER_FIELDS = ['latitude', 'longitude', 'speedKmh', 'satellites', 'externalVoltageV', 'batteryVoltageV', 'gsmSignal'] as const
const BOOLEAN_FIELDS = ['buffered', 'valid', 'ignition', 'motion'] as const
const TIME_FIELDS = ['fixTime', 'receivedAt'] as const

/** A record as the API sent it (`Record<string, unknown>`), keeping only fields of the right type. */
export function readRecord(raw: Record<string, unknown>): PacketRecord {
  const record: PacketRecord = { events: [] }
  for (const key of NUMBER_FIELDS) {
    const value = raw[key]
    if (typeof value === 'number' && Number.isFinite(value)) record[key] = value
  }
  for (const key of BOOLEAN_FIELDS) {
    const value = raw[key]
    if (typeof value === 'boolean') record[key] = value
  }
  for (const key of TIME_FIELDS) {
    const value = raw[key]
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) record[key] = value
  }
  if (Array.isArray(raw.events)) record.events = raw.events.filter((event): event is string => typeof event === 'string')
  return record
}

export function packetRecords(packet: Packet): PacketRecord[] {
  return packet.records.map(readRecord)
}

/** The raw bytes as hex, when the packet came over TCP or UDP. */
export function rawHex(packet: Packet): string | null {
  return typeof packet.raw.hex === 'string' ? packet.raw.hex : null
}

/** "3 records", "1 record", "no record". */
export function recordCountLabel(count: number): string {
  return count === 0 ? 'no record' : count === 1 ? '1 record' : `${count} records`
}

/** Hex in groups of two bytes for reading: "000f 3335 3630…". */
export function groupHex(hex: string): string {
  return hex.replace(/(.{4})(?=.)/g, '$1 ')
}
