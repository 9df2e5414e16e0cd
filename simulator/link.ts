/**
 * One TCP connection from a simulated device to the gateway: connect, read the 1-byte handshake reply,
 * then read 4-byte record-count ACKs. Every wait rejects with a `LinkError` on timeout or when the
 * connection closes (including `close()` from our side).
 */
import net from 'node:net'
import { readAcks } from './ack-reader.ts'

export type LinkErrorKind = 'connect' | 'timeout' | 'closed'

export class LinkError extends Error {
  constructor(
    readonly kind: LinkErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'LinkError'
  }
}

interface Waiter {
  resolve: (value: number) => void
  reject: (error: LinkError) => void
}

export class Link {
  readonly #socket: net.Socket
  #connected = false
  #closedError: LinkError | undefined
  #socketError: string | undefined
  #handshakeReply: number | undefined
  #rest: Buffer = Buffer.alloc(0)
  #acks: number[] = []
  #waiter: Waiter | undefined
  readonly #onClose: () => void

  /** Starts connecting at once; `onClose` runs once when the connection ends for any reason. */
  constructor(host: string, port: number, onClose: () => void) {
    this.#onClose = onClose
    this.#socket = net.connect({ host, port, noDelay: true })
    this.#socket.on('connect', () => {
      this.#connected = true
      this.#settle((w) => w.resolve(0))
    })
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    this.#socket.on('error', (err) => {
      this.#socketError = err.message
    })
    this.#socket.on('close', () => {
      const detail = this.#socketError ? `: ${this.#socketError}` : ''
      this.#fail(
        this.#connected
          ? new LinkError('closed', `connection closed${detail}`)
          : new LinkError('connect', `cannot connect to ${host}:${port}${detail}`),
      )
    })
  }

  get closed(): boolean {
    return this.#closedError !== undefined
  }

  /** True once the server accepted the IMEI. */
  get identified(): boolean {
    return this.#handshakeReply === 1
  }

  connect(timeoutMs: number): Promise<void> {
    if (this.#connected) return Promise.resolve()
    return this.#wait(timeoutMs, 'connect timed out').then(() => undefined)
  }

  /** The server's 1-byte answer to the IMEI handshake (1 accepted, 0 refused). */
  handshakeReply(timeoutMs: number): Promise<number> {
    if (this.#handshakeReply !== undefined) return Promise.resolve(this.#handshakeReply)
    return this.#wait(timeoutMs, 'no reply to the IMEI handshake')
  }

  /** The next record-count ACK. */
  nextAck(timeoutMs: number): Promise<number> {
    const queued = this.#acks.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    return this.#wait(timeoutMs, 'no ACK')
  }

  write(bytes: Uint8Array): void {
    if (!this.closed) this.#socket.write(bytes)
  }

  close(reason = 'closed by the device'): void {
    if (this.closed) return
    this.#fail(new LinkError('closed', reason))
    this.#socket.destroy()
  }

  #onData(chunk: Buffer): void {
    let bytes = chunk
    if (this.#handshakeReply === undefined) {
      this.#handshakeReply = bytes[0]!
      bytes = bytes.subarray(1)
      this.#settle((w) => w.resolve(this.#handshakeReply!))
    }
    if (bytes.length === 0) return
    const read = readAcks(this.#rest, bytes)
    this.#rest = read.rest
    this.#acks.push(...read.counts)
    if (this.#waiter && this.#acks.length > 0) {
      const count = this.#acks.shift()!
      this.#settle((w) => w.resolve(count))
    }
  }

  #wait(timeoutMs: number, timeoutMessage: string): Promise<number> {
    if (this.#closedError) return Promise.reject(this.#closedError)
    if (this.#waiter) throw new Error('Link supports one wait at a time')
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined
        reject(new LinkError('timeout', `${timeoutMessage} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiter = {
        resolve: (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
    })
  }

  #settle(action: (waiter: Waiter) => void): void {
    const waiter = this.#waiter
    this.#waiter = undefined
    if (waiter) action(waiter)
  }

  #fail(error: LinkError): void {
    if (this.#closedError) return
    this.#closedError = error
    this.#settle((w) => w.reject(error))
    this.#onClose()
  }
}
