import { describe, expect, it } from 'vitest'
import type { Alert, AlertRule } from '../shared/contract.ts'
import { alertRooms, audienceFor, userRoom } from './alert-feed.ts'
import { FLEET_ROOM, vehicleRoom } from './live-feed.ts'

const alert: Alert = {
  id: 1, type: 'powerDisconnect', imei: '356307042441013', vehicleId: 3, time: '2026-06-01T12:00:05.000Z', latitude: 54.7,
  longitude: 25.3, delayed: false, places: [], details: {}, clearedAt: null, acknowledgedAt: null,
}
const rule = (id: number, userIds: number[]): AlertRule => ({
  id, description: `rule ${id}`, type: 'powerDisconnect', vehicleIds: [3], thresholdG: null, emails: [], phones: [], userIds, createdAt: '2026-06-01T00:00:00.000Z',
})
const everyone = () => true
const sorted = (rooms: string[]) => [...rooms].sort()

describe('who sees an alert live', () => {
  it('goes to the users a rule names, once each across rules', () => {
    expect(sorted(alertRooms(alert, [rule(1, [2, 5]), rule(2, [5])], everyone))).toEqual([userRoom(2), userRoom(5)])
  })

  it('goes to a named user only if that user may see the vehicle', () => {
    expect(alertRooms(alert, [rule(1, [2, 5])], (userId) => userId === 5)).toEqual([userRoom(5)])
    expect(alertRooms(alert, [rule(1, [2])], () => false)).toEqual([])
  })

  it('goes to everyone who can see the vehicle when a rule names nobody: the fleet and the vehicle\'s room', () => {
    expect(audienceFor(alert)).toEqual([FLEET_ROOM, vehicleRoom(3)])
    expect(sorted(alertRooms(alert, [rule(1, [])], everyone))).toEqual(sorted([FLEET_ROOM, vehicleRoom(3)]))
    expect(sorted(alertRooms(alert, [rule(1, [2]), rule(2, [])], everyone))).toEqual(sorted([FLEET_ROOM, vehicleRoom(3), userRoom(2)]))
  })

  it('goes only to those who see every vehicle when the alert has no vehicle', () => {
    expect(audienceFor({ ...alert, vehicleId: null })).toEqual([FLEET_ROOM])
  })

  it('goes to nobody when no rule matches', () => {
    expect(alertRooms(alert, [], everyone)).toEqual([])
  })
})
