import net from 'node:net'
import { encodeAvlPacket, encodeImeiHandshake, type TeltonikaRecordInput } from '../gateway/protocols/teltonika/encode.ts'

export interface LoadResult {
  records: number
  packets: number
  seconds: number
}

/**
 * Lean device load: `devices` connections, each with one packet in flight (as real devices do),
 * sending `recordsPerPacket` fresh records as soon as the previous packet is ACKed, for `seconds`.
 * Every connection first connects, identifies and has one packet stored (new devices admitted, the
 * start's backlog drained); only then does the clock start.
 */
export async function teltonikaLoad(port: number, devices: number, recordsPerPacket: number, seconds: number, imeiBase: number): Promise<LoadResult> {
  let records = 0
  let packets = 0
  const baseTime = Date.now() - 3_600_000
  let start = Number.POSITIVE_INFINITY
  let deadline = Number.POSITIVE_INFINITY
  let startClock!: () => void
  const clockStarted = new Promise<void>((resolve) => (startClock = resolve))
  let ready = 0
  const connections = Array.from({ length: devices }, async (_, index) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    const replies = replyReader(socket)
    socket.write(encodeImeiHandshake(String(imeiBase + index)))
    await replies(1)
    let sequence = 0
    const send = async () => {
      const batch: TeltonikaRecordInput[] = Array.from({ length: recordsPerPacket }, () => {
        sequence++
        return { timeMs: baseTime + sequence * 1000, latitude: 54.6 + index * 1e-4, longitude: 25.2 + sequence * 1e-5, satellites: 9, speedKmh: 40, course: 90, io: { 239: 1, 240: 1, 66: 14000, 16: sequence * 10 } }
      })
      socket.write(encodeAvlPacket(batch))
      return (await replies(4)).readUInt32BE(0)
    }
    await send()
    if (++ready === devices) startClock()
    await clockStarted
    while (performance.now() < deadline) {
      const stored = await send()
      records += stored
      packets++
    }
    socket.destroy()
  })
  await clockStarted
  start = performance.now()
  deadline = start + seconds * 1000
  await Promise.all(connections)
  return { records, packets, seconds: (performance.now() - start) / 1000 }
}

function replyReader(socket: net.Socket): (bytes: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0)
  let waiting: { bytes: number; resolve: (reply: Buffer) => void; reject: (err: Error) => void } | undefined
  const settle = () => {
    if (!waiting || buffered.length < waiting.bytes) return
    const { bytes, resolve } = waiting
    waiting = undefined
    const reply = buffered.subarray(0, bytes)
    buffered = buffered.subarray(bytes)
    resolve(reply)
  }
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk])
    settle()
  })
  socket.on('close', () => waiting?.reject(new Error('connection closed by the gateway')))
  return (bytes) =>
    new Promise((resolve, reject) => {
      waiting = { bytes, resolve, reject }
      settle()
    })
}
