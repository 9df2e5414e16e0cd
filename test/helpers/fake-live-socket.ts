import { EventEmitter } from 'node:events'
import type { LiveSocket } from '../../dashboard/web/src/lib/live/connection.svelte.ts'

/**
 * A socket.io client socket as far as the web app's live state uses it, for its unit tests: server events
 * are raised with `emit`, the manager's (`reconnect`) on `io`; `watch` and `unwatch` sent by the app are
 * recorded in `sent` and answered with `watchResult`.
 */
export class FakeLiveSocket extends EventEmitter {
  connected = true
  readonly io = new EventEmitter()
  readonly sent: Array<[string, unknown]> = []
  /** What the server answers `watch` with. */
  watchResult: unknown = { ok: true }

  override emit(event: string, ...args: unknown[]): boolean {
    if (event === 'watch' || event === 'unwatch') {
      this.sent.push([event, args[0]])
      const ack = args[1]
      if (typeof ack === 'function') ack(this.watchResult)
      return true
    }
    return super.emit(event, ...args)
  }

  /** This fake where the app expects the real socket. */
  get live(): LiveSocket {
    return this as unknown as LiveSocket
  }
}
