/**
 * Child process of the connections benchmark (bench/connections.ts): holds `count` Teltonika device
 * connections that identified themselves (IMEI handshake answered 01) and then stay idle.
 *
 * Started with fork(); told `{ open: { port, first, count, imeiBase } }` over IPC, it answers
 * `{ opened, failed }` once every connection is identified or has failed, and keeps the sockets
 * until it is disconnected from its parent. Client sockets are spread over several loopback
 * source addresses (127.0.0.2, 127.0.0.3, …) because one address pair has only ~28,000 ephemeral ports.
 */
import net from 'node:net'
import { encodeImeiHandshake } from '../gateway/protocols/teltonika/encode.ts'

export interface OpenRequest {
  open: { port: number; first: number; count: number; imeiBase: number }
}

export interface OpenReport {
  opened: number
  failed: number
  firstError?: string
}

/**
 * Connections per source address. Binding a source address picks its port by scanning for one free on
 * that address, which slows down as the address fills up; 1,000 each keeps connecting fast.
 */
export const CONNECTIONS_PER_SOURCE_ADDRESS = 1_000
/** Connects in flight at once; more would overflow the server's listen backlog (511) and stall on SYN retries. */
const IN_FLIGHT = 256
const HANDSHAKE_TIMEOUT_MS = 30_000

/** 127.0.0.2, 127.0.0.3, … 127.0.0.251, 127.0.1.2, …: every loopback address reaches 127.0.0.1's listeners. */
export function sourceAddress(index: number): string {
  const block = Math.floor(index / CONNECTIONS_PER_SOURCE_ADDRESS)
  return `127.0.${Math.floor(block / 250)}.${2 + (block % 250)}`
}

const sockets: net.Socket[] = []

async function openAll({ port, first, count, imeiBase }: OpenRequest['open']): Promise<OpenReport> {
  const report: OpenReport = { opened: 0, failed: 0 }
  let next = first
  const end = first + count
  const worker = async () => {
    while (next < end) {
      const index = next++
      try {
        sockets.push(await identifiedDevice(port, index, String(imeiBase + index)))
        report.opened++
      } catch (err) {
        report.failed++
        report.firstError ??= (err as Error).message
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  return report
}

function identifiedDevice(port: number, index: number, imei: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: sourceAddress(index) })
    const fail = (err: Error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(err)
    }
    const timer = setTimeout(() => fail(new Error('no handshake reply in 30 s')), HANDSHAKE_TIMEOUT_MS)
    socket.once('error', fail)
    socket.once('connect', () => socket.write(encodeImeiHandshake(imei)))
    socket.once('data', (reply) => {
      clearTimeout(timer)
      socket.off('error', fail)
      // Idle from here on: later errors (the server going away) are expected, not news.
      socket.on('error', () => {})
      if (reply[0] === 0x01) resolve(socket)
      else fail(new Error(`handshake answered 0x${reply.toString('hex')}`))
    })
  })
}

process.on('message', (message: OpenRequest) => {
  void openAll(message.open).then((report) => process.send!(report))
})
process.on('disconnect', () => {
  for (const socket of sockets) socket.destroy()
  process.exit(0)
})
