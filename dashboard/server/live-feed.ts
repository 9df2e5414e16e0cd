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
  /** Sends the device's summary again on the next tick (its vehicle was renamed, assigned or removed). */
  resend(state: VehicleState): void
  stop(): void
}

/**
 * Forwards vehicle changes to browsers, coalesced per vehicle per tick: a device reporting ten
 * times within a tick costs one message per client. Each goes only to the sockets that may see the
 * device's vehicle (socket.io sends once to a socket in both rooms).
 */
export function startLiveFeed(
  io: Server<ClientToServerEvents, ServerToClientEvents>,
  bus: LiveBus,
  vehicleFor: (imei: string) => VehicleRef | undefined,
  settings: StateSettings,
  tickMs = 100,
): LiveFeed {
  const changed = new Map<string, VehicleState>()
  const unsubscribe = bus.subscribe('vehicle', (state) => void changed.set(state.imei, state))
  const timer = setInterval(() => {
    if (changed.size === 0) return
    const now = Date.now()
    for (const state of changed.values()) {
      const vehicle = vehicleFor(state.imei)
      io.to(deviceAudience(vehicle)).emit('vehicle', toDeviceSummary(state, vehicle, now, settings))
    }
    changed.clear()
  }, tickMs)
  return {
    resend: (state) => void (changed.has(state.imei) || changed.set(state.imei, state)),
    stop() {
      clearInterval(timer)
      unsubscribe()
    },
  }
}
