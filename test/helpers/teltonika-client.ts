import net from 'node:net'
import { encodeAvlPacket, encodeImeiHandshake, type TeltonikaRecordInput } from '../../gateway/protocols/teltonika/encode.ts'

/** A hand-driven Teltonika device for tests that need exact control over what is sent when. */
export class TeltonikaTestDevice {
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>

  private constructor(
    private readonly socket: net.Socket,
    private readonly replies: Buffer[],
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  /** `localAddress`: the loopback address to connect from (127.0.0.x), for tests of per-address limits. */
  static async connect(port: number, imei: string, options: { localAddress?: string } = {}): Promise<TeltonikaTestDevice> {
    const socket = net.connect({ port, host: '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) })
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    const replies: Buffer[] = []
    socket.on('data', (chunk) => replies.push(chunk))
    socket.on('error', () => {})
    const device = new TeltonikaTestDevice(socket, replies)
    socket.write(encodeImeiHandshake(imei))
    const accepted = await device.reply(1)
    if (accepted[0] !== 1) throw new Error(`device ${imei} refused`)
    return device
  }

  /** Sends one AVL packet and resolves with the gateway's 4-byte ACK (the accepted record count). */
  async send(records: TeltonikaRecordInput[]): Promise<number> {
    this.socket.write(encodeAvlPacket(records))
    return (await this.reply(4)).readUInt32BE(0)
  }

  /** The next `bytes` bytes the gateway sends, as they arrive; fails if the connection closes first. */
  private async reply(bytes: number, timeoutMs = 10_000): Promise<Buffer> {
    const received = () => this.replies.reduce((n, chunk) => n + chunk.length, 0)
    if (received() < bytes) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no ${bytes}-byte reply within ${timeoutMs} ms`)), timeoutMs)
        const onData = () => received() >= bytes && done()
        const onClose = () => done(new Error(`connection closed before a ${bytes}-byte reply`))
        const done = (err?: Error) => {
          clearTimeout(timer)
          this.socket.off('data', onData).off('close', onClose)
          if (err) reject(err)
          else resolve()
        }
        if (this.socket.destroyed) return onClose()
        // Registered after the listener that stores the chunk, so the count includes it.
        this.socket.on('data', onData).once('close', onClose)
      })
    }
    const all = Buffer.concat(this.replies.splice(0))
    if (all.length > bytes) this.replies.push(all.subarray(bytes))
    return all.subarray(0, bytes)
  }

  close(): void {
    this.socket.destroy()
  }
}
