import dgram from 'node:dgram'
import type { Logger } from '../../logger.ts'
import type { ProtocolDescriptor } from '../protocols/types.ts'
import { handleMessage, type GatewayContext } from './handle-message.ts'

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
  socket.on('message', (message, remote) => {
    stats.bytesIn += message.length
    const log = rootLog.child({ protocol: protocol.name, remote: `${remote.address}:${remote.port}`, transport: 'udp' })
    if (message.length > context.maxMessageBytes) return context.stats.reject(protocol.name, 'FRAME_TOO_LONG')
    void handleMessage(protocol, message, { transport: 'udp' }, context, log).then((outcome) => {
      if (!outcome.reply) return
      stats.bytesOut += outcome.reply.length
      socket.send(outcome.reply, remote.port, remote.address)
    })
  })
  socket.on('error', (err) => rootLog.error({ err, protocol: protocol.name }, 'udp socket error'))
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, host, () => resolve())
  })
  return socket
}
