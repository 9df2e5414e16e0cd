import fs from 'node:fs/promises'
import type { Database } from './client.ts'

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url)

/** Applies the migrations in db/migrations that have not run yet, in name order, each in a transaction. */
export async function migrate(db: Database): Promise<string[]> {
  await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())')
  const applied = new Set((await db.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name))
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql')).sort()
  const ran: string[] = []
  for (const name of files) {
    if (applied.has(name)) continue
    const sql = await fs.readFile(new URL(name, MIGRATIONS_DIR), 'utf8')
    const client = await db.connect()
    try {
      await client.query('BEGIN')
      await client.query(sql)
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name])
      await client.query('COMMIT')
      ran.push(name)
    } catch (err) {
      await client.query('ROLLBACK')
      throw new Error(`migration ${name} failed: ${(err as Error).message}`, { cause: err })
    } finally {
      client.release()
    }
  }
  return ran
}
