import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestDatabase, type TestDatabase } from '../test/helpers/database.ts'
import { processRecord } from './pipeline.ts'
import { VehicleStates } from './vehicle-states.ts'
import { START_MS, at, recordAt, settingsWith } from '../test/helpers/processor-drive.ts'

const FILL_VALIDITY = fs.readFileSync(new URL('../db/migrations/0005_add_validity_to_last_position.sql', import.meta.url), 'utf8')

describe('live positions stored without their fix validity', () => {
  let database: TestDatabase

  beforeAll(async () => {
    database = await startTestDatabase()
  }, 120_000)
  afterAll(() => database?.stop())

  it('take the validity of the stored position they came from, or count as valid when it is gone', async () => {
    const fixTime = '2026-01-01T10:00:00.000Z'
    const position = { fixTime, latitude: 54.68, longitude: 25.27, satellites: 0 }
    const [lost, gone] = ['356307042441401', '356307042441419']
    for (const imei of [lost, gone]) {
      await database.db.query(
        `INSERT INTO devices (imei, protocol, last_seen, last_fix_time, last_position, last_status) VALUES ($1, 'teltonika', $2, $2, $3, 'stopped')`,
        [imei, fixTime, JSON.stringify(position)],
      )
    }
    await database.db.query(
      `INSERT INTO positions (imei, fix_time, received_at, buffered, valid, latitude, longitude, satellites) VALUES ($1, $2, $2, false, false, 54.68, 25.27, 0)`,
      [lost, fixTime],
    )

    await database.db.query(FILL_VALIDITY)
    const states = await VehicleStates.load(database.db)

    expect(states.get(lost)?.position).toEqual({ ...position, valid: false })
    expect(states.get(gone)?.position).toEqual({ ...position, valid: true })
  })
})

describe('vehicle states in memory', () => {
  it('keeps the connection flag set while a batch was being committed', () => {
    const states = new VehicleStates()
    const imei = '356307042441013'
    const inFlight = processRecord(states.getOrEmpty(imei, 'teltonika'), recordAt(0), settingsWith()).state
    expect(states.connectionChanged(imei, 'teltonika', true).connected).toBe(true)
    expect(states.commit(inFlight).connected).toBe(true)
    expect(states.get(imei)?.position?.fixTime).toBe(recordAt(0).fixTime)
  })
})
