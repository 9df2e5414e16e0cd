/** What kind of Teltonika message a frame or datagram is, from its header (docs/protocols.md, Teltonika). */
import type { MessageKind } from '../../../core/message-kind.ts'
import { CODEC, PING } from './constants.ts'

const CODEC_LABELS: ReadonlyMap<number, string> = new Map([
  [CODEC.gh3000, 'GH3000 data'],
  [CODEC.codec8, 'Codec 8'],
  [CODEC.codec8Extended, 'Codec 8E'],
  [CODEC.codec16, 'Codec 16'],
  [CODEC.codec12, 'Codec 12'],
  [CODEC.codec13, 'Codec 13'],
])

/** TCP: a ping, the IMEI handshake, or AVL data (4 zero bytes, length, codec id); UDP: the codec id after the IMEI. */
export function describeMessage(message: Buffer, transport: 'tcp' | 'udp'): MessageKind {
  if (transport === 'udp') {
    // Length (2), packet id (2), packet type (1), AVL packet id (1), IMEI length (2), IMEI, codec id.
    const codecAt = message.length >= 8 ? 8 + message.readUInt16BE(6) : message.length
    return codecAt < message.length ? codecKind(message[codecAt]!) : { type: '', label: 'Teltonika UDP' }
  }
  if (message.length === 1 && message[0] === PING) return { type: '0xFF', label: 'Ping' }
  if (message.length >= 2 && message.readUInt16BE(0) !== 0) return { type: 'IMEI', label: 'IMEI handshake' }
  if (message.length > 8 && message.readUInt32BE(0) === 0) return codecKind(message[8]!)
  return { type: '', label: 'Teltonika message' }
}

function codecKind(codec: number): MessageKind {
  const type = `0x${codec.toString(16).padStart(2, '0').toUpperCase()}`
  return { type, label: CODEC_LABELS.get(codec) ?? `Codec ${type}` }
}
