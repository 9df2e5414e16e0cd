import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { startTestDatabase, type TestDatabase } from '../test/helpers/database.ts'
import { makeRecord } from '../test/helpers/records.ts'
import { GroupCommitIngest } from './ingest.ts'
import { DEFAULT_STATE_SETTINGS, type VehicleState } from './state.ts'
import { VehicleStates } from './vehicle-states.ts'

describe('group-commit ingest on the embedded TimescaleDB', () => {
  let database: TestDatabase
  let states: VehicleStates
  let ingest: GroupCommitIngest
  const committed: VehicleState[][] = []

  beforeAll(async () => {
    database = await startTestDatabase()
    states = await VehicleStates.load(database.db)
    ingest = new GroupCommitIngest(database.db, states, pino({ level: 'silent' }), {
      settings: DEFAULT_STATE_SETTINGS,
      onCommitted: (changed) => committed.push(changed),
    })
  }, 60_000)
  afterAll(() => database?.stop())

  const count = async (sql: string, params: unknown[]) => (await database.db.query<{ n: number }>(sql, params)).rows[0]!.n

  it('stores a retried record once and keeps every event of a same-second record', async () => {
    const imei = '356307042441001'
    const first = makeRecord({ imei, fixTime: '2026-03-01T10:00:00.000Z', events: ['harshBraking'] })
    const sameSecond = makeRecord({ imei, fixTime: '2026-03-01T10:00:00.000Z', events: ['powerCut'] })
    await ingest.write([first])
    await ingest.write([{ ...first }])
    await ingest.write([sameSecond])
    expect(await count('SELECT count(*)::int AS n FROM positions WHERE imei = $1', [imei])).toBe(1)
    const types = await database.db.query('SELECT type FROM events WHERE imei = $1 ORDER BY type', [imei])
    expect(types.rows.map((row) => row.type)).toEqual(['harshBraking', 'powerCut'])
  })

  it('commits concurrent writes from many connections together and releases every caller', async () => {
    const writes = Array.from({ length: 200 }, (_, i) =>
      ingest.write([makeRecord({ imei: `35630704245${String(i).padStart(4, '0')}`, fixTime: '2026-03-01T11:00:00.000Z' })]),
    )
    const batchesBefore = committed.length
    await Promise.all(writes)
    expect(await count("SELECT count(*)::int AS n FROM positions WHERE imei LIKE '35630704245%'", [])).toBe(200)
    expect(committed.length - batchesBefore).toBeLessThan(200)
  })

  it('marks older history as buffered and never moves the live position backwards', async () => {
    const imei = '356307042441002'
    const live = makeRecord({ imei, fixTime: '2026-03-01T12:00:00.000Z', receivedAt: '2026-03-01T12:00:01.000Z', latitude: 55 })
    const history = makeRecord({ imei, fixTime: '2026-03-01T11:30:00.000Z', receivedAt: '2026-03-01T12:00:02.000Z', latitude: 54 })
    await ingest.write([live])
    await ingest.write([history])
    const rows = await database.db.query('SELECT fix_time, buffered FROM positions WHERE imei = $1 ORDER BY fix_time', [imei])
    expect(rows.rows.map((row) => row.buffered)).toEqual([true, false])
    expect(states.get(imei)?.position).toMatchObject({ fixTime: live.fixTime, latitude: 55 })
    expect(states.get(imei)?.lastSeen).toBe('2026-03-01T12:00:02.000Z')
  })

  it('marks a record that lags its arrival by more than the buffered lag as history', async () => {
    const imei = '356307042441003'
    const late = makeRecord({ imei, fixTime: '2026-03-01T08:00:00.000Z', receivedAt: '2026-03-01T08:06:00.000Z' })
    await ingest.write([late])
    const row = await database.db.query('SELECT buffered FROM positions WHERE imei = $1', [imei])
    expect(row.rows[0]?.buffered).toBe(true)
    expect(states.get(imei)?.position).toBeNull()
  })

  it('reloads the live state from the database after a restart', async () => {
    const reloaded = await VehicleStates.load(database.db)
    expect(reloaded.get('356307042441002')?.position).toMatchObject({ fixTime: '2026-03-01T12:00:00.000Z', latitude: 55 })
    expect(reloaded.get('356307042441002')?.status).toBe('moving')
  })
})
