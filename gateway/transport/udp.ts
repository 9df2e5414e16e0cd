import dgram from 'node:dgram'
import type { Logger } from '../../logger.ts'
import type { ProtocolDescriptor } from '../protocols/types.ts'
import type { RejectionReason } from '../rejections.ts'
import { handleMessage, type GatewayContext } from './handle-message.ts'
import { LazyLog } from './lazy-log.ts'

/** Listens for one protocol over UDP: every datagram is a whole message carrying its device identity. */
export async function listenUdp(
  protocol: ProtocolDescriptor,
  host: string,
  port: number,
  context: GatewayContext,
  rootLog: Logger,
): Promise<dgram.Socket> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4')
  const stats = context.stats.for(protocol.name)
  const countRejection = (reason: RejectionReason) => context.stats.reject(protocol.name, reason)
  socket.on('message', (message, remote) => {
    stats.bytesIn += message.length
    const log = new LazyLog(rootLog, () => ({ protocol: protocol.name, remote: `${remote.address}:${remote.port}`, transport: 'udp' }))
    if (message.length > context.maxMessageBytes) return countRejection('FRAME_TOO_LONG')
    handleMessage(protocol, message, { transport: 'udp' }, context, log)
      .then((outcome) => {
        if (!outcome.reply) return
        // Port 0 cannot be sent to: a forged source address. The records are stored; the reply has nowhere to go.
        if (remote.port === 0) return countRejection('NO_REPLY_PORT')
        const replyFailed = (err: unknown) => {
          countRejection('REPLY_FAILED')
          log.warn({ err }, 'udp reply not sent')
        }
        try {
          socket.send(outcome.reply, remote.port, remote.address, (err) => err && replyFailed(err))
        } catch (err) {
          // send throws at once for an address or port it cannot send to.
          return replyFailed(err)
        }
        stats.bytesOut += outcome.reply.length
      })
      .catch((err: unknown) => {
        // A bug on this path must cost one datagram, not the process.
        countRejection('INTERNAL_ERROR')
        log.error({ err }, 'udp datagram handler failed')
      })
  })
  socket.on('error', (err) => rootLog.error({ err, protocol: protocol.name }, 'udp socket error'))
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, host, () => resolve())
  })
  return socket
}
