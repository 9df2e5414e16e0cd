/**
 * Decodes one Teltonika message (a TCP frame or a UDP datagram) into records and the reply to send.
 * Pure: no I/O, and the clock comes from the context.
 */
import { ByteCursor } from '../../lib/cursor.ts'
import { crc16Ibm } from '../../lib/crc.ts'
import type { DeviceRecord } from '../../../core/record.ts'
import { decodeSafely, fail } from '../errors.ts'
import type { DecodeContext, Decoded, Session } from '../types.ts'
import { readAvlData } from './avl-data.ts'
import { AVL_CRC_BYTES, IMEI_PATTERN, PING } from './constants.ts'
import { toDeviceRecord } from './device-record.ts'
import { encodeImeiReply, encodeRecordCountAck, encodeUdpAck } from './encode.ts'

export function decode(message: Buffer, session: Session, context: DecodeContext): Decoded {
  return decodeSafely(() =>
    session.transport === 'udp' ? decodeDatagram(message, context) : decodeTcpMessage(message, session, context),
  )
}

/** A ping, the IMEI handshake, or an AVL packet (docs/protocols.md, Teltonika). */
function decodeTcpMessage(message: Buffer, session: Session, context: DecodeContext): Decoded {
  if (message.length === 1 && message[0] === PING) return { records: [] }
  const cursor = new ByteCursor(message)
  if (cursor.u16() !== 0) return decodeHandshake(new ByteCursor(message))
  if (cursor.u16() !== 0) fail('BAD_FRAME', 'not a Teltonika message: neither an IMEI nor 4 zero bytes')
  if (session.imei === undefined) fail('NOT_IDENTIFIED', 'AVL data before the IMEI handshake')
  return decodeAvlPacket(cursor, session.imei, context)
}

function decodeHandshake(cursor: ByteCursor): Decoded {
  const imei = readImei(cursor)
  expectEnd(cursor)
  return { records: [], identity: { imei, reject: encodeImeiReply(false) }, ack: encodeImeiReply(true) }
}

/**
 * Data length, data, CRC field. The CRC-16/IBM of the data must match the field's low two bytes;
 * with `crc: 'lenient'` the field is not consulted at all, even when it is cut short.
 */
function decodeAvlPacket(cursor: ByteCursor, imei: string, context: DecodeContext): Decoded {
  const data = cursor.bytes(cursor.u32())
  if (context.crc === 'strict') {
    const expected = cursor.u32() & 0xffff
    const actual = crc16Ibm(data)
    if (actual !== expected) fail('BAD_CHECKSUM', `CRC-16/IBM is ${hex16(actual)}, the packet says ${hex16(expected)}`)
  } else {
    cursor.skip(Math.min(AVL_CRC_BYTES, cursor.remaining))
  }
  expectEnd(cursor)
  const records = decodeRecords(data, imei, context)
  return records ? { records, ack: encodeRecordCountAck(records.length) } : { records: [] }
}

/** Length, packet id, packet type, AVL packet id, IMEI, AVL data; no CRC (docs/protocols.md, Teltonika ACK and history). */
function decodeDatagram(message: Buffer, context: DecodeContext): Decoded {
  const cursor = new ByteCursor(message)
  const length = cursor.u16()
  if (length > cursor.remaining) fail('TRUNCATED', `datagram declares ${length} bytes, carries ${cursor.remaining}`)
  if (length < cursor.remaining) fail('MALFORMED', `datagram declares ${length} bytes, carries ${cursor.remaining}`)
  const packetId = cursor.u16()
  cursor.skip(1) // packet type
  const avlPacketId = cursor.u8()
  const imei = readImei(cursor)
  const records = decodeRecords(cursor.bytes(cursor.remaining), imei, context)
  if (!records) return { records: [], identity: { imei } }
  return { records, identity: { imei }, ack: encodeUdpAck(packetId, avlPacketId, records.length) }
}

/** The records of an AVL data field, or undefined for a command response (codec 12/13), which is never acknowledged. */
function decodeRecords(data: Buffer, imei: string, context: DecodeContext): DeviceRecord[] | undefined {
  const content = readAvlData(data)
  if (content.kind === 'commandResponse') return undefined
  const receivedAt = context.now.toISOString()
  return content.records.map((record) => toDeviceRecord(record, imei, receivedAt))
}

function readImei(cursor: ByteCursor): string {
  const imei = cursor.bytes(cursor.u16()).toString('latin1')
  if (!IMEI_PATTERN.test(imei)) fail('BAD_IMEI', `IMEI must be 15 digits, got ${JSON.stringify(imei)}`)
  return imei
}

function expectEnd(cursor: ByteCursor): void {
  if (cursor.remaining > 0) fail('MALFORMED', `${cursor.remaining} unexpected byte(s) at the end of the message`)
}

function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`
}
