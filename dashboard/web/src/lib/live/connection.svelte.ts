/** The socket.io connection that carries live events, and its state for the top bar. */
import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, DatabaseStatus, ServerToClientEvents } from '../../../../shared/contract.ts'

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/** `offline`: the server refused or dropped the socket; socket.io gives up then, so we retry later ourselves. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline'

const RETRY_AFTER_REFUSAL_MS = 10_000

export class LiveConnection {
  state = $state<ConnectionState>('connecting')
  /** The server's database, as it last told us: while it is down, devices are not acknowledged and pages cannot load. */
  database = $state<DatabaseStatus['state']>('up')
  readonly socket: LiveSocket
  #onRefused: () => void
  #retry: ReturnType<typeof setTimeout> | undefined

  /** `onRefused` runs when the server rejects or drops the socket, which often means the session ended. */
  constructor(onRefused: () => void) {
    this.#onRefused = onRefused
    // The server authenticates the socket with the same httpOnly session cookie as the API.
    this.socket = io({ path: '/socket.io', transports: ['websocket'], withCredentials: true })
    this.socket.on('connect', () => {
      this.state = 'connected'
    })
    this.socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') this.#lost()
    })
    this.socket.on('connect_error', () => this.#lost())
    this.socket.on('database', (status) => {
      this.database = status.state
    })
  }

  close(): void {
    clearTimeout(this.#retry)
    this.state = 'offline'
    this.socket.disconnect()
  }

  #lost(): void {
    if (this.socket.active) {
      this.state = 'reconnecting'
      return
    }
    this.state = 'offline'
    this.#onRefused()
    clearTimeout(this.#retry)
    this.#retry = setTimeout(() => this.socket.connect(), RETRY_AFTER_REFUSAL_MS)
  }
}
