import type { Server } from 'socket.io'
import type { LiveBus } from '../../processor/live.ts'
import type { StateSettings, VehicleState } from '../../processor/state.ts'
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/contract.ts'
import { toDeviceSummary, type VehicleRef } from './devices.ts'

/** The sockets of users who see every vehicle. */
export const FLEET_ROOM = 'fleet'
/** The sockets of restricted users who see this vehicle (and nobody else's: `fleet` sockets are not in it). */
export const vehicleRoom = (vehicleId: number) => `vehicle:${vehicleId}`

/** Who may see a device's vehicle live: the fleet room and the vehicle's room; a device without a vehicle, the fleet room only. */
export function deviceAudience(vehicle: VehicleRef | undefined): string[] {
  return vehicle ? [FLEET_ROOM, vehicleRoom(vehicle.id)] : [FLEET_ROOM]
}

export interface LiveFeed {
  /** Sends the device's summary again (its vehicle was renamed, assigned or removed). */
  resend(state: VehicleState): void
  stop(): void
}

/**
 * Forwards vehicle changes to browsers as soon as they are committed, coalesced per vehicle: a
 * vehicle is sent at most once per `minIntervalMs`, so a device reporting ten times within that
 * interval costs one message per client (its latest summary, when the interval is over), while a
 * vehicle reporting less often is sent at once (no fixed tick to wait for). Each goes only to the
 * sockets that may see the device's vehicle.
 */
export function startLiveFeed(
  io: Server<ClientToServerEvents, ServerToClientEvents>,
  bus: LiveBus,
  vehicleFor: (imei: string) => VehicleRef | undefined,
  settings: StateSettings,
  minIntervalMs = 100,
): LiveFeed {
  /** Changed vehicles not sent yet. */
  const changed = new Map<string, VehicleState>()
  /** When each vehicle was last sent, for those sent within the last interval or so (pruned). */
  const sentAt = new Map<string, number>()
  let immediate: NodeJS.Immediate | undefined
  let timer: NodeJS.Timeout | undefined
  let timerAt = Number.POSITIVE_INFINITY

  const emit = (state: VehicleState, now: number) => {
    const vehicle = vehicleFor(state.imei)
    const summary = toDeviceSummary(state, vehicle, now, settings)
    // One emit per room: the rooms are disjoint (fleet sockets are in no vehicle room), and socket.io
    // publishes an emit to a single room through uWebSockets.js' pub/sub (encoded once, fanned out in
    // C++), where an emit to several rooms is written socket by socket.
    for (const room of deviceAudience(vehicle)) io.to(room).emit('vehicle', summary)
  }

  /** Sends every changed vehicle whose interval is over; the others wait for a timer at the earliest's turn. */
  const flush = () => {
    immediate = undefined
    const now = Date.now()
    let nextAt = Number.POSITIVE_INFINITY
    for (const [imei, state] of changed) {
      const dueAt = (sentAt.get(imei) ?? Number.NEGATIVE_INFINITY) + minIntervalMs
      if (dueAt > now) {
        if (dueAt < nextAt) nextAt = dueAt
        continue
      }
      changed.delete(imei)
      sentAt.set(imei, now)
      emit(state, now)
    }
    if (nextAt < timerAt) {
      if (timer) clearTimeout(timer)
      timerAt = nextAt
      timer = setTimeout(() => {
        timer = undefined
        timerAt = Number.POSITIVE_INFINITY
        flush()
      }, nextAt - now)
    }
  }
  /** After the current turn of the event loop: all states published by one commit go out in one pass. */
  const schedule = () => void (immediate ??= setImmediate(flush))

  const unsubscribe = bus.subscribe('vehicle', (state) => {
    changed.set(state.imei, state)
    schedule()
  })
  // Vehicles not sent for a while need no entry: their next change goes out at once anyway.
  const prune = setInterval(() => {
    const before = Date.now() - minIntervalMs
    for (const [imei, at] of sentAt) if (at < before) sentAt.delete(imei)
  }, Math.max(1000, minIntervalMs * 10))
  prune.unref()

  return {
    resend(state) {
      if (changed.has(state.imei)) return
      changed.set(state.imei, state)
      schedule()
    },
    stop() {
      if (immediate) clearImmediate(immediate)
      if (timer) clearTimeout(timer)
      clearInterval(prune)
      unsubscribe()
    },
  }
}
