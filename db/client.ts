import pg from 'pg'

export type Database = pg.Pool

// bigint (count(*), sums) as JS numbers: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

/**
 * One pool for the whole process. The embedded database serves a single connection, so there the
 * pool has one client and every part queues on it; group commit, not pool size, wins throughput.
 *
 * A connection may drop at any time (a server restart or failover, `pg_terminate_backend`, the
 * embedded database restarting). `pg` reports a drop as an `'error'` event on the client, and an
 * `'error'` event nobody listens to ends the process. The pool listens on its idle clients and
 * re-emits their errors as its own `'error'`; a client checked out with `connect()` gets the same
 * treatment here while it is held, so the pool's `'error'` event is the one place every dropped
 * connection is reported (DatabaseHealth listens to it). The dropped client is not reused: the pool
 * discards a client that is no longer queryable when it is released, and the next query connects anew.
 */
export function createDatabase(url: string, options: { embedded: boolean }): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.embedded ? 1 : 10 })
  // Kept alive without a health monitor too (tests, tools): the query that was running fails on its own.
  pool.on('error', () => undefined)
  const reportWhileHeld = (err: Error) => pool.emit('error', err)
  pool.on('acquire', (client) => client.on('error', reportWhileHeld))
  pool.on('release', (_err, client) => client.removeListener('error', reportWhileHeld))
  return pool
}
