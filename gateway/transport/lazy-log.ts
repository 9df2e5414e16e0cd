import type { Logger } from '../../logger.ts'
import type { MessageLog } from './handle-message.ts'

type Level = 'debug' | 'info' | 'warn' | 'error'

/**
 * A connection's or datagram's logger: lines carry its bindings (`{ protocol, remote }`), then
 * `{ imei }` once identified. The pino children are made on the first line actually written, so an
 * idle connection, or a datagram handled without a word at the usual level (info), holds none: two
 * children cost ~900 bytes a connection, a third of its memory.
 */
export class LazyLog implements MessageLog {
  #child: Logger | undefined
  #imei: string | undefined

  /** `bindings` is read on the first line written (a TCP socket's address is read while it is open). */
  constructor(
    private readonly root: Logger,
    private readonly bindings: () => Record<string, unknown>,
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
      const child = this.root.child(this.bindings())
      this.#child = this.#imei === undefined ? child : child.child({ imei: this.#imei })
    }
    const write = this.#child[level] as (this: Logger, ...args: unknown[]) => void
    write.apply(this.#child, args)
  }
}
