import type { Server } from 'socket.io'
import type { LiveBus } from '../../processor/live.ts'
import type { StateSettings, VehicleState } from '../../processor/state.ts'
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/contract.ts'
import { toDeviceSummary, type VehicleRef } from './devices.ts'

export const FLEET_ROOM = 'fleet'

export interface LiveFeed {
  /** Sends the device's summary again on the next tick (its vehicle was renamed, assigned or removed). */
  resend(state: VehicleState): void
  stop(): void
}

/**
 * Forwards vehicle changes to browsers, coalesced per vehicle per tick: a device reporting ten
 * times within a tick costs one message per client.
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
    for (const state of changed.values()) io.to(FLEET_ROOM).emit('vehicle', toDeviceSummary(state, vehicleFor(state.imei), now, settings))
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
