import type { Server } from 'socket.io'
import type { LiveBus } from '../../processor/live.ts'
import { RecentIds } from '../../processor/notify/recent-ids.ts'
import type { AlertRuleIndex } from '../../processor/notify/rules.ts'
import type { Alert, AlertRule, ClientToServerEvents, ServerToClientEvents } from '../shared/contract.ts'
import { FLEET_ROOM, vehicleRoom } from './live-feed.ts'
import type { Logger } from '../../logger.ts'

/** Every socket of a user joins this room. */
export const userRoom = (userId: number) => `user:${userId}`

/** Who may see the alert's vehicle: the fleet room and the vehicle's room (an alert without a vehicle: the fleet room only). */
export function audienceFor(alert: Alert): string[] {
  return alert.vehicleId === null ? [FLEET_ROOM] : [FLEET_ROOM, vehicleRoom(alert.vehicleId)]
}

/**
 * The rooms the live alerts window gets the alert in: the users each matching rule names, among them
 * only those who may see the alert's vehicle (`userSees`), or, for a rule naming nobody, everyone who
 * can see the vehicle. No matching rule: nobody (the alert is still stored and listed by `GET /api/alerts`).
 */
export function alertRooms(alert: Alert, rules: AlertRule[], userSees: (userId: number) => boolean): string[] {
  const rooms = new Set<string>()
  for (const rule of rules) {
    const targets = rule.userIds.length > 0 ? rule.userIds.filter(userSees).map(userRoom) : audienceFor(alert)
    for (const room of targets) rooms.add(room)
  }
  return [...rooms]
}

/** Whether a user (by id) may see a vehicle now: Map view, active, the vehicle visible to them. */
export type UserSeesVehicle = (userId: number, vehicleId: number | null) => Promise<boolean>

/**
 * Pushes each stored alert to the rooms its rules choose (a socket in several of them gets it once),
 * and its clearing later to the rooms its rules choose then. Pushes go out in the order the bus
 * published them (an alert before its clearing), though looking up the named users is asynchronous.
 */
export function startAlertFeed(
  io: Server<ClientToServerEvents, ServerToClientEvents>,
  bus: LiveBus,
  rules: AlertRuleIndex,
  userSeesVehicle: UserSeesVehicle,
  log: Logger,
): () => void {
  const seen = new RecentIds(10_000)
  let queue = Promise.resolve()
  const push = (event: 'alert' | 'alertCleared', alert: Alert) => {
    const matching = rules.matching(alert)
    if (matching.length === 0) return
    queue = queue
      .then(async () => {
        const named = [...new Set(matching.flatMap((rule) => rule.userIds))]
        const seeing = new Set<number>()
        for (const userId of named) if (await userSeesVehicle(userId, alert.vehicleId)) seeing.add(userId)
        const rooms = alertRooms(alert, matching, (userId) => seeing.has(userId))
        if (rooms.length > 0) io.to(rooms).emit(event, alert)
      })
      .catch((err: unknown) => log.error({ err, alertId: alert.id }, 'live alert push failed'))
  }
  const unsubscribeRaised = bus.subscribe('alert', (alert) => void (seen.add(alert.id) && push('alert', alert)))
  const unsubscribeCleared = bus.subscribe('alertCleared', (alert) => push('alertCleared', alert))
  return () => {
    unsubscribeRaised()
    unsubscribeCleared()
  }
}
