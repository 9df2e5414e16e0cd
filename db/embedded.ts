import { Worker } from 'node:worker_threads'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import type { Logger } from '../logger.ts'
import type { EmbeddedWorkerData, EmbeddedWorkerMessage } from './embedded-worker.ts'

export interface EmbeddedDatabase {
  /** `pg` connection string of the database's Unix socket; the same across restarts. */
  url: string
  /** The Unix socket file, in a directory only this user may enter (0700). */
  socketPath: string
  /**
   * Ends the running database at once, as a crash would, and starts it again on the same data and
   * socket; resolves once it serves again. For an operator whose embedded database is stuck, and the
   * same path an unexpected exit takes.
   */
  restart(): Promise<void>
  /**
   * Calls `listener` whenever the database stops serving other than by stop() (a crash, a restart),
   * before it is started again: whoever tracks its health learns of it even with no connection open.
   */
  onExit(listener: (reason: Error) => void): void
  stop(): Promise<void>
}

export interface EmbeddedDatabaseOptions {
  /** Where restarts and failures are logged; silent when omitted. */
  log?: Logger
}

/**
 * pg connects to `<host>/.s.PGSQL.<port>` when `host` is a directory: the socket is named so, and
 * the port is only part of its name.
 */
const SOCKET_PORT = 5432
const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`
/** sun_path holds 108 bytes on Linux, the terminating NUL included (104 on macOS: still ample for tmpdir paths). */
const MAX_SOCKET_PATH_BYTES = 107

/**
 * Starts the embedded TimescaleDB (PGlite) persisted under `dataDir/pgdata`, reachable with `pg` at
 * the returned URL through a Unix socket in `dataDir/socket`: no TCP port, and only this machine's
 * user running Fleetwire (and root) may connect. The database runs in a worker thread that is
 * started again whenever it exits unexpectedly.
 */
export async function startEmbeddedDatabase(dataDir: string, options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  makePrivateDirectory(dataDir)
  const pgdata = path.resolve(dataDir, 'pgdata')
  makePrivateDirectory(pgdata, { tighten: true })
  const socket = privateSocketDirectory(dataDir)
  const supervisor = new EmbeddedSupervisor(pgdata, socket, options.log ?? pino({ level: 'silent' }))
  await supervisor.start()
  return supervisor
}

/**
 * Creates `dir` (and missing parents) readable by the owner only. An existing directory is left as
 * it is unless `tighten`: a DATA_DIR may be a volume an operator set up, but pgdata and the socket
 * directory are ours alone.
 */
export function makePrivateDirectory(dir: string, { tighten = false } = {}): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (tighten) fs.chmodSync(dir, 0o700)
}

interface SocketDirectory {
  dir: string
  /** A fallback made under the system's temporary directory, removed when the database stops. */
  temporary: boolean
}

/** `dataDir/socket`, or a private temporary directory when that path is too long for a Unix socket. */
function privateSocketDirectory(dataDir: string): SocketDirectory {
  const dir = path.resolve(dataDir, 'socket')
  if (Buffer.byteLength(path.join(dir, SOCKET_NAME)) <= MAX_SOCKET_PATH_BYTES) {
    makePrivateDirectory(dir, { tighten: true })
    return { dir, temporary: false }
  }
  // mkdtemp creates the directory with mode 0700.
  return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-pg-')), temporary: true }
}

/** Runs the database worker, and starts it again (on the same data and socket) whenever it exits unexpectedly. */
class EmbeddedSupervisor implements EmbeddedDatabase {
  readonly url: string
  readonly socketPath: string
  #worker: Worker | undefined
  /** The restart under way after the worker exited, if any. */
  #restarting: Promise<void> | undefined
  #restartRequested = false
  #stopping = false
  readonly #exitListeners: ((reason: Error) => void)[] = []

  constructor(
    private readonly pgdata: string,
    private readonly socket: SocketDirectory,
    private readonly log: Logger,
  ) {
    this.socketPath = path.join(socket.dir, SOCKET_NAME)
    this.url = `postgres://postgres@${encodeURIComponent(socket.dir)}:${SOCKET_PORT}/template1`
  }

  async start(): Promise<void> {
    this.#worker = await this.#spawn()
  }

  async restart(): Promise<void> {
    const worker = this.#worker
    if (worker) {
      this.#restartRequested = true
      // The exit listener (#exited) runs before terminate() resolves and starts the new worker.
      await worker.terminate()
    }
    await this.#restarting
  }

  onExit(listener: (reason: Error) => void): void {
    this.#exitListeners.push(listener)
  }

  async stop(): Promise<void> {
    this.#stopping = true
    await this.#restarting
    const worker = this.#worker
    this.#worker = undefined
    if (worker) {
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage('stop')
      await exited
    }
    if (this.socket.temporary) fs.rmSync(this.socket.dir, { recursive: true, force: true })
  }

  async #spawn(): Promise<Worker> {
    await removeStaleSocket(this.socketPath)
    const worker = new Worker(typeScriptWorkerBootstrap(new URL('./embedded-worker.ts', import.meta.url)), {
      eval: true,
      workerData: { dataDir: this.pgdata, socketPath: this.socketPath } satisfies EmbeddedWorkerData,
    })
    const message = await new Promise<EmbeddedWorkerMessage>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
      worker.once('exit', (code) => reject(new Error(`embedded database exited with code ${code} while starting`)))
    })
    if (message.kind !== 'ready') {
      await worker.terminate()
      throw new Error(`embedded database failed to start: ${message.error}`)
    }
    worker.removeAllListeners()
    // Without an 'error' listener, a failure inside the worker would end this whole process.
    worker.on('error', (err) => this.log.error({ err }, 'embedded database failed'))
    worker.on('message', (failure: EmbeddedWorkerMessage) => {
      if (failure.kind === 'failed') this.log.error({ error: failure.error }, 'embedded database failed')
    })
    worker.once('exit', (code) => this.#exited(worker, code))
    return worker
  }

  #exited(worker: Worker, code: number): void {
    if (this.#stopping || worker !== this.#worker) return
    this.#worker = undefined
    const reason = new Error(this.#restartRequested ? 'embedded database restarting on request' : `embedded database exited with code ${code}`)
    if (this.#restartRequested) this.log.warn(reason.message)
    else this.log.error({ code }, 'embedded database stopped unexpectedly; starting it again')
    this.#restartRequested = false
    for (const listener of this.#exitListeners) listener(reason)
    this.#restarting = this.#startAgain().finally(() => (this.#restarting = undefined))
  }

  /** Starts the worker again at once, then retries with back-off (1 s doubling to 30 s) for as long as it fails. */
  async #startAgain(): Promise<void> {
    for (let retryMs = 1000; !this.#stopping; retryMs = Math.min(retryMs * 2, 30_000)) {
      try {
        const worker = await this.#spawn()
        this.#worker = worker
        if (this.#stopping) return
        this.log.warn('embedded database serving again')
        return
      } catch (err) {
        this.log.error({ err, retryMs }, 'embedded database failed to start again')
        await new Promise((resolve) => setTimeout(resolve, retryMs))
      }
    }
  }
}

/**
 * A socket file left by a process that was killed (kill -9) keeps the path taken: remove it. One that
 * still answers belongs to a running database, and two on the same data directory would corrupt it.
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  const answers = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath)
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    probe.once('error', () => resolve(false))
  })
  if (answers) throw new Error(`${socketPath} is in use: is another Fleetwire running on this DATA_DIR?`)
  fs.rmSync(socketPath, { force: true })
}

/** The worker is TypeScript: register tsx inside it first, whatever runner started this process (tsx, vitest). */
function typeScriptWorkerBootstrap(entry: URL): string {
  const tsxApi = import.meta.resolve('tsx/esm/api')
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
}
