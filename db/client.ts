import pg from 'pg'

export type Database = pg.Pool

// bigint (count(*), sums) as JS numbers: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

/**
 * One pool for the whole process. The embedded database serves a single connection, so there the
 * pool has one client and every part queues on it; group commit, not pool size, wins throughput.
 */
export function createDatabase(url: string, options: { embedded: boolean }): Database {
  return new pg.Pool({ connectionString: url, max: options.embedded ? 1 : 10 })
}
