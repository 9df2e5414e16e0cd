import { describe, expect, it } from 'vitest'
import { makeAlert, makeAlertRule } from '../../../../../test/helpers/alerts.ts'
import { alertForce, alertPlace, dayRange, inAlertsWindow, unacknowledgedCount, upsertAlert } from './alert-text.ts'

const place = (customerName: string, name: string) => ({ customerId: 1, customerName, locationId: 2, name, address: '1 Main St', distanceMi: 0.02 })

describe('alertPlace', () => {
  it('names the nearby service locations', () => {
    expect(alertPlace(makeAlert({ places: [place('Acme', 'Depot'), place('Bolt', '')] }))).toBe('Acme · Depot; Bolt')
  })

  it('falls back to coordinates, then to an unknown place', () => {
    expect(alertPlace(makeAlert())).toBe('54.68716° N, 25.27965° E')
    expect(alertPlace(makeAlert({ latitude: null, longitude: null }))).toBe('Unknown place')
  })
})

describe('alertForce', () => {
  it('shows a measured force in g', () => {
    expect(alertForce(makeAlert({ details: { g: 0.4234 } }))).toBe('0.42 g')
    expect(alertForce(makeAlert({ details: { g: 'strong' } }))).toBeNull()
  })
})

describe('upsertAlert', () => {
  it('puts a new alert on top and keeps at most max', () => {
    const list = [makeAlert({ id: 2 }), makeAlert()]
    expect(upsertAlert(list, makeAlert({ id: 3 }), 2).map((a) => a.id)).toEqual([3, 2])
  })

  it('replaces an alert already listed in place', () => {
    const list = [makeAlert({ id: 2 }), makeAlert()]
    const updated = upsertAlert(list, makeAlert({ clearedAt: '2026-11-22T08:05:00Z' }), 10)
    expect(updated.map((a) => a.id)).toEqual([2, 1])
    expect(updated[1]?.clearedAt).toBe('2026-11-22T08:05:00Z')
    expect(list[1]?.clearedAt).toBeNull()
  })

  it('counts alerts nobody acknowledged', () => {
    expect(unacknowledgedCount([makeAlert(), makeAlert({ id: 2, acknowledgedAt: '2026-11-22T09:00:00Z' })])).toBe(1)
  })
})

describe('dayRange', () => {
  it('covers whole local days, from the first midnight to the end of the last day', () => {
    const range = dayRange('2026-11-20', '2026-11-22')
    expect(range.from).toBe(new Date(2026, 10, 20).toISOString())
    expect(range.to).toBe(new Date(new Date(2026, 10, 23).getTime() - 1).toISOString())
  })

  it('leaves out an empty or malformed end', () => {
    expect(dayRange('', '')).toEqual({})
    expect(dayRange('yesterday', '2026-11-22')).toEqual({ to: new Date(new Date(2026, 10, 23).getTime() - 1).toISOString() })
  })
})

describe('inAlertsWindow', () => {
  it('shows an alert a rule chooses for everyone or for this user', () => {
    expect(inAlertsWindow(makeAlert(), [makeAlertRule()], 7)).toBe(true)
    expect(inAlertsWindow(makeAlert(), [makeAlertRule({ userIds: [7] })], 7)).toBe(true)
    expect(inAlertsWindow(makeAlert(), [makeAlertRule({ userIds: [8] })], 7)).toBe(false)
  })

  it('hides alerts no rule chooses: another type, another vehicle, no vehicle, no rules', () => {
    expect(inAlertsWindow(makeAlert(), [makeAlertRule({ type: 'noUpdate' })], 7)).toBe(false)
    expect(inAlertsWindow(makeAlert(), [makeAlertRule({ vehicleIds: [2] })], 7)).toBe(false)
    expect(inAlertsWindow(makeAlert({ vehicleId: null }), [makeAlertRule()], 7)).toBe(false)
    expect(inAlertsWindow(makeAlert(), [], 7)).toBe(false)
  })

  it('applies a force threshold, in either sign, and lets an alert without a measured force through', () => {
    const harsh = makeAlertRule({ type: 'harshBraking', thresholdG: 0.5 })
    expect(inAlertsWindow(makeAlert({ type: 'harshBraking', details: { g: -0.6 } }), [harsh], 7)).toBe(true)
    expect(inAlertsWindow(makeAlert({ type: 'harshBraking', details: { g: 0.4 } }), [harsh], 7)).toBe(false)
    expect(inAlertsWindow(makeAlert({ type: 'harshBraking', details: {} }), [harsh], 7)).toBe(true)
  })
})
