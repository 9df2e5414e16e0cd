import { describe, expect, it } from 'vitest'
import type { Alert, AlertRule } from '../../../shared/contract.ts'
import { alertForce, alertPlace, dayRange, inAlertsWindow, unacknowledgedCount, upsertAlert } from './alert-text.ts'

function alert(id: number, fields: Partial<Alert> = {}): Alert {
  return {
    id,
    type: 'powerDisconnect',
    imei: '356307042440007',
    vehicleId: 1,
    time: '2026-11-22T08:00:00Z',
    latitude: 54.68,
    longitude: 25.27,
    delayed: false,
    places: [],
    details: {},
    clearedAt: null,
    acknowledgedAt: null,
    ...fields,
  }
}

const place = (customerName: string, name: string) => ({ customerId: 1, customerName, locationId: 2, name, address: '1 Main St', distanceMi: 0.02 })

describe('alertPlace', () => {
  it('names the nearby service locations', () => {
    expect(alertPlace(alert(1, { places: [place('Acme', 'Depot'), place('Bolt', '')] }))).toBe('Acme · Depot; Bolt')
  })

  it('falls back to coordinates, then to an unknown place', () => {
    expect(alertPlace(alert(1))).toBe('54.68000° N, 25.27000° E')
    expect(alertPlace(alert(1, { latitude: null, longitude: null }))).toBe('Unknown place')
  })
})

describe('alertForce', () => {
  it('shows a measured force in g', () => {
    expect(alertForce(alert(1, { details: { g: 0.4234 } }))).toBe('0.42 g')
    expect(alertForce(alert(1, { details: { g: 'strong' } }))).toBeNull()
  })
})

describe('upsertAlert', () => {
  it('puts a new alert on top and keeps at most max', () => {
    const list = [alert(2), alert(1)]
    expect(upsertAlert(list, alert(3), 2).map((a) => a.id)).toEqual([3, 2])
  })

  it('replaces an alert already listed in place', () => {
    const list = [alert(2), alert(1)]
    const updated = upsertAlert(list, alert(1, { clearedAt: '2026-11-22T08:05:00Z' }), 10)
    expect(updated.map((a) => a.id)).toEqual([2, 1])
    expect(updated[1]?.clearedAt).toBe('2026-11-22T08:05:00Z')
    expect(list[1]?.clearedAt).toBeNull()
  })

  it('counts alerts nobody acknowledged', () => {
    expect(unacknowledgedCount([alert(1), alert(2, { acknowledgedAt: '2026-11-22T09:00:00Z' })])).toBe(1)
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
  function rule(fields: Partial<AlertRule> = {}): AlertRule {
    return { id: 1, description: 'Cuts', type: 'powerDisconnect', vehicleIds: [1], thresholdG: null, emails: [], phones: [], userIds: [], createdAt: '2026-11-22T00:00:00Z', ...fields }
  }

  it('shows an alert a rule chooses for everyone or for this user', () => {
    expect(inAlertsWindow(alert(1), [rule()], 7)).toBe(true)
    expect(inAlertsWindow(alert(1), [rule({ userIds: [7] })], 7)).toBe(true)
    expect(inAlertsWindow(alert(1), [rule({ userIds: [8] })], 7)).toBe(false)
  })

  it('hides alerts no rule chooses: another type, another vehicle, no vehicle, no rules', () => {
    expect(inAlertsWindow(alert(1), [rule({ type: 'noUpdate' })], 7)).toBe(false)
    expect(inAlertsWindow(alert(1), [rule({ vehicleIds: [2] })], 7)).toBe(false)
    expect(inAlertsWindow(alert(1, { vehicleId: null }), [rule()], 7)).toBe(false)
    expect(inAlertsWindow(alert(1), [], 7)).toBe(false)
  })

  it('applies a force threshold, in either sign, and lets an alert without a measured force through', () => {
    const harsh = rule({ type: 'harshBraking', thresholdG: 0.5 })
    expect(inAlertsWindow(alert(1, { type: 'harshBraking', details: { g: -0.6 } }), [harsh], 7)).toBe(true)
    expect(inAlertsWindow(alert(1, { type: 'harshBraking', details: { g: 0.4 } }), [harsh], 7)).toBe(false)
    expect(inAlertsWindow(alert(1, { type: 'harshBraking', details: {} }), [harsh], 7)).toBe(true)
  })
})
