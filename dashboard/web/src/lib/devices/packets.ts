/** Reading the packets a device sent (installer's device page): typed record fields, message kind, key facts. */
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

/** What kind of message it was, in the protocol's own words where we can tell: "Codec 8E", "GT06 login", "+RESP:GTFRI". */
export function packetKind(packet: Packet): string {
  const hex = rawHex(packet)?.toLowerCase() ?? ''
  switch (packet.protocol) {
    case 'teltonika':
      return teltonikaKind(hex, packet.transport)
    case 'gt06':
      return gt06Kind(hex)
    case 'queclink':
      return queclinkKind(hex)
    case 'osmand': {
      const method = typeof packet.raw.method === 'string' ? packet.raw.method : 'HTTP'
      return `OsmAnd ${method}`
    }
    default:
      return packet.protocol
  }
}

const TELTONIKA_CODECS: Record<string, string> = { '08': 'Codec 8', '8e': 'Codec 8E', '10': 'Codec 16', '0c': 'Codec 12', '0d': 'Codec 13', '0e': 'Codec 14' }

function teltonikaKind(hex: string, transport: string): string {
  if (transport === 'udp') {
    // length(2) packet id(2) not-usable(1) avl packet id(1) imei length(2) imei codec
    const imeiLength = Number.parseInt(hex.slice(12, 16), 16)
    const codec = Number.isNaN(imeiLength) ? undefined : TELTONIKA_CODECS[hex.slice(16 + imeiLength * 2, 18 + imeiLength * 2)]
    return codec ?? 'Teltonika UDP'
  }
  if (hex.startsWith('00000000')) return TELTONIKA_CODECS[hex.slice(16, 18)] ?? 'Teltonika data'
  if (hex.startsWith('000f')) return 'IMEI handshake'
  if (hex.length > 0 && hex.length <= 4) return 'Ping'
  return 'Teltonika message'
}

const GT06_TYPES: Record<string, string> = {
  '01': 'login',
  '10': 'GPS',
  '12': 'location',
  '13': 'heartbeat',
  '16': 'alarm',
  '1a': 'GPS + phone',
  '22': 'location',
  '26': 'alarm',
  '8a': 'time request',
  '94': 'info',
}

function gt06Kind(hex: string): string {
  // 7878 len(1) type(1) or 7979 len(2) type(1)
  const type = hex.startsWith('7979') ? hex.slice(8, 10) : hex.slice(6, 8)
  const name = GT06_TYPES[type]
  return name ? `GT06 ${name}` : `GT06 0x${type || '??'}`
}

function queclinkKind(hex: string): string {
  const text = hexToAscii(hex.slice(0, 40))
  const header = /^\+(RESP|BUFF|ACK):GT[A-Z]{3}/.exec(text)
  return header ? header[0] : 'Queclink message'
}

function hexToAscii(hex: string): string {
  let text = ''
  for (let i = 0; i + 1 < hex.length; i += 2) text += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16))
  return text
}

/** "3 records", "1 record", "no record". */
export function recordCountLabel(count: number): string {
  return count === 0 ? 'no record' : count === 1 ? '1 record' : `${count} records`
}

/** Hex in groups of two bytes for reading: "000f 3335 3630…". */
export function groupHex(hex: string): string {
  return hex.replace(/(.{4})(?=.)/g, '$1 ')
}
