import { describe, expect, it } from 'vitest'
import type { Alert, AlertRule } from '../shared/contract.ts'
import { alertRooms, audienceFor, userRoom } from './alert-feed.ts'
import { FLEET_ROOM } from './live-feed.ts'

const alert: Alert = {
  id: 1, type: 'powerDisconnect', imei: '356307042441013', vehicleId: 3, time: '2026-06-01T12:00:05.000Z', latitude: 54.7,
  longitude: 25.3, delayed: false, places: [], details: {}, clearedAt: null, acknowledgedAt: null,
}
const rule = (id: number, userIds: number[]): AlertRule => ({
  id, description: `rule ${id}`, type: 'powerDisconnect', vehicleIds: [3], thresholdG: null, emails: [], phones: [], userIds, createdAt: '2026-06-01T00:00:00.000Z',
})

describe('who sees an alert live', () => {
  it('goes to the users a rule names, once each across rules', () => {
    expect(alertRooms(alert, [rule(1, [2, 5]), rule(2, [5])]).sort()).toEqual([userRoom(2), userRoom(5)])
  })

  it('goes to everyone who can see the vehicle when a rule names nobody', () => {
    expect(audienceFor(alert)).toEqual([FLEET_ROOM])
    expect(alertRooms(alert, [rule(1, [])])).toEqual([FLEET_ROOM])
    expect(alertRooms(alert, [rule(1, [2]), rule(2, [])]).sort()).toEqual([FLEET_ROOM, userRoom(2)].sort())
  })

  it('goes to nobody when no rule matches', () => {
    expect(alertRooms(alert, [])).toEqual([])
  })
})
