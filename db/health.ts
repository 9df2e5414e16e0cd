import pg from 'pg'
import type { Logger } from '../logger.ts'
import type { Database } from './client.ts'

export type DatabaseState = 'up' | 'down'

/** What `GET /api/gateway/stats` (`database`) and the dashboard's `database` socket event carry. */
export interface DatabaseStatus {
  state: DatabaseState
  /** When the database entered this state (ISO 8601 UTC). */
  since: string
  /** The last connection-level error seen, kept after the database is back; null when there was none. */
  lastError: string | null
}

export interface BackoffOptions {
  initialMs: number
  maxMs: number
}

/** A database that went away is probed at once, then after 250 ms, twice as long each time, at most 10 s apart. */
export const DEFAULT_PROBE_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000 }

/** Thrown instead of sending anything while the database is known to be away. */
export class DatabaseUnavailableError extends Error {
  constructor(status: DatabaseStatus) {
    super(`database unavailable since ${status.since} (${status.lastError ?? 'connection lost'}); nothing was stored`)
    this.name = 'DatabaseUnavailableError'
  }
}

// SQLSTATE classes that mean the connection or the server went away, not that a statement was refused:
// 08 connection exception, 57P01-57P03 administrator/crash shutdown and cannot connect now, 53300 too many connections.
const CONNECTION_SQLSTATE = /^(08|57P0[123]|53300)/

/**
 * Whether `err` says the database could not be reached or the connection dropped, rather than that
 * the server refused a statement. A server that answered with a SQLSTATE about the statement (bad
 * data, a constraint) is up; anything without one (a socket error, "Connection terminated
 * unexpectedly", a client no longer queryable) is about the connection.
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true
  if (err instanceof pg.DatabaseError) return CONNECTION_SQLSTATE.test(err.code ?? '')
  return true
}

/** Errors of a socket whose server went away or never answered. */
const LOST_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOENT', 'ETIMEDOUT'])

/**
 * Whether `err` is known to say the database is out of reach, for answering a request "try again"
 * (503) rather than "our bug" (500). Narrower than `isConnectionError`, which takes any error
 * without a SQLSTATE for a connection error.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true
  if (err instanceof pg.DatabaseError) return CONNECTION_SQLSTATE.test(err.code ?? '')
  if (!(err instanceof Error)) return false
  const code = (err as NodeJS.ErrnoException).code
  return (code !== undefined && LOST_SOCKET_CODES.has(code)) || /Connection terminated|not queryable|connection error/i.test(err.message)
}

/**
 * Knows whether the database is `up` or `down`. A connection-level failure (a query that failed
 * with one, or a connection the pool reports dropped) marks it down; from then on it is probed with
 * `SELECT 1` with exponential back-off, and the first probe that succeeds marks it up again. Writers
 * check `state` to fail fast while it is down instead of queueing behind a database that is away.
 */
export class DatabaseHealth {
  #status: DatabaseStatus = { state: 'up', since: new Date().toISOString(), lastError: null }
  readonly #listeners = new Set<(status: DatabaseStatus) => void>()
  #probe: ReturnType<typeof setTimeout> | undefined
  #delayMs: number
  #stopped = false

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly backoff: BackoffOptions = DEFAULT_PROBE_BACKOFF,
  ) {
    this.#delayMs = backoff.initialMs
    db.on('error', (err) => this.failed(err))
  }

  get state(): DatabaseState {
    return this.#status.state
  }

  status(): DatabaseStatus {
    return { ...this.#status }
  }

  /** Calls `listener` on every change of state; returns the unsubscribe. */
  onChange(listener: (status: DatabaseStatus) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Reports a failed query or a dropped connection; only a connection-level error changes anything. */
  failed(err: unknown): void {
    if (this.#stopped || !isConnectionError(err) || err instanceof DatabaseUnavailableError) return
    this.#status.lastError = describe(err)
    if (this.#status.state === 'down') return
    this.#set('down')
    this.log.error({ err }, 'database connection lost; devices are not acknowledged until it is back')
    this.#delayMs = this.backoff.initialMs
    // At once: a single dropped connection (an idle one terminated) leaves the database up, and the
    // first probe says so before many writes are turned away.
    this.#scheduleProbe(0)
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#probe)
  }

  #scheduleProbe(delayMs: number): void {
    clearTimeout(this.#probe)
    this.#probe = setTimeout(() => void this.#runProbe(), delayMs)
    this.#probe.unref()
  }

  async #runProbe(): Promise<void> {
    try {
      await this.db.query('SELECT 1')
    } catch (err) {
      if (this.#stopped) return
      this.#status.lastError = describe(err)
      this.log.warn({ err, nextProbeMs: this.#delayMs }, 'database still unavailable')
      this.#scheduleProbe(this.#delayMs)
      this.#delayMs = Math.min(this.#delayMs * 2, this.backoff.maxMs)
      return
    }
    if (this.#stopped) return
    const downSince = this.#status.since
    this.#set('up')
    this.log.info({ downSince }, 'database connection restored')
  }

  #set(state: DatabaseState): void {
    this.#status = { ...this.#status, state, since: new Date().toISOString() }
    const status = this.status()
    for (const listener of this.#listeners) listener(status)
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
