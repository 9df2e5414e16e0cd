import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createDatabase, type Database } from '../../db/client.ts'
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../db/embedded.ts'
import { migrate } from '../../db/migrate.ts'

export interface TestDatabase {
  db: Database
  dataDir: string
  /** The embedded database itself, to restart it under the pool. */
  embedded: EmbeddedDatabase
  stop(): Promise<void>
}

/** A fresh, migrated embedded TimescaleDB in a temporary directory: the real database, no mocks. */
export async function startTestDatabase(dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-db-'))): Promise<TestDatabase> {
  const embedded: EmbeddedDatabase = await startEmbeddedDatabase(dataDir)
  const db = createDatabase(embedded.url, { embedded: true })
  await migrate(db)
  return {
    db,
    dataDir,
    embedded,
    async stop() {
      await db.end()
      await embedded.stop()
    },
  }
}
