/**
 * Migrations against a PostgreSQL server (TEST_DATABASE_URL, else the local server on 127.0.0.1:5432
 * as user postgres), each test in a database of its own that it drops afterwards. Skipped when no
 * server answers: a fresh laptop has none, and the embedded database is covered everywhere else.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase, type Database } from './client.ts'
import { MigrationError, migrate } from './migrate.ts'

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function serverAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

const reachable = await serverAnswers()

/** What the server offers for TimescaleDB: whether it is installed and whether it is preloaded. */
async function timescale(db: Database): Promise<{ available: boolean; preloaded: boolean }> {
  const available = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
  const preload = await db.query<{ libraries: string }>("SELECT current_setting('shared_preload_libraries') AS libraries")
  return { available: available.rowCount === 1, preloaded: /\btimescaledb\b/.test(preload.rows[0]!.libraries) }
}

async function tablesOf(db: Database): Promise<string[]> {
  const tables = await db.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
  return tables.rows.map((row) => row.name)
}

function migrationsDir(files: Record<string, string>): URL {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-migrations-'))
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql)
  return pathToFileURL(`${dir}/`)
}

describe.skipIf(!reachable)(`migrations against the PostgreSQL server at ${SERVER_URL.replace(/\/\/[^@/]*@/, '//')}`, () => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  /** A fresh database of this test's own, dropped afterwards. */
  async function freshDatabase(): Promise<Database> {
    const name = `fleetwire_migrate_${Math.random().toString(36).slice(2, 10)}`
    const admin = new pg.Client({ connectionString: SERVER_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    const url = new URL(SERVER_URL)
    url.pathname = `/${name}`
    const db = createDatabase(url.toString(), { embedded: false })
    // The forced drop below ends any connection still closing; that is expected, not a failure.
    db.on('error', () => undefined)
    cleanups.push(async () => {
      await db.end()
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    })
    return db
  }

  it('says in one line what a missing extension is and how to fix it, keeping PostgreSQL\'s detail and hint, and leaves the database as it was', async () => {
    const db = await freshDatabase()
    const directory = migrationsDir({
      '0001_create_things.sql': 'CREATE EXTENSION IF NOT EXISTS fleetwire_absent_extension;\nCREATE TABLE things (id int);',
    })
    const failure = await migrate(db, directory).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(MigrationError)
    const message = (failure as Error).message
    expect(message).not.toContain('\n')
    expect(message).toMatch(/^Database migration 0001_create_things\.sql failed: extension "fleetwire_absent_extension" is not available \(Could not open extension control file .*\)\. Hint: The extension must first be installed on the system where PostgreSQL is running\.$/)
    expect(await tablesOf(db)).toEqual([])
  })

  it('records each applied migration once, and a later failing one leaves the earlier ones in place', async () => {
    const db = await freshDatabase()
    const first = { '0001_create_things.sql': 'CREATE TABLE things (id int);' }
    expect(await migrate(db, migrationsDir(first))).toEqual(['0001_create_things.sql'])
    const failure = await migrate(db, migrationsDir({ ...first, '0002_break.sql': 'CREATE TABLE more (id int);\nSELECT missing_column FROM things;' })).catch((err: unknown) => err)
    expect((failure as Error).message).toMatch(/^Database migration 0002_break\.sql failed: column "missing_column" does not exist\.$/)
    expect(await tablesOf(db)).toEqual(['schema_migrations', 'things'])
    expect(await migrate(db, migrationsDir(first))).toEqual([])
  })

  it('names TimescaleDB when the server lacks it, or is not preloaded with it, and leaves the database as it was', async (context) => {
    const db = await freshDatabase()
    const { available, preloaded } = await timescale(db)
    if (available && preloaded) {
      context.skip('this server has TimescaleDB installed and preloaded: neither failure can happen here')
    }
    const failure = await migrate(db).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(MigrationError)
    const message = (failure as Error).message
    expect(message).not.toContain('\n')
    if (!available) {
      expect(message).toMatch(/^Database migration 0001_create_core_tables\.sql failed: extension "timescaledb" is not available \(.*\)\. Hint: .* Fleetwire needs TimescaleDB: install it on the database server/)
    } else {
      expect(message).toMatch(/^Database migration 0001_create_core_tables\.sql failed: extension "timescaledb" must be preloaded\. Hint: .* Fix: add shared_preload_libraries = 'timescaledb'/)
    }
    expect(await tablesOf(db)).toEqual([])
  })
})
