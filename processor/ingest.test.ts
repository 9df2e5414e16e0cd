import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { startTestDatabase, type TestDatabase } from '../test/helpers/database.ts'
import { makeRecord } from '../test/helpers/records.ts'
import type { Alert } from '../core/alerts.ts'
import { GroupCommitIngest } from './ingest.ts'
import { DEFAULT_STATE_SETTINGS, type VehicleState } from './state.ts'
import { VehicleStates } from './vehicle-states.ts'

describe('group-commit ingest on the embedded TimescaleDB', () => {
  let database: TestDatabase
  let states: VehicleStates
  let ingest: GroupCommitIngest
  const committed: VehicleState[][] = []
  const raised: Alert[] = []
  const cleared: Alert[] = []

  beforeAll(async () => {
    database = await startTestDatabase()
    states = await VehicleStates.load(database.db)
    ingest = new GroupCommitIngest(database.db, states, pino({ level: 'silent' }), {
      settings: DEFAULT_STATE_SETTINGS,
      onCommitted: (changed, _records, alerts) => {
        committed.push(changed)
        raised.push(...alerts.raised)
        cleared.push(...alerts.cleared)
      },
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

  it('commits the writes of many connections together in one transaction and releases every caller', async () => {
    const batchesBefore = committed.length
    // 200 connections whose data arrived in the same turn of the event loop.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        ingest.write([makeRecord({ imei: `35630704245${String(i).padStart(4, '0')}`, fixTime: '2026-03-01T11:00:00.000Z' })]),
      ),
    )
    expect(committed.slice(batchesBefore).map((changed) => changed.length), 'devices changed per transaction').toEqual([200])
    expect(await count("SELECT count(*)::int AS n FROM positions WHERE imei LIKE '35630704245%'", [])).toBe(200)
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

  it('fails the writers of a failed transaction and redoes from the committed states what was prepared on top of it', async () => {
    const imei = '356307042441004'
    // The real database, with the next batch statement failing once, 100 ms after it was sent.
    let failNext = true
    let failingStatementSent!: () => void
    const sent = new Promise<void>((resolve) => (failingStatementSent = resolve))
    const failing = new Proxy(database.db, {
      get(target, key, receiver) {
        if (key !== 'query') return Reflect.get(target, key, receiver)
        return (sql: string, params?: unknown[]) => {
          if (failNext && sql.includes('positions_written')) {
            failNext = false
            failingStatementSent()
            return new Promise((_, reject) => setTimeout(() => reject(new Error('disk full')), 100))
          }
          return target.query(sql, params)
        }
      },
    })
    const own = new GroupCommitIngest(failing, await VehicleStates.load(database.db), pino({ level: 'silent' }), { settings: DEFAULT_STATE_SETTINGS })
    const newer = makeRecord({ imei, fixTime: '2026-03-01T13:05:00.000Z', receivedAt: '2026-03-01T13:05:01.000Z' })
    const older = makeRecord({ imei, fixTime: '2026-03-01T13:00:00.000Z', receivedAt: '2026-03-01T13:01:00.000Z' })
    const first = own.write([newer])
    await sent
    // Prepared while the first transaction runs: history, behind the newer fix that transaction would store.
    const second = own.write([older])
    await expect(first).rejects.toThrow('disk full')
    await second
    const rows = await database.db.query('SELECT fix_time, buffered FROM positions WHERE imei = $1', [imei])
    // The newer fix was never stored, so the older one is the device's live position, not history.
    expect(rows.rows.map((row) => [row.fix_time.toISOString(), row.buffered])).toEqual([[older.fixTime, false]])
  })

  it('commits the good writes of a batch the database refuses and rejects only the offending ones', async () => {
    const good = Array.from({ length: 7 }, (_, i) => `35630704246${String(i).padStart(4, '0')}`)
    const fixTime = '2026-03-01T14:00:00.000Z'
    // Records the statement refuses, as a decoder without validation would hand them over: a year past
    // 9999 in the ISO form JavaScript writes it, and a NUL character, which jsonb cannot hold.
    const farFuture = makeRecord({ imei: '356307042469001', fixTime: new Date(Date.UTC(10_000, 0, 1)).toISOString() })
    const nul = makeRecord({ imei: '356307042469002', fixTime, io: { driverUniqueId: 'ab\u0000cd' } })
    const batchesBefore = committed.length
    // Written in one turn of the event loop: one batch, with the refused writes among the good ones.
    const writes = [
      ...good.slice(0, 3).map((imei) => ingest.write([makeRecord({ imei, fixTime })])),
      ingest.write([farFuture]),
      ...good.slice(3, 5).map((imei) => ingest.write([makeRecord({ imei, fixTime })])),
      ingest.write([nul]),
      ...good.slice(5).map((imei) => ingest.write([makeRecord({ imei, fixTime }), makeRecord({ imei, fixTime: '2026-03-01T14:00:05.000Z' })])),
    ]
    const outcomes = await Promise.allSettled(writes)
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled',
    ])
    expect(committed.length - batchesBefore, 'committed apart, in several transactions').toBeGreaterThan(1)
    const stored = await database.db.query<{ imei: string; n: number }>(
      'SELECT imei, count(*)::int AS n FROM positions WHERE imei = ANY($1) GROUP BY imei ORDER BY imei',
      [[...good, farFuture.imei, nul.imei]],
    )
    expect(stored.rows).toEqual(good.map((imei, i) => ({ imei, n: i >= 5 ? 2 : 1 })))
    for (const imei of good) expect(states.get(imei)?.position?.fixTime, imei).toBeDefined()
    expect(states.get(farFuture.imei)).toBeUndefined()
    expect(states.get(nul.imei)).toBeUndefined()
    // The next batch is an ordinary one.
    await ingest.write([makeRecord({ imei: good[0]!, fixTime: '2026-03-01T14:01:00.000Z' })])
    expect(states.get(good[0]!)?.position?.fixTime).toBe('2026-03-01T14:01:00.000Z')
  })

  it('commits counters set while a batch is in flight after it, so the batch does not overwrite them, and records grow from them', async () => {
    const imei = '356307042441005'
    const M = 1 / 111_195
    // The real database, with one batch statement held until the counters were set.
    let hold = false
    let held!: () => void
    let release!: () => void
    const sent = new Promise<void>((resolve) => (held = resolve))
    const gate = new Promise<void>((resolve) => (release = resolve))
    const holding = new Proxy(database.db, {
      get(target, key, receiver) {
        if (key !== 'query') return Reflect.get(target, key, receiver)
        return async (sql: string, params?: unknown[]) => {
          if (hold && sql.includes('positions_written')) {
            hold = false
            held()
            await gate
          }
          return target.query(sql, params)
        }
      },
    })
    const own = new GroupCommitIngest(holding, await VehicleStates.load(database.db), pino({ level: 'silent' }), { settings: DEFAULT_STATE_SETTINGS })
    const fix = (seconds: number, metres: number) =>
      makeRecord({ imei, fixTime: new Date(Date.parse('2026-03-01T15:00:00.000Z') + seconds * 1000).toISOString(), latitude: 54 + metres * M, longitude: 25, speedKmh: 36 })
    await own.write([fix(0, 0)])
    hold = true
    const inFlight = own.write([fix(10, 300)])
    await sent
    const counters = own.startCountersFrom(imei, { odometerKm: 12_000, engineHoursH: 800 }, new Date('2026-03-01T15:00:15.000Z'))
    release()
    await inFlight
    await counters
    const reloaded = await VehicleStates.load(database.db)
    expect(reloaded.countersOf(imei), 'stored with the command, not left to the next batch').toEqual({ odometerKm: 12_000, engineHoursH: 800 })
    await own.write([fix(20, 800)])
    expect((await VehicleStates.load(database.db)).countersOf(imei)!.odometerKm).toBeCloseTo(12_000, 6)
    await own.write([fix(30, 1300)])
    expect((await VehicleStates.load(database.db)).countersOf(imei)!.odometerKm).toBeCloseTo(12_000.5, 3)
  })

  it('registers a device with a state of its own, bound to its first protocol, that starts from counters set before its first record', async () => {
    const imei = '356307042441006'
    expect(await ingest.register(imei, 'gt06')).toBe('gt06')
    expect(await ingest.register(imei, 'teltonika')).toBe('gt06')
    expect(states.get(imei)).toMatchObject({ protocol: 'gt06', status: 'never', lastSeen: null })
    expect((await database.db.query('SELECT protocol, last_status FROM devices WHERE imei = $1', [imei])).rows).toEqual([{ protocol: 'gt06', last_status: 'never' }])
    await ingest.startCountersFrom(imei, { odometerKm: 42, engineHoursH: 7 }, new Date('2026-03-01T16:00:00.000Z'))
    await ingest.write([makeRecord({ imei, protocol: 'gt06', fixTime: '2026-03-01T16:00:10.000Z' })])
    expect(states.countersOf(imei)).toEqual({ odometerKm: 42, engineHoursH: 7 })
    expect(states.get(imei)?.position?.fixTime).toBe('2026-03-01T16:00:10.000Z')
  })

  it('reloads the live state from the database after a restart', async () => {
    const reloaded = await VehicleStates.load(database.db)
    expect(reloaded.get('356307042441002')?.position).toMatchObject({ fixTime: '2026-03-01T12:00:00.000Z', latitude: 55 })
    expect(reloaded.get('356307042441002')?.status).toBe('moving')
  })

  describe('alerts', () => {
    // A customer with service locations north of the alert position, at about 0.01, 0.04 and 0.2 mi.
    const LAT = 54.7
    const LON = 25.3
    const MI_PER_DEG_LAT = 69.09
    let customerId: number
    let vehicleId: number
    const imei = '356307042449001'
    const alertRows = async (type: string) =>
      (await database.db.query('SELECT * FROM alerts WHERE imei = $1 AND type = $2 ORDER BY time', [imei, type])).rows

    beforeAll(async () => {
      customerId = (await database.db.query<{ id: number }>("INSERT INTO customers (name) VALUES ('Acme Heating') RETURNING id")).rows[0]!.id
      for (const [name, miles] of [['Far depot', 0.2], ['Front door', 0.01], ['Back yard', 0.04]] as const) {
        await database.db.query('INSERT INTO service_locations (customer_id, name, address, latitude, longitude) VALUES ($1, $2, $3, $4, $5)', [
          customerId, name, `${name} street 1`, LAT + miles / MI_PER_DEG_LAT, LON,
        ])
      }
      await ingest.write([makeRecord({ imei, fixTime: '2026-03-02T09:00:00.000Z', latitude: LAT, longitude: LON })])
      vehicleId = (await database.db.query<{ id: number }>('INSERT INTO vehicles (name, device_imei) VALUES ($1, $2) RETURNING id', ['Van 7', imei])).rows[0]!.id
    })

    const power = (fixTime: string, overrides: Parameters<typeof makeRecord>[0] | object = {}) =>
      makeRecord({ imei, fixTime, latitude: LAT, longitude: LON, externalVoltageV: 12.6, batteryVoltageV: 4.1, ...overrides })

    it('stores an alert with its vehicle and the service locations within the Customer Radius, nearest first, and publishes it', async () => {
      await ingest.write([power('2026-03-02T09:01:00.000Z', { externalVoltageV: 0, events: ['powerCut'] })])
      const [row] = await alertRows('powerDisconnect')
      expect(row).toMatchObject({ vehicle_id: vehicleId, latitude: LAT, longitude: LON, delayed: false, cleared_at: null, details: { source: 'deviceEvent' } })
      expect(row.places.map((place: { name: string }) => place.name)).toEqual(['Front door', 'Back yard'])
      expect(row.places[0]).toMatchObject({ customerId, customerName: 'Acme Heating', address: 'Front door street 1' })
      expect(row.places[0].distanceMi).toBeCloseTo(0.01, 3)
      expect(raised.filter((alert) => alert.imei === imei)).toEqual([
        expect.objectContaining({ id: Number(row.id), type: 'powerDisconnect', vehicleId, time: '2026-03-02T09:01:00.000Z', places: row.places, clearedAt: null }),
      ])
    })

    it('stores an alert once when the device retries the record, and publishes it once', async () => {
      const before = raised.length
      await ingest.write([power('2026-03-02T09:01:00.000Z', { externalVoltageV: 0, events: ['powerCut'], receivedAt: '2026-03-02T09:01:30.000Z' })])
      await ingest.write([power('2026-03-02T09:01:10.000Z', { externalVoltageV: 0, events: ['powerCut'] })])
      expect(await alertRows('powerDisconnect')).toHaveLength(1)
      expect(raised.length).toBe(before)
    })

    it('clears the stored alert on restore and publishes the cleared alert', async () => {
      await ingest.write([power('2026-03-02T09:02:00.000Z', { events: ['powerRestored'] })])
      const [row] = await alertRows('powerDisconnect')
      expect(row.cleared_at.toISOString()).toBe('2026-03-02T09:02:00.000Z')
      expect(cleared.at(-1)).toMatchObject({ id: Number(row.id), clearedAt: '2026-03-02T09:02:00.000Z' })
    })

    it('lists several places when the Customer Radius is set large', async () => {
      await database.db.query("UPDATE settings SET value = '0.5' WHERE key = 'customerRadiusMi'")
      try {
        await ingest.write([power('2026-03-02T09:03:00.000Z', { events: ['harshBraking'] })])
        const [row] = await alertRows('harshBraking')
        expect(row.places.map((place: { name: string }) => place.name)).toEqual(['Front door', 'Back yard', 'Far depot'])
      } finally {
        await database.db.query("UPDATE settings SET value = '0.05' WHERE key = 'customerRadiusMi'")
      }
    })

    it('stores a cut found in history as delayed, raised and cleared in one batch and published once, already cleared', async () => {
      const late = { receivedAt: '2026-03-02T09:30:00.000Z' }
      const before = raised.length
      await ingest.write([
        power('2026-03-02T09:10:00.000Z', { ...late, externalVoltageV: 0, events: ['powerCut'] }),
        power('2026-03-02T09:10:30.000Z', { ...late, events: ['powerRestored'] }),
      ])
      const rows = await alertRows('powerDisconnect')
      expect(rows.at(-1)).toMatchObject({ delayed: true })
      expect(rows.at(-1).cleared_at.toISOString()).toBe('2026-03-02T09:10:30.000Z')
      expect(raised.slice(before)).toEqual([expect.objectContaining({ delayed: true, clearedAt: '2026-03-02T09:10:30.000Z' })])
    })

    it('keeps the tracking and the counters across a restart and applies counters set while it was down', async () => {
      await ingest.write([power('2026-03-02T09:40:00.000Z', { externalVoltageV: 0, events: ['powerCut'] })])
      await ingest.startCountersFrom(imei, { odometerKm: 20_000, engineHoursH: 1_500 }, new Date('2026-03-02T09:40:30.000Z'))
      await ingest.write([power('2026-03-02T09:41:00.000Z', { externalVoltageV: 0, latitude: LAT + 0.001 })])
      const km = states.get(imei)!.odometerKm
      expect(km).toBeGreaterThanOrEqual(20_000)
      const reloaded = await VehicleStates.load(database.db)
      expect(reloaded.get(imei)!.tracking.live.cut).toMatchObject({ atMs: Date.parse('2026-03-02T09:40:00.000Z'), source: 'deviceEvent' })
      expect(reloaded.countersOf(imei)!.odometerKm).toBe(km)
      await database.db.query("UPDATE vehicles SET odometer_km = 30000, engine_hours_h = 2000, counters_set_at = '2026-03-02T10:00:00Z' WHERE id = $1", [vehicleId])
      const rebased = await VehicleStates.load(database.db)
      expect(rebased.countersOf(imei)).toEqual({ odometerKm: 30_000, engineHoursH: 2_000 })
    })

    it('stores the sweep\'s noUpdate alert once and clears it with the next record', async () => {
      const quiet = '356307042449002'
      await ingest.write([makeRecord({ imei: quiet, fixTime: '2026-03-03T08:00:00.000Z', latitude: LAT, longitude: LON })])
      const crossed = Date.parse('2026-03-03T08:00:00.000Z') + DEFAULT_STATE_SETTINGS.noUpdateAfterMs
      await ingest.sweep(crossed + 60_000)
      await ingest.sweep(crossed + 120_000)
      const rows = (await database.db.query("SELECT * FROM alerts WHERE imei = $1 AND type = 'noUpdate'", [quiet])).rows
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ delayed: false, cleared_at: null, places: [expect.objectContaining({ name: 'Front door' }), expect.objectContaining({ name: 'Back yard' })] })
      expect(rows[0].time.getTime()).toBe(crossed)
      expect(committed.at(-1)!.map((state) => state.imei)).toContain(quiet)
      await ingest.write([makeRecord({ imei: quiet, fixTime: '2026-03-04T09:00:00.000Z', receivedAt: '2026-03-04T09:00:01.000Z' })])
      const after = (await database.db.query("SELECT cleared_at FROM alerts WHERE imei = $1 AND type = 'noUpdate'", [quiet])).rows
      expect(after[0].cleared_at.toISOString()).toBe('2026-03-04T09:00:01.000Z')
    })
  })
})
