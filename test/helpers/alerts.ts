import type { Alert, AlertRule } from '../../dashboard/shared/contract.ts'

/** A power cut on vehicle 3, open and unacknowledged; override what the test is about. */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 1,
    type: 'powerDisconnect',
    imei: '356307042441013',
    vehicleId: 3,
    time: '2026-06-01T12:00:05.000Z',
    latitude: 54.687156,
    longitude: 25.279651,
    delayed: false,
    places: [],
    details: {},
    clearedAt: null,
    acknowledgedAt: null,
    ...overrides,
  }
}

/** A rule for power cuts on vehicle 3 that notifies no one by email or text; override what the test is about. */
export function makeAlertRule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 1,
    description: 'Power cuts',
    type: 'powerDisconnect',
    vehicleIds: [3],
    thresholdG: null,
    emails: [],
    phones: [],
    userIds: [],
    createdAt: '2026-06-01T00:00:00.000Z',
    ...overrides,
  }
}
