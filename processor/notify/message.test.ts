import { describe, expect, it } from 'vitest'
import { makeAlert } from '../../test/helpers/alerts.ts'
import { alertEmail, alertSms, DELAYED_NOTE } from './message.ts'

const alert = makeAlert
const context = { vehicleName: 'Van 12', ruleDescription: 'Unplugged trackers' }
const place = { customerId: 1, customerName: 'Acme Plumbing', locationId: 4, name: 'Main depot', address: '12 Main St', distanceMi: 0.0213 }

describe('alert email and SMS text', () => {
  it('titles the email by alert type and vehicle, and gives the time in UTC, readable and ISO', () => {
    const email = alertEmail(alert(), context)
    expect(email.subject).toBe('Power disconnect — Van 12')
    expect(email.text).toContain('Time: 2026-06-01 12:00:05 UTC (2026-06-01T12:00:05.000Z)')
    expect(email.text).toContain('Alert rule: Unplugged trackers')
    expect(email.text).toContain('Device: 356307042441013')
  })

  it('gives coordinates and a map link when no service location is near, and says so when there is no position', () => {
    expect(alertEmail(alert(), context).text).toContain('Position: 54.68716, 25.27965\nMap: https://www.openstreetmap.org/?mlat=54.687156&mlon=25.279651')
    expect(alertEmail(alert({ latitude: null, longitude: null }), context).text).toContain('Position: not reported')
  })

  it('names the customers\' service locations within the radius, with their distance', () => {
    const text = alertEmail(alert({ places: [place, { ...place, locationId: 5, name: 'Yard', address: '', distanceMi: 0.04 }] }), context).text
    expect(text).toContain('Places:\n  Acme Plumbing — Main depot, 12 Main St (0.02 mi)\n  Acme Plumbing — Yard (0.04 mi)')
  })

  it('says when the alert came late from stored history, and carries the force of harsh driving', () => {
    const text = alertEmail(alert({ type: 'harshBraking', delayed: true, details: { g: -0.52 } }), context).text
    expect(text).toContain(DELAYED_NOTE)
    expect(text).toContain('Force: 0.52 g')
    expect(alertEmail(alert(), context).text).not.toContain('Reported late')
  })

  it('writes one short SMS line naming the type, vehicle, time and place', () => {
    expect(alertSms(alert(), context)).toBe('Power disconnect — Van 12: 2026-06-01 12:00 UTC at 54.68716, 25.27965')
    expect(alertSms(alert({ places: [place], delayed: true, type: 'harshAcceleration' }), context)).toBe(
      'Quick acceleration — Van 12: 2026-06-01 12:00 UTC near Acme Plumbing — Main depot (reported late from stored history)',
    )
  })
})
