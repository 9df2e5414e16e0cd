import net from 'node:net'
import type { Logger } from '../../logger.ts'
import type { DeviceConnections } from '../connections.ts'
import type { ProtocolDescriptor, Session } from '../protocols/types.ts'
import type { Protocol } from '../record.ts'
import { handleMessage, type GatewayContext, type MessageLog } from './handle-message.ts'
import { listen } from './listen.ts'

export interface TcpGatewayContext extends GatewayContext {
  connections: DeviceConnections
}

export interface TcpListener {
  port: number
  /** Stops listening and drops the open connections (their devices resend what was not ACKed). */
  close(): Promise<void>
}

/** Longest time one message may take to arrive once its first byte came (slow senders hold no socket for long). */
const MAX_MESSAGE_ARRIVAL_MS = 30_000
const SWEEP_EVERY_MS = 1000
/** The one empty buffer every connection's `pending` points at when no partial message waits. */
const NOTHING_PENDING = Buffer.alloc(0)

/** What the timeout sweep needs to know of a connection. */
interface ConnectionClock {
  /** When the last complete message arrived (or the connection opened). */
  lastMessageAt: number
  /** When the first byte of a still incomplete message arrived; undefined when nothing is pending. */
  partialSince: number | undefined
  /** Closes the connection and counts the reason. */
  close(reason: string): void
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
    open.set(socket, serveConnection(protocol, socket, context, log))
    socket.once('close', () => open.delete(socket))
  })
  server.on('error', (err) => log.error({ err, protocol: protocol.name }, 'tcp server error'))
  // One sweep per listener instead of a timer per socket: cheap at tens of thousands of devices, and it
  // judges progress by whole messages, so a trickle of bytes (slowloris) does not keep a socket alive.
  const messageArrivalMs = Math.min(MAX_MESSAGE_ARRIVAL_MS, context.idleTimeoutMs)
  const sweep = setInterval(() => {
    const now = Date.now()
    for (const clock of open.values()) {
      if (clock.partialSince !== undefined && now - clock.partialSince > messageArrivalMs) clock.close('SLOW_MESSAGE')
      else if (now - clock.lastMessageAt > context.idleTimeoutMs) clock.close('IDLE_TIMEOUT')
    }
  }, Math.min(SWEEP_EVERY_MS, context.idleTimeoutMs / 2))
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
  const log = new ConnectionLog(rootLog, protocol.name, socket)
  let pending: Buffer = NOTHING_PENDING
  let busy = false
  let closed = false

  stats.connections++
  stats.openConnections++
  socket.setNoDelay(true)
  log.debug('connected')

  /** Ends the connection; `farewell` (a refusal reply) is written first. Counting is the caller's. */
  const disconnect = (reason: string, farewell?: Uint8Array) => {
    if (closed) return
    closed = true
    log.info({ reason }, 'closing connection')
    if (farewell) socket.end(farewell)
    socket.destroySoon()
  }
  const close = (reason: string) => {
    if (!closed) context.stats.reject(protocol.name, reason)
    disconnect(reason)
  }
  const clock: ConnectionClock = { lastMessageAt: Date.now(), partialSince: undefined, close }

  // Messages of one connection are handled strictly in order; the socket is paused while a write is
  // pending so a fast sender cannot grow our buffer past one read beyond the frame limit.
  const drain = async () => {
    busy = true
    socket.pause()
    while (!closed) {
      const framed = protocol.frame(pending, context.maxMessageBytes)
      // An empty rest is still a view of the last read: drop it, so an idle connection holds no buffer.
      pending = framed.rest.length === 0 ? NOTHING_PENDING : framed.rest
      if (framed.frames.length > 0) clock.lastMessageAt = Date.now()
      clock.partialSince = pending.length === 0 ? undefined : (clock.partialSince ?? Date.now())
      for (const message of framed.frames) {
        const outcome = await handleMessage(protocol, message, session, context, log)
        if (closed) return
        // handleMessage has counted its rejection already. A message of a type we do not read is
        // skipped unanswered; closing would only make the device reconnect and send it again.
        if (!outcome.ok && outcome.reason === 'UNKNOWN_TYPE') continue
        if (!outcome.ok) return disconnect(outcome.reason, outcome.reply)
        if (outcome.identified && session.imei === undefined) {
          session.imei = outcome.identified
          log.identified(outcome.identified)
          context.connections.opened(outcome.identified, protocol.name)
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
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    if (!busy) void drain().catch((err) => {
      log.error({ err }, 'connection handler failed')
      close('INTERNAL_ERROR')
    })
  })
  socket.on('error', (err) => log.debug({ err }, 'socket error'))
  socket.on('close', () => {
    closed = true
    stats.openConnections--
    if (session.imei !== undefined) context.connections.closed(session.imei, protocol.name)
    log.debug('disconnected')
  })
  return clock
}

type Level = 'debug' | 'info' | 'warn' | 'error'

/**
 * A connection's logger: lines carry `{ protocol, remote }`, then `{ imei }` once identified. The
 * pino children are made on the first line actually written, so an idle connection at the usual
 * level (info) holds none: two children cost ~900 bytes a connection, a third of its memory.
 */
class ConnectionLog implements MessageLog {
  #child: Logger | undefined
  #imei: string | undefined

  constructor(
    private readonly root: Logger,
    private readonly protocol: Protocol,
    private readonly socket: net.Socket,
  ) {}

  identified(imei: string): void {
    this.#imei = imei
    this.#child = this.#child?.child({ imei })
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args)
  }

  info(...args: unknown[]): void {
    this.#write('info', args)
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args)
  }

  error(...args: unknown[]): void {
    this.#write('error', args)
  }

  #write(level: Level, args: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return
    if (!this.#child) {
      // Read while the socket is open: every line at info and above is written before it closes,
      // and at debug the first line ('connected') comes at once.
      const child = this.root.child({ protocol: this.protocol, remote: `${this.socket.remoteAddress}:${this.socket.remotePort}` })
      this.#child = this.#imei === undefined ? child : child.child({ imei: this.#imei })
    }
    const write = this.#child[level] as (this: Logger, ...args: unknown[]) => void
    write.apply(this.#child, args)
  }
}
