/**
 * The simulated device's connection to the gateway, over TCP, UDP or HTTP: send messages, read the
 * gateway's replies as reply keys (the protocol adapter's `read` turns bytes into keys). Every wait
 * rejects with a `LinkError` on timeout or once the link has failed or been closed (including `close()`
 * from our side); a failed link stays failed.
 */
import dgram from 'node:dgram'
import net from 'node:net'
import type { SimHttpRequest, SimMessage, SimTransport } from './protocols/types.ts'

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

export interface Link {
  readonly closed: boolean
  /** Resolves once messages can be sent (a TCP connection is open). */
  connect(timeoutMs: number): Promise<void>
  send(payload: SimMessage['payload']): void
  /** Writes bytes nobody should accept (line noise, a corrupted message); the gateway's answer, if any, is not a reply. */
  sendNoise(bytes: Buffer): void
  /** TCP: writes `payload` a few bytes at a time at about `bytesPerSec`; resolves once all is written or the link failed. */
  trickle(payload: Buffer, bytesPerSec: number): Promise<void>
  /** The next reply key, in arrival order. */
  nextReply(timeoutMs: number): Promise<string>
  close(reason?: string): void
}

export interface LinkTarget {
  transport: SimTransport
  host: string
  port: number
  /** TCP: the local address to connect from (several loopback addresses give more source ports). */
  localAddress?: string
  /** The adapter's reply reader (bytes to keys); HTTP replies are `http:<status>`. */
  read: (chunk: Buffer) => string[]
  /** Runs once when the link ends for any reason. */
  onClose: () => void
}

export function openLink(target: LinkTarget): Link {
  if (target.transport === 'tcp') return new TcpLink(target)
  if (target.transport === 'udp') return new UdpLink(target)
  return new HttpLink(target)
}

/** Reply keys in arrival order, one wait at a time, and the link's failure. */
class Replies {
  readonly #keys: string[] = []
  #waiter: { resolve: (key: string) => void; reject: (error: LinkError) => void } | undefined
  #failure: LinkError | undefined
  readonly #onFail: () => void

  constructor(onFail: () => void) {
    this.#onFail = onFail
  }

  get failed(): boolean {
    return this.#failure !== undefined
  }

  push(keys: readonly string[]): void {
    this.#keys.push(...keys)
    if (this.#waiter && this.#keys.length > 0) this.#settle()!.resolve(this.#keys.shift()!)
  }

  next(timeoutMs: number, what: string): Promise<string> {
    const queued = this.#keys.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    return this.wait(timeoutMs, what)
  }

  /** Waits for the next key (or for `resolveWaiter` / a failure). */
  wait(timeoutMs: number, what: string): Promise<string> {
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#waiter) throw new Error('a link supports one wait at a time')
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined
        reject(new LinkError('timeout', `${what} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiter = {
        resolve: (key) => {
          clearTimeout(timer)
          resolve(key)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
    })
  }

  /** Ends a `wait` without a key (a connection opened). */
  resolveWaiter(): void {
    this.#settle()?.resolve('')
  }

  fail(error: LinkError): void {
    if (this.#failure) return
    this.#failure = error
    this.#settle()?.reject(error)
    this.#onFail()
  }

  #settle() {
    const waiter = this.#waiter
    this.#waiter = undefined
    return waiter
  }
}

class TcpLink implements Link {
  readonly #socket: net.Socket
  readonly #replies: Replies
  #connected = false
  #socketError: string | undefined

  constructor({ host, port, localAddress, read, onClose }: LinkTarget) {
    this.#replies = new Replies(onClose)
    this.#socket = net.connect({ host, port, noDelay: true, ...(localAddress === undefined ? {} : { localAddress }) })
    this.#socket.on('connect', () => {
      this.#connected = true
      this.#replies.resolveWaiter()
    })
    this.#socket.on('data', (chunk: Buffer) => this.#replies.push(read(chunk)))
    this.#socket.on('error', (err) => {
      this.#socketError = err.message
    })
    this.#socket.on('close', () => {
      const detail = this.#socketError ? `: ${this.#socketError}` : ''
      this.#replies.fail(
        this.#connected
          ? new LinkError('closed', `connection closed${detail}`)
          : new LinkError('connect', `cannot connect to ${host}:${port}${detail}`),
      )
    })
  }

  get closed(): boolean {
    return this.#replies.failed
  }

  async connect(timeoutMs: number): Promise<void> {
    if (!this.#connected) await this.#replies.wait(timeoutMs, 'connect timed out')
  }

  send(payload: SimMessage['payload']): void {
    if (!Buffer.isBuffer(payload)) throw new Error('a TCP link sends bytes')
    if (!this.closed) this.#socket.write(payload)
  }

  sendNoise(bytes: Buffer): void {
    this.send(bytes)
  }

  async trickle(payload: Buffer, bytesPerSec: number): Promise<void> {
    // Ten writes a second at most: slow enough to split every message across many reads.
    const chunk = Math.max(1, Math.ceil(bytesPerSec / 10))
    for (let at = 0; at < payload.length && !this.closed; at += chunk) {
      if (at > 0) await new Promise((resolve) => setTimeout(resolve, (chunk / bytesPerSec) * 1000))
      this.send(payload.subarray(at, at + chunk))
    }
  }

  nextReply(timeoutMs: number): Promise<string> {
    return this.#replies.next(timeoutMs, 'no reply')
  }

  close(reason = 'closed by the device'): void {
    this.#replies.fail(new LinkError('closed', reason))
    this.#socket.destroy()
  }
}

/** A connected UDP socket: each datagram is one message, each datagram back is read on its own. */
class UdpLink implements Link {
  readonly #socket: dgram.Socket
  readonly #replies: Replies
  #connected = false

  constructor({ host, port, read, onClose }: LinkTarget) {
    this.#replies = new Replies(onClose)
    this.#socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4')
    this.#socket.on('message', (datagram) => this.#replies.push(read(datagram)))
    // On a connected socket, an ICMP "port unreachable" arrives as ECONNREFUSED: nobody listens.
    this.#socket.on('error', (err) => this.close(`cannot reach ${host}:${port}: ${err.message}`, 'connect'))
    this.#socket.connect(port, host, () => {
      this.#connected = true
      this.#replies.resolveWaiter()
    })
  }

  get closed(): boolean {
    return this.#replies.failed
  }

  async connect(timeoutMs: number): Promise<void> {
    if (!this.#connected) await this.#replies.wait(timeoutMs, 'UDP connect timed out')
  }

  send(payload: SimMessage['payload']): void {
    if (!Buffer.isBuffer(payload)) throw new Error('a UDP link sends bytes')
    if (!this.closed) this.#socket.send(payload)
  }

  sendNoise(bytes: Buffer): void {
    this.send(bytes)
  }

  async trickle(): Promise<void> {
    throw new Error('a UDP datagram cannot trickle')
  }

  nextReply(timeoutMs: number): Promise<string> {
    return this.#replies.next(timeoutMs, 'no reply')
  }

  close(reason = 'closed by the device', kind: LinkErrorKind = 'closed'): void {
    if (this.closed) return
    this.#replies.fail(new LinkError(kind, reason))
    this.#socket.close()
  }
}

/** HTTP requests sent one after another (as a phone app does); each reply is `http:<status>`. */
class HttpLink implements Link {
  readonly #base: string
  readonly #replies: Replies
  readonly #abort = new AbortController()
  #chain: Promise<void> = Promise.resolve()

  constructor({ host, port, onClose }: LinkTarget) {
    this.#base = `http://${net.isIPv6(host) ? `[${host}]` : host}:${port}`
    this.#replies = new Replies(onClose)
  }

  get closed(): boolean {
    return this.#replies.failed
  }

  async connect(): Promise<void> {}

  send(payload: SimMessage['payload']): void {
    if (Buffer.isBuffer(payload)) throw new Error('an HTTP link sends requests')
    this.#chain = this.#chain.then(() => this.#request(payload))
  }

  /** A request with a corrupted query, sent beside the chain: its answer (400) is not a reply. */
  sendNoise(bytes: Buffer): void {
    const target = `/?${encodeURIComponent(bytes.toString('latin1'))}`
    fetch(this.#base + target, { method: 'POST', signal: this.#abort.signal }).then(
      (response) => response.arrayBuffer(),
      () => undefined,
    ).catch(() => undefined)
  }

  async trickle(): Promise<void> {
    throw new Error('an HTTP request cannot trickle')
  }

  nextReply(timeoutMs: number): Promise<string> {
    return this.#replies.next(timeoutMs, 'no HTTP response')
  }

  close(reason = 'closed by the device', kind: LinkErrorKind = 'closed'): void {
    if (this.closed) return
    this.#replies.fail(new LinkError(kind, reason))
    this.#abort.abort()
  }

  async #request(request: SimHttpRequest): Promise<void> {
    if (this.closed) return
    try {
      const response = await fetch(this.#base + request.target, {
        method: request.method,
        headers: request.contentType ? { 'content-type': request.contentType } : {},
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: this.#abort.signal,
      })
      await response.arrayBuffer() // the body (empty or a queued command) is not used
      this.#replies.push([`http:${response.status}`])
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message
      this.close(`cannot reach ${this.#base}: ${cause ?? (error as Error).message}`, 'connect')
    }
  }
}
