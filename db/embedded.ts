import { Worker } from 'node:worker_threads'
import fs from 'node:fs'
import path from 'node:path'
import type { EmbeddedWorkerData, EmbeddedWorkerMessage } from './embedded-worker.ts'

export interface EmbeddedDatabase {
  url: string
  stop(): Promise<void>
}

/** Starts the embedded TimescaleDB (PGlite) persisted under `dataDir/pgdata`, reachable with `pg` at the returned URL. */
export async function startEmbeddedDatabase(dataDir: string, port = 0): Promise<EmbeddedDatabase> {
  const pgdata = path.resolve(dataDir, 'pgdata')
  fs.mkdirSync(pgdata, { recursive: true })
  const worker = new Worker(typeScriptWorkerBootstrap(new URL('./embedded-worker.ts', import.meta.url)), {
    eval: true,
    workerData: { dataDir: pgdata, port } satisfies EmbeddedWorkerData,
  })
  const message = await new Promise<EmbeddedWorkerMessage>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`embedded database exited with code ${code} while starting`)))
  })
  if (!message.ready) {
    await worker.terminate()
    throw new Error(`embedded database failed to start: ${message.error}`)
  }
  return {
    url: `postgres://postgres@127.0.0.1:${message.port}/template1`,
    async stop() {
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage('stop')
      await exited
    },
  }
}

/** The worker is TypeScript: register tsx inside it first, whatever runner started this process (tsx, vitest). */
function typeScriptWorkerBootstrap(entry: URL): string {
  const tsxApi = import.meta.resolve('tsx/esm/api')
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
}
