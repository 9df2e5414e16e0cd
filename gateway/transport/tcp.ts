import net from 'node:net'
import type { Logger } from '../../logger.ts'
import type { DeviceConnections } from '../connections.ts'
import { FrameReader } from '../frame-reader.ts'
import type { ProtocolDescriptor, Session } from '../protocols/types.ts'
import type { RejectionReason } from '../rejections.ts'
import { handleMessage, type GatewayContext } from './handle-message.ts'
import { LazyLog } from './lazy-log.ts'
import { listen } from './listen.ts'

export interface TcpGatewayContext extends GatewayContext {
  connections: DeviceConnections
  /** A connection that has not identified its device within this is closed (DEVICE_IDENTIFY_TIMEOUT). */
  identifyTimeoutMs: number
}

export interface TcpListener {
  port: number
  /** Stops listening and drops the open connections (their devices resend what was not ACKed). */
  close(): Promise<void>
}

/** Longest time one message may take to arrive once its first byte came (slow senders hold no socket for long). */
const MAX_MESSAGE_ARRIVAL_MS = 30_000
const SWEEP_EVERY_MS = 1000
/** What the timeout sweep needs to know of a connection. */
interface ConnectionClock {
  openedAt: number
  /** Whether the device has identified itself (IMEI handshake, login). */
  identified: boolean
  /** When the last complete message arrived (or the connection opened). */
  lastMessageAt: number
  /** When the first byte of a still incomplete message arrived; undefined when nothing is pending. */
  partialSince: number | undefined
  /** Closes the connection and counts the reason. */
  close(reason: RejectionReason): void
}

/** Listens for one protocol over TCP; resolves once listening. */
export async function listenTcp(
  protocol: ProtocolDescriptor,
  host: string,
  port: number,
  context: TcpGatewayContext,
  log: Logger,
): Promise<TcpListener> {
  const open = new Map<net.Socket, ConnectionClock>()
  const server = net.createServer((socket) => {
    const limit = context.connectionsPerAddress
    const release = limit ? limit.open(socket.remoteAddress) : () => {}
    if (!release) {
      context.stats.reject(protocol.name, 'TOO_MANY_CONNECTIONS')
      log.debug({ protocol: protocol.name, remote: socket.remoteAddress }, 'connection refused: too many from this address')
      return void socket.destroy()
    }
    open.set(socket, serveConnection(protocol, socket, context, log))
    socket.once('close', () => {
      open.delete(socket)
      release()
    })
  })
  server.on('error', (err) => log.error({ err, protocol: protocol.name }, 'tcp server error'))
  // One sweep per listener instead of a timer per socket: cheap at tens of thousands of devices, and it
  // judges progress by whole messages, so a trickle of bytes (slowloris) does not keep a socket alive.
  const messageArrivalMs = Math.min(MAX_MESSAGE_ARRIVAL_MS, context.idleTimeoutMs)
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const clock of open.values()) {
      if (clock.partialSince !== undefined && now - clock.partialSince > messageArrivalMs) clock.close('SLOW_MESSAGE')
      else if (!clock.identified && now - clock.openedAt > context.identifyTimeoutMs) clock.close('IDENTIFY_TIMEOUT')
      else if (now - clock.lastMessageAt > context.idleTimeoutMs) clock.close('IDLE_TIMEOUT')
    }
  }, Math.min(SWEEP_EVERY_MS, context.idleTimeoutMs / 2, context.identifyTimeoutMs / 2))
  sweep.unref()
  const boundPort = await listen(server, host, port)
  return {
    port: boundPort,
    close: async () => {
      clearInterval(sweep)
      const closed = new Promise((resolve) => server.close(resolve))
      open.forEach((_, socket) => socket.destroy())
      await closed
    },
  }
}

function serveConnection(protocol: ProtocolDescriptor, socket: net.Socket, context: TcpGatewayContext, rootLog: Logger): ConnectionClock {
  const stats = context.stats.for(protocol.name)
  const session: Session = { transport: 'tcp' }
  // Read while the socket is open: every line at info and above is written before it closes, and at
  // debug the first line ('connected') comes at once.
  const log = new LazyLog(rootLog, () => ({ protocol: protocol.name, remote: `${socket.remoteAddress}:${socket.remotePort}` }))
  const reader = new FrameReader(protocol.frame, context.maxMessageBytes)
  let busy = false
  let closed = false

  stats.connections++
  stats.openConnections++
  socket.setNoDelay(true)
  log.debug('connected')

  /** Ends the connection; `farewell` (a refusal reply) is written first. Counting is the caller's. */
  const disconnect = (reason: RejectionReason, farewell?: Uint8Array) => {
    if (closed) return
    closed = true
    log.info({ reason }, 'closing connection')
    if (farewell) socket.end(farewell)
    socket.destroySoon()
  }
  const close = (reason: RejectionReason) => {
    if (!closed) context.stats.reject(protocol.name, reason)
    disconnect(reason)
  }
  const now = Date.now()
  const clock: ConnectionClock = { openedAt: now, identified: false, lastMessageAt: now, partialSince: undefined, close }

  // Messages of one connection are handled strictly in order; the socket is paused while a write is
  // pending so a fast sender cannot grow our buffer past one read beyond the frame limit.
  const drain = async () => {
    busy = true
    socket.pause()
    while (!closed) {
      const framed = reader.take()
      if (framed.frames.length > 0) clock.lastMessageAt = Date.now()
      clock.partialSince = reader.pendingBytes === 0 ? undefined : (clock.partialSince ?? Date.now())
      for (const message of framed.frames) {
        const outcome = await handleMessage(protocol, message, session, context, log)
        if (closed) return
        // handleMessage has counted its rejection already. A message of a type we do not read is
        // skipped unanswered; closing would only make the device reconnect and send it again.
        if (!outcome.ok && outcome.reason === 'UNKNOWN_TYPE') continue
        if (!outcome.ok) return disconnect(outcome.reason, outcome.reply)
        if (outcome.identified && session.imei === undefined) {
          session.imei = outcome.identified
          clock.identified = true
          log.identified(outcome.identified)
          context.connections.opened(outcome.identified, protocol.name, close)
        }
        if (outcome.reply) {
          stats.bytesOut += outcome.reply.length
          socket.write(outcome.reply)
        }
      }
      if (framed.error) return close(framed.error.code)
      if (framed.frames.length === 0) break
    }
    busy = false
    socket.resume()
  }

  socket.on('data', (chunk: Buffer) => {
    stats.bytesIn += chunk.length
    reader.push(chunk)
    if (!busy) void drain().catch((err) => {
      log.error({ err }, 'connection handler failed')
      close('INTERNAL_ERROR')
    })
  })
  socket.on('error', (err) => log.debug({ err }, 'socket error'))
  socket.on('close', () => {
    closed = true
    stats.openConnections--
    if (session.imei !== undefined) context.connections.closed(session.imei, protocol.name, close)
    log.debug('disconnected')
  })
  return clock
}
