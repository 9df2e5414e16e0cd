/** What kind of GT06 message a frame is, by its protocol number (docs/protocols.md, GT06). */
import type { MessageKind } from '../../../core/message-kind.ts'
import { LONG_HEADER, MESSAGE } from './constants.ts'

/** How installers read each protocol number. */
const MESSAGE_LABELS: ReadonlyMap<number, string> = new Map([
  [MESSAGE.login, 'login'],
  [MESSAGE.gps, 'GPS'],
  [MESSAGE.gpsCellWide, 'location'],
  [MESSAGE.gpsCell, 'location'],
  [MESSAGE.status, 'heartbeat'],
  [MESSAGE.commandReply, 'command reply'],
  [MESSAGE.gpsCellStatus, 'alarm'],
  [MESSAGE.wifi, 'Wi-Fi'],
  [MESSAGE.cellStatus, 'alarm'],
  [MESSAGE.commandReplyLong, 'command reply'],
  [MESSAGE.gpsCellUpload, 'location'],
  [MESSAGE.heartbeat, 'heartbeat'],
  [MESSAGE.gpsCellStatusAlarm, 'alarm'],
  [MESSAGE.gpsCellStatusFence, 'geofence alarm'],
  [MESSAGE.gpsCellUploadAlt, 'location'],
  [MESSAGE.gpsCellUploadModules, 'location'],
  [MESSAGE.wifiAlt, 'Wi-Fi'],
  [MESSAGE.timeRequest, 'time request'],
  [MESSAGE.information, 'info'],
  [MESSAGE.dashcamAlarm, 'dashcam alarm'],
  [MESSAGE.extendedStatus, 'status'],
])

/** `78 78`, a 1-byte length, then the protocol number; `79 79` has a 2-byte length. */
export function describeMessage(message: Buffer): MessageKind {
  const typeAt = message[0] === LONG_HEADER ? 4 : 3
  const number = message[typeAt]
  if (number === undefined) return { type: '', label: 'GT06 message' }
  const type = `0x${number.toString(16).padStart(2, '0').toUpperCase()}`
  return { type, label: `GT06 ${MESSAGE_LABELS.get(number) ?? type}` }
}
