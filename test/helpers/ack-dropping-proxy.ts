import net from 'node:net'

/**
 * A TCP proxy between simulated devices and a gateway port that loses the gateway's replies to chosen
 * device messages: the connection that carried one goes deaf (nothing more reaches the device), so the
 * device times out waiting for its ACK, reconnects and sends the same records again — a real retry of
 * data the gateway has already stored. Works for any protocol over TCP, HTTP included.
 */
export interface AckDroppingProxy {
  port: number
  /** Connections that went deaf so far. */
  readonly deafened: number
  close(): Promise<void>
}

export interface LoseReplies {
  /** A message (one chunk as read from the device) whose reply is lost. */
  to: (chunk: Buffer) => boolean
  /** Only the first this many such messages: the retries that follow get their replies. */
  times: number
}

export async function startAckDroppingProxy(targetPort: number, lose: LoseReplies, host = '127.0.0.1'): Promise<AckDroppingProxy> {
  let deafened = 0
  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  }
  const server = net.createServer((device) => {
    track(device)
    const gateway = net.connect(targetPort, host)
    track(gateway)
    let deaf = false
    device.on('data', (chunk: Buffer) => {
      if (!deaf && deafened < lose.times && lose.to(chunk)) {
        deaf = true
        deafened++
      }
      gateway.write(chunk)
    })
    gateway.on('data', (chunk: Buffer) => {
      if (!deaf) device.write(chunk)
    })
    device.on('close', () => gateway.destroy())
    gateway.on('close', () => device.destroy())
    device.on('error', () => gateway.destroy())
    gateway.on('error', () => device.destroy())
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    get deafened() {
      return deafened
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
