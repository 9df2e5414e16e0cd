/** Teltonika messages as a device sends them (for the simulator and tests) and the server's replies. */
import { crc16Ibm } from '../../lib/crc.ts'
import { ByteWriter } from '../../lib/writer.ts'
import {
  CODEC,
  GENERATION_TYPE,
  IMEI_ACCEPTED,
  IMEI_REJECTED,
  IO,
  IO_GROUP_WIDTHS,
  IO_LAYOUTS,
  type IoLayout,
  type IoWidth,
  UDP_ACK_BODY_BYTES,
  UDP_PACKET_TYPE,
} from './constants.ts'

export type EncodableCodec = typeof CODEC.codec8 | typeof CODEC.codec8Extended | typeof CODEC.codec16

export interface TeltonikaRecordInput {
  timeMs: number
  /** Decimal degrees; sent in 1e-7 degree steps. */
  latitude: number
  longitude: number
  altitude?: number
  course?: number
  satellites?: number
  speedKmh?: number
  priority?: number
  eventIoId?: number
  /** Raw unsigned IO values by IO id. */
  io: Record<number, number | bigint>
}

/** Wire width of the IO ids whose width the FMB documentation fixes; other values get the smallest width that holds them. */
const IO_WIDTH: ReadonlyMap<number, IoWidth> = new Map<number, IoWidth>([
  [IO.ignition, 1],
  [IO.movement, 1],
  [IO.gsmSignal, 1],
  [IO.digitalInput1, 1],
  [IO.greenDrivingType, 1],
  [IO.greenDrivingValue, 1],
  [IO.unplug, 1],
  [IO.crash, 1],
  [IO.externalVoltageMv, 2],
  [IO.batteryVoltageMv, 2],
  [IO.speedKmh, 2],
  [IO.axisX, 2],
  [IO.axisY, 2],
  [IO.axisZ, 2],
  [IO.totalOdometerM, 4],
  [IO.gsmOperator, 4],
  [IO.iccid1, 8],
  [IO.iccid2, 8],
  [IO.iButton, 8],
])

export function encodeImeiHandshake(imei: string): Buffer {
  const ascii = Buffer.from(imei, 'ascii')
  return new ByteWriter(ascii.length + 2).u16(ascii.length).bytes(ascii).toBuffer()
}

/** The server's one-byte answer to the IMEI handshake. */
export function encodeImeiReply(accepted: boolean): Buffer {
  return Buffer.of(accepted ? IMEI_ACCEPTED : IMEI_REJECTED)
}

/** A complete TCP AVL packet: 4 zero bytes, data length, data, CRC-16/IBM field. */
export function encodeAvlPacket(records: TeltonikaRecordInput[], codec: EncodableCodec = CODEC.codec8): Buffer {
  const data = encodeAvlData(records, codec)
  return new ByteWriter(data.length + 12).u32(0).u32(data.length).bytes(data).u32(crc16Ibm(data)).toBuffer()
}

/** One UDP datagram: length, packet id, packet type, AVL packet id, IMEI, then the AVL data (no CRC). */
export function encodeUdpDatagram(
  imei: string,
  packetId: number,
  avlPacketId: number,
  records: TeltonikaRecordInput[],
  codec: EncodableCodec = CODEC.codec8,
): Buffer {
  const body = new ByteWriter()
    .u16(packetId)
    .u8(UDP_PACKET_TYPE)
    .u8(avlPacketId)
    .bytes(encodeImeiHandshake(imei))
    .bytes(encodeAvlData(records, codec))
    .toBuffer()
  return new ByteWriter(body.length + 2).u16(body.length).bytes(body).toBuffer()
}

/** TCP ACK: the number of accepted records as a 4-byte integer. */
export function encodeRecordCountAck(count: number): Buffer {
  return new ByteWriter(4).u32(count).toBuffer()
}

/** UDP ACK: `00 05`, packet id, packet type, AVL packet id, accepted record count (1 byte). */
export function encodeUdpAck(packetId: number, avlPacketId: number, count: number): Buffer {
  return new ByteWriter(2 + UDP_ACK_BODY_BYTES)
    .u16(UDP_ACK_BODY_BYTES)
    .u16(packetId)
    .u8(UDP_PACKET_TYPE)
    .u8(avlPacketId)
    .u8(count)
    .toBuffer()
}

function encodeAvlData(records: TeltonikaRecordInput[], codec: EncodableCodec): Buffer {
  const layout = IO_LAYOUTS.get(codec)
  if (!layout) throw new RangeError(`codec 0x${codec.toString(16)} cannot be encoded`)
  const writer = new ByteWriter().u8(codec).u8(records.length)
  for (const record of records) writeRecord(writer, record, layout)
  return writer.u8(records.length).toBuffer()
}

function writeRecord(writer: ByteWriter, record: TeltonikaRecordInput, layout: IoLayout): void {
  const eventIoId = record.eventIoId ?? 0
  writer
    .u64(BigInt(record.timeMs))
    .u8(record.priority ?? 0)
    .i32(Math.round(record.longitude * 1e7))
    .i32(Math.round(record.latitude * 1e7))
    .i16(Math.round(record.altitude ?? 0))
    .u16(Math.round(record.course ?? 0))
    .u8(record.satellites ?? 0)
    .u16(Math.round(record.speedKmh ?? 0))
  writeUnsigned(writer, layout.idBytes, eventIoId)
  if (layout.generationType) writer.u8(eventIoId === 0 ? GENERATION_TYPE.periodic : GENERATION_TYPE.onChange)

  const groups = groupByWidth(record.io)
  writeUnsigned(writer, layout.countBytes, Object.keys(record.io).length)
  for (const width of IO_GROUP_WIDTHS) {
    const elements = groups.get(width) ?? []
    writeUnsigned(writer, layout.countBytes, elements.length)
    for (const [id, value] of elements) {
      writeUnsigned(writer, layout.idBytes, id)
      writeIoValue(writer, width, value)
    }
  }
  if (layout.variableLengthGroup) writeUnsigned(writer, layout.countBytes, 0)
}

function groupByWidth(io: Record<number, number | bigint>): Map<IoWidth, [number, bigint][]> {
  const groups = new Map<IoWidth, [number, bigint][]>()
  for (const [key, raw] of Object.entries(io)) {
    const id = Number(key)
    const value = BigInt(raw)
    const width = IO_WIDTH.get(id) ?? smallestWidthFor(id, value)
    const group = groups.get(width) ?? []
    group.push([id, value])
    groups.set(width, group)
  }
  return groups
}

function smallestWidthFor(id: number, value: bigint): IoWidth {
  const width = IO_GROUP_WIDTHS.find((bytes) => value >= 0n && value < 1n << BigInt(8 * bytes))
  if (width === undefined) throw new RangeError(`io${id} = ${value} does not fit an unsigned 8-byte value`)
  return width
}

function writeIoValue(writer: ByteWriter, width: IoWidth, value: bigint): void {
  if (width === 8) writer.u64(value)
  else if (width === 4) writer.u32(Number(value))
  else if (width === 2) writer.u16(Number(value))
  else writer.u8(Number(value))
}

function writeUnsigned(writer: ByteWriter, bytes: 1 | 2, value: number): void {
  if (bytes === 2) writer.u16(value)
  else writer.u8(value)
}
