import { describe, expect, it } from 'vitest'
import type { AlertRule } from '../shared/contract.ts'
import { makeAlert, makeAlertRule } from '../../test/helpers/alerts.ts'
import { alertRooms, audienceFor, userRoom } from './alert-feed.ts'
import { FLEET_ROOM, vehicleRoom } from './live-feed.ts'

const alert = makeAlert()
const rule = (id: number, userIds: number[]): AlertRule => makeAlertRule({ id, userIds })
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
