/**
 * Decodes one Queclink message (a TCP frame or a UDP datagram; the trailing `$` may be there or not)
 * into records and the reply to send. Pure: no I/O, and the clock comes from the context.
 *
 * Replies: a heartbeat (`+ACK:GTHBD`) is always answered with `+SACK:GTHBD,<version>,<count>$`;
 * every other sentence is acknowledged with `+SACK:<count>$`, sent once its records are durable
 * (devices configured to wait for it keep their buffer until then; the others ignore it).
 * Binary-mode frames are refused as UNKNOWN_TYPE.
 */
import { decodeSafely, fail } from '../errors.ts'
import type { DecodeContext, Decoded, Session } from '../types.ts'
import { HEADER } from './constants.ts'
import { toDeviceRecords } from './device-record.ts'
import { encodeHeartbeatSack, encodeSack } from './encode.ts'
import { isBinary } from './frame.ts'
import { readReport } from './report.ts'
import { readSentence } from './sentence.ts'

export function decode(message: Buffer, session: Session, context: DecodeContext): Decoded {
  return decodeSafely(() => decodeMessage(message, session, context))
}

function decodeMessage(message: Buffer, session: Session, context: DecodeContext): Decoded {
  if (isBinary(message)) {
    fail('UNKNOWN_TYPE', `Queclink binary reports (${describeBinary(message)}) are not supported: set the device to ASCII @Track reports`)
  }
  const sentence = readSentence(message)
  // A TCP connection speaks for the one device it identified first.
  if (session.transport === 'tcp' && session.imei !== undefined && session.imei !== sentence.imei) {
    fail('BAD_IMEI', `IMEI ${sentence.imei} on a connection identified as ${session.imei}`)
  }
  const identity = { imei: sentence.imei }
  if (sentence.header === HEADER.commandAck) {
    // Command acknowledgements and heartbeats carry no position.
    const ack = sentence.type === 'GTHBD' ? encodeHeartbeatSack(sentence.protocolVersion, sentence.countNumber) : encodeSack(sentence.countNumber)
    return { records: [], identity, ack }
  }
  const records = toDeviceRecords(sentence, readReport(sentence), context.now.toISOString())
  return { records, identity, ack: encodeSack(sentence.countNumber) }
}

function describeBinary(message: Buffer): string {
  return message[1] === 0x00 ? '0x2B00 frame' : message.toString('latin1', 0, 4)
}
