import net from 'node:net'
import type { Logger } from '../../logger.ts'
import type { DeviceConnections } from '../connections.ts'
import type { ProtocolDescriptor, Session } from '../protocols/types.ts'
import { handleMessage, type GatewayContext } from './handle-message.ts'

export interface TcpGatewayContext extends GatewayContext {
  connections: DeviceConnections
}

export interface TcpListener {
  port: number
  /** Stops listening and drops the open connections (their devices resend what was not ACKed). */
  close(): Promise<void>
}

/** Listens for one protocol over TCP; resolves once listening. */
export async function listenTcp(
  protocol: ProtocolDescriptor,
  host: string,
  port: number,
  context: TcpGatewayContext,
  log: Logger,
): Promise<TcpListener> {
  const open = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    serveConnection(protocol, socket, context, log)
  })
  server.on('error', (err) => log.error({ err, protocol: protocol.name }, 'tcp server error'))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve))
      open.forEach((socket) => socket.destroy())
      await closed
    },
  }
}

function serveConnection(protocol: ProtocolDescriptor, socket: net.Socket, context: TcpGatewayContext, rootLog: Logger): void {
  const stats = context.stats.for(protocol.name)
  const session: Session = { transport: 'tcp' }
  let log = rootLog.child({ protocol: protocol.name, remote: `${socket.remoteAddress}:${socket.remotePort}` })
  let pending: Buffer = Buffer.alloc(0)
  let busy = false
  let closed = false

  stats.connections++
  stats.openConnections++
  socket.setNoDelay(true)
  socket.setTimeout(context.idleTimeoutMs)
  log.debug('connected')

  const close = (reason: string) => {
    if (closed) return
    closed = true
    context.stats.reject(protocol.name, reason)
    log.info({ reason }, 'closing connection')
    socket.destroy()
  }

  // Messages of one connection are handled strictly in order; the socket is paused while a write is
  // pending so a fast sender cannot grow our buffer past one read beyond the frame limit.
  const drain = async () => {
    busy = true
    socket.pause()
    while (!closed) {
      const framed = protocol.frame(pending, context.maxMessageBytes)
      pending = framed.rest
      for (const message of framed.frames) {
        const outcome = await handleMessage(protocol, message, session, context, log)
        if (closed) return
        if (!outcome.ok) return close(outcome.reason)
        if (outcome.identified && session.imei === undefined) {
          session.imei = outcome.identified
          log = log.child({ imei: outcome.identified })
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
  socket.on('timeout', () => close('IDLE_TIMEOUT'))
  socket.on('error', (err) => log.debug({ err }, 'socket error'))
  socket.on('close', () => {
    closed = true
    stats.openConnections--
    if (session.imei !== undefined) context.connections.closed(session.imei, protocol.name)
    log.debug('disconnected')
  })
}
