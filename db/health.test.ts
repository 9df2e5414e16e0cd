import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_STATE_SETTINGS } from '../processor/state.ts'
import { GroupCommitIngest } from '../processor/ingest.ts'
import { VehicleStates } from '../processor/vehicle-states.ts'
import { startTestDatabase, type TestDatabase } from '../test/helpers/database.ts'
import { eventually } from '../test/helpers/eventually.ts'
import { makeRecord } from '../test/helpers/records.ts'
import { createDatabase } from './client.ts'
import { DatabaseHealth, DatabaseUnavailableError, isConnectionError, isDatabaseUnreachable, type DatabaseState } from './health.ts'

const silent = pino({ level: 'silent' })

describe('isConnectionError', () => {
  const serverError = (code: string) => Object.assign(new pg.DatabaseError('refused', 0, 'error'), { code })
  it.each([
    ['a statement refused for its data (22P05, NUL in jsonb)', serverError('22P05'), false],
    ['a constraint violation (23505)', serverError('23505'), false],
    ['a backend terminated by an administrator (57P01)', serverError('57P01'), true],
    ['a connection exception (08006)', serverError('08006'), true],
    ['too many connections (53300)', serverError('53300'), true],
    ['a connection dropped mid-query', new Error('Connection terminated unexpectedly'), true],
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    ['a write to a closed socket', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), true],
  ])('%s: %s', (_name, err, expected) => {
    expect(isConnectionError(err)).toBe(expected)
  })
})

describe('isDatabaseUnreachable: what an API request answers 503 for, not 500', () => {
  const serverError = (code: string) => Object.assign(new pg.DatabaseError('refused', 0, 'error'), { code })
  it.each([
    ['the database known to be away', new DatabaseUnavailableError({ state: 'down', since: '2026-12-06T08:00:00.000Z', lastError: 'gone' }), true],
    ['a backend terminated by an administrator (57P01)', serverError('57P01'), true],
    ['a connection dropped mid-query', new Error('Connection terminated unexpectedly'), true],
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED /data/socket/.s.PGSQL.5432'), { code: 'ECONNREFUSED' }), true],
    ['a socket file gone while the database restarts', Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }), true],
    ['a statement refused for its data (22P05)', serverError('22P05'), false],
    ['a bug in our code', new TypeError("Cannot read properties of undefined (reading 'id')"), false],
    ['something thrown that is not an error', 'oops', false],
  ])('%s', (_name, err, expected) => {
    expect(isDatabaseUnreachable(err)).toBe(expected)
  })
})

describe('database health on the embedded database', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await startTestDatabase()
  }, 120_000)
  afterAll(() => database?.stop())

  it('is down while the embedded database restarts under the pool, failing ingest fast, and up again once a probe gets through', async () => {
    const health = new DatabaseHealth(database.db, silent, { initialMs: 50, maxMs: 400 })
    const ingest = new GroupCommitIngest(database.db, await VehicleStates.load(database.db), silent, { settings: DEFAULT_STATE_SETTINGS, health })
    const imei = '356307042470001'
    await ingest.write([makeRecord({ imei, fixTime: '2026-03-03T10:00:00.000Z' })])

    const transitions: DatabaseState[] = []
    let writtenWhileDown: Promise<unknown> | undefined
    health.onChange((status) => {
      transitions.push(status.state)
      if (status.state === 'down') {
        writtenWhileDown = ingest.write([makeRecord({ imei, fixTime: '2026-03-03T10:00:01.000Z' })]).then(() => 'stored', (err: unknown) => err)
      }
    })
    await database.embedded.restart()
    await eventually(() => expect(health.state).toBe('up'), 60_000)

    expect(transitions).toEqual(['down', 'up'])
    expect(await writtenWhileDown).toBeInstanceOf(DatabaseUnavailableError)
    expect(health.status().lastError).toMatch(/terminated|ECONNRESET|EPIPE|ENOENT|ECONNREFUSED/)
    await ingest.write([makeRecord({ imei, fixTime: '2026-03-03T10:00:02.000Z' })])
    const stored = await database.db.query<{ fix_time: Date }>('SELECT fix_time FROM positions WHERE imei = $1 ORDER BY fix_time', [imei])
    expect(stored.rows.map((row) => row.fix_time.toISOString())).toEqual(['2026-03-03T10:00:00.000Z', '2026-03-03T10:00:02.000Z'])
    health.stop()
  }, 120_000)
})

// Needs a PostgreSQL server (TimescaleDB not required here): `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres`.
// Without one, these are skipped: the embedded database cannot terminate a backend from outside.
describe.skipIf(!process.env.TEST_DATABASE_URL)('a PostgreSQL server terminating connections', () => {
  const url = process.env.TEST_DATABASE_URL!
  let admin: pg.Client
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url })
    await admin.connect()
  })
  afterAll(() => admin?.end())

  const terminate = (pid: number) => admin.query('SELECT pg_terminate_backend($1)', [pid])

  it('keeps the process up when an idle pooled connection is terminated, and the next query connects anew', async () => {
    const db = createDatabase(url, { embedded: false })
    try {
      const { pid } = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      // Without the pool's 'error' listener this 'error' event would end the process (vitest reports it as an unhandled error).
      const reported = new Promise<Error>((resolve) => db.once('error', resolve))
      await terminate(pid)
      expect((await reported).message).toMatch(/terminat/)
      const again = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      expect(again.pid).not.toBe(pid)
    } finally {
      await db.end()
    }
  })

  it('reports a checked-out connection terminated while held through the pool, and the pool replaces it', async () => {
    const db = createDatabase(url, { embedded: false })
    try {
      const client = await db.connect()
      const { pid } = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      const reported = new Promise<Error>((resolve) => db.once('error', resolve))
      await terminate(pid)
      expect((await reported).message).toMatch(/terminat/)
      await expect(client.query('SELECT 1')).rejects.toThrow()
      client.release()
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    } finally {
      await db.end()
    }
  })

  it('marks the database down when its connections are terminated and up once a probe connects', async () => {
    const db = createDatabase(url, { embedded: false })
    const health = new DatabaseHealth(db, silent, { initialMs: 50, maxMs: 400 })
    try {
      const transitions: DatabaseState[] = []
      health.onChange((status) => transitions.push(status.state))
      const { pid } = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      await terminate(pid)
      await eventually(() => expect(transitions).toEqual(['down', 'up']))
      expect(health.status().lastError).toMatch(/terminat/)
    } finally {
      health.stop()
      await db.end()
    }
  })
})
