import type { Server } from 'socket.io'
import type { LiveBus } from '../../processor/live.ts'
import { RecentIds } from '../../processor/notify/recent-ids.ts'
import type { AlertRuleIndex } from '../../processor/notify/rules.ts'
import type { Alert, AlertRule, ClientToServerEvents, ServerToClientEvents } from '../shared/contract.ts'
import { FLEET_ROOM } from './live-feed.ts'

/** Every socket of a user joins this room. */
export const userRoom = (userId: number) => `user:${userId}`

/**
 * Who may see the alert's vehicle. Today every logged-in user sees the whole fleet; per-user vehicle
 * visibility changes this one function.
 */
export function audienceFor(_alert: Alert): string[] {
  return [FLEET_ROOM]
}

/**
 * The rooms the live alerts window gets the alert in: the users each matching rule names, or, for a
 * rule naming nobody, everyone who can see the vehicle. No matching rule: nobody (the alert is still
 * stored and listed by `GET /api/alerts`).
 */
export function alertRooms(alert: Alert, rules: AlertRule[]): string[] {
  const rooms = new Set<string>()
  for (const rule of rules) {
    const targets = rule.userIds.length > 0 ? rule.userIds.map(userRoom) : audienceFor(alert)
    for (const room of targets) rooms.add(room)
  }
  return [...rooms]
}

/**
 * Pushes each stored alert to the rooms its rules choose (a socket in several of them gets it once),
 * and its clearing later to the rooms its rules choose then.
 */
export function startAlertFeed(io: Server<ClientToServerEvents, ServerToClientEvents>, bus: LiveBus, rules: AlertRuleIndex): () => void {
  const seen = new RecentIds(10_000)
  const push = (event: 'alert' | 'alertCleared', alert: Alert) => {
    const rooms = alertRooms(alert, rules.matching(alert))
    if (rooms.length > 0) io.to(rooms).emit(event, alert)
  }
  const unsubscribeRaised = bus.subscribe('alert', (alert) => void (seen.add(alert.id) && push('alert', alert)))
  const unsubscribeCleared = bus.subscribe('alertCleared', (alert) => push('alertCleared', alert))
  return () => {
    unsubscribeRaised()
    unsubscribeCleared()
  }
}
