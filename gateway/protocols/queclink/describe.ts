/** What kind of Queclink message a frame is: its report header, `+RESP:GTFRI` (docs/protocols.md, Queclink). */
import type { MessageKind } from '../../../core/message-kind.ts'
import { isBinary } from './frame.ts'

const REPORT_HEADER = /^\+(?:RESP|BUFF|ACK):(GT[0-9A-Z]{3})/

export function describeMessage(message: Buffer): MessageKind {
  if (isBinary(message)) return { type: '', label: 'Queclink binary report' }
  const header = REPORT_HEADER.exec(message.toString('latin1', 0, 16))
  return header ? { type: header[1]!, label: header[0] } : { type: '', label: 'Queclink message' }
}
