import fs from 'node:fs/promises'
import type { DatabaseError } from 'pg'
import type { Database } from './client.ts'

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url)

const CREATE_LEDGER = 'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())'

/** A migration the server refused, said in one line: PostgreSQL's answer (detail and hint kept) and what to do. */
export class MigrationError extends Error {}

/**
 * Applies the migrations in db/migrations that have not run yet, in name order, each in a transaction.
 * The `schema_migrations` ledger is created inside the first one, so a server that refuses the first
 * migration is left as it was. `directory` is for tests.
 */
export async function migrate(db: Database, directory: URL = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await fs.readdir(directory)).filter((name) => name.endsWith('.sql')).sort()
  const client = await db.connect()
  // A server that ends the session (a FATAL error) also fails the running query, which reports it; the
  // connection's own 'error' event would otherwise end the process.
  const ignoreDrop = () => undefined
  client.on('error', ignoreDrop)
  let broken: Error | undefined
  const ran: string[] = []
  try {
    for (const name of files) {
      try {
        await client.query('BEGIN')
        await client.query(CREATE_LEDGER)
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name])
        if (done.rowCount === 0) {
          await client.query(await fs.readFile(new URL(name, directory), 'utf8'))
          await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name])
          ran.push(name)
        }
        await client.query('COMMIT')
      } catch (err) {
        broken = err as Error
        // On a dropped connection the server has rolled back already.
        await client.query('ROLLBACK').catch(() => undefined)
        throw new MigrationError(explain(name, err as DatabaseError), { cause: err })
      }
    }
  } finally {
    // A client whose migration failed is discarded rather than reused; it keeps the listener while it closes.
    if (!broken) client.off('error', ignoreDrop)
    client.release(broken)
  }
  return ran
}

function explain(migration: string, err: DatabaseError): string {
  const detail = err.detail ? ` (${oneLine(err.detail)})` : ''
  const parts = [`Database migration ${migration} failed: ${oneLine(err.message)}${detail}.`]
  // The first paragraph: TimescaleDB's hint goes on with shell examples.
  if (err.hint) parts.push(`Hint: ${oneLine(err.hint.split(/\n\s*\n/)[0]!)}`)
  const remedy = remedyFor(err.message)
  if (remedy) parts.push(remedy)
  return parts.join(' ')
}

function remedyFor(message: string): string | undefined {
  if (/extension "timescaledb" is not available/.test(message)) {
    return 'Fleetwire needs TimescaleDB: install it on the database server (https://docs.timescale.com/self-hosted/latest/install/), or leave DATABASE_URL unset to use the embedded database.'
  }
  if (/"timescaledb" must be preloaded/.test(message)) {
    return "Fix: add shared_preload_libraries = 'timescaledb' to the server's postgresql.conf and restart PostgreSQL."
  }
  return undefined
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
