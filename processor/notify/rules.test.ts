import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, AlertRule } from '../../core/alerts.ts'
import { makeAlert, makeAlertRule } from '../../test/helpers/alerts.ts'
import { startTestDatabase, type TestDatabase } from '../../test/helpers/database.ts'
import { AlertRuleIndex, ruleApplies } from './rules.ts'

/** Hard stops on vehicles 3 and 4, the kind of alert most rules here are about. */
const alert = (overrides: Partial<Alert> = {}): Alert => makeAlert({ type: 'harshBraking', ...overrides })
const rule = (overrides: Partial<AlertRule> = {}): AlertRule => makeAlertRule({ description: 'Hard stops', type: 'harshBraking', vehicleIds: [3, 4], ...overrides })

describe('whether an alert rule applies to an alert', () => {
  it('needs the same type and the alert\'s vehicle among the rule\'s', () => {
    expect(ruleApplies(rule(), alert())).toBe(true)
    expect(ruleApplies(rule({ type: 'harshCornering' }), alert())).toBe(false)
    expect(ruleApplies(rule({ vehicleIds: [4] }), alert())).toBe(false)
  })

  it('matches no rule for a device without a vehicle', () => {
    expect(ruleApplies(rule(), alert({ vehicleId: null }))).toBe(false)
  })

  it('notifies a threshold rule of forces at or above it, whatever their sign', () => {
    expect(ruleApplies(rule({ thresholdG: 0.4 }), alert({ details: { g: 0.4 } }))).toBe(true)
    expect(ruleApplies(rule({ thresholdG: 0.4 }), alert({ details: { g: -0.55 } }))).toBe(true)
    expect(ruleApplies(rule({ thresholdG: 0.4 }), alert({ details: { g: 0.39 } }))).toBe(false)
  })

  it('passes an alert without a measured force through a threshold rule (the device judged it harsh)', () => {
    expect(ruleApplies(rule({ thresholdG: 0.4 }), alert({ details: { source: 'deviceEvent' } }))).toBe(true)
  })
})

describe('the alert rules in memory', () => {
  let database: TestDatabase

  beforeAll(async () => {
    database = await startTestDatabase()
    const { db } = database
    await db.query(`INSERT INTO vehicles (id, name) VALUES (3, 'Van 12'), (4, 'Truck 7'), (5, 'Car 1')`)
    await db.query(`INSERT INTO alert_rules (id, description, type, threshold_g, emails) VALUES
      (1, 'Any hard stop', 'harshBraking', NULL, '{ops@example.com}'),
      (2, 'Very hard stops', 'harshBraking', 0.6, '{}'),
      (3, 'Unplugged', 'powerDisconnect', NULL, '{}'),
      (4, 'Nothing yet', 'noUpdate', NULL, '{}')`)
    await db.query('INSERT INTO alert_rule_vehicles (rule_id, vehicle_id) VALUES (1, 3), (1, 4), (2, 3), (3, 5)')
  }, 60_000)

  afterAll(async () => {
    await database?.stop()
  })

  it('loads every rule with its vehicles and finds those of an alert without a query', async () => {
    const index = await AlertRuleIndex.load(database.db)
    expect(index.size).toBe(4)
    expect(index.matching(alert({ details: { g: 0.7 } })).map((r) => r.id)).toEqual([1, 2])
    expect(index.matching(alert({ details: { g: 0.5 } })).map((r) => r.id)).toEqual([1])
    expect(index.matching(alert({ vehicleId: 4 })).map((r) => r.id)).toEqual([1])
    expect(index.matching(alert({ type: 'powerDisconnect' }))).toEqual([])
    expect(index.matching(alert({ type: 'powerDisconnect', vehicleId: 5 }))).toMatchObject([{ id: 3, vehicleIds: [5], thresholdG: null }])
    expect(index.matching(alert({ vehicleId: null }))).toEqual([])
  })

  it('sees rule changes after a reload, and reads a real-typed threshold back as typed', async () => {
    const index = await AlertRuleIndex.load(database.db)
    await database.db.query('UPDATE alert_rules SET threshold_g = 0.3 WHERE id = 2')
    await database.db.query('INSERT INTO alert_rule_vehicles (rule_id, vehicle_id) VALUES (4, 4)')
    expect(index.matching(alert({ details: { g: 0.5 } })).map((r) => r.id)).toEqual([1])
    await index.reload()
    expect(index.matching(alert({ details: { g: 0.5 } }))).toMatchObject([{ id: 1 }, { id: 2, thresholdG: 0.3 }])
    expect(index.matching(alert({ type: 'noUpdate', vehicleId: 4 })).map((r) => r.id)).toEqual([4])
  })
})
