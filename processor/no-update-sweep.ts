/**
 * noUpdate: one periodic sweep over the in-memory states, not a timer per vehicle. A vehicle whose last
 * data arrived more than NO_UPDATE_AFTER ago gets one alert, timed when it crossed the threshold
 * (lastSeen + NO_UPDATE_AFTER) at its last live position; the next record clears it (pipeline.ts). The
 * same pass promotes vehicles idle by time (ignition on, still for more than IDLE_AFTER, no record since)
 * so the map hears about both.
 *
 * The sweep is a plain loop over numbers already in each state: nothing is parsed or allocated for a
 * vehicle that does not change.
 */
import type { Logger } from '../logger.ts'
import type { AlertRaise } from './alerts/changes.ts'
import { copyState, withTracking, type StateSettings, type VehicleState } from './state.ts'
import { copyTracking } from './tracking.ts'

export interface SweepResult {
  /** The states that changed (noUpdate raised, or idle by time). */
  states: VehicleState[]
  raised: AlertRaise[]
}

/** Devices to leave alone this pass (their records are being committed with it). */
export interface SweepSkip {
  has(imei: string): boolean
}

export function sweepNoUpdate(states: Iterable<VehicleState>, now: number, settings: StateSettings, skip?: SweepSkip): SweepResult {
  const noUpdateAfter = settings.noUpdateAfterMs
  const idleAfter = settings.idleAfterMs
  let changed: VehicleState[] | undefined
  let raised: AlertRaise[] | undefined
  for (const state of states) {
    const tracking = state.tracking
    const seenMs = tracking.lastSeenMs
    if (seenMs === null) continue
    const silent = now - seenMs > noUpdateAfter
    const raise = silent && tracking.noUpdateAtMs === null
    const idle = !silent && tracking.idleSinceMs !== null && state.status !== 'idle' && now - tracking.idleSinceMs > idleAfter
    if (!raise && !idle) continue
    if (skip?.has(state.imei)) continue
    if (raise) {
      const atMs = seenMs + noUpdateAfter
      ;(raised ??= []).push({
        kind: 'raise',
        type: 'noUpdate',
        imei: state.imei,
        time: new Date(atMs).toISOString(),
        latitude: state.position?.latitude ?? null,
        longitude: state.position?.longitude ?? null,
        delayed: false,
        details: { lastSeen: state.lastSeen },
      })
      const next = copyTracking(tracking)
      next.noUpdateAtMs = atMs
      ;(changed ??= []).push(withTracking(state, next))
    } else {
      const next = copyState(state)
      next.status = 'idle'
      ;(changed ??= []).push(next)
    }
  }
  return { states: changed ?? [], raised: raised ?? [] }
}

/** Every min(60 s, NO_UPDATE_AFTER / 10): the alert is at most a tenth of the threshold late. */
export function sweepIntervalMs(settings: Pick<StateSettings, 'noUpdateAfterMs'>): number {
  return Math.max(10, Math.min(60_000, Math.floor(settings.noUpdateAfterMs / 10)))
}

/** What runs the sweep and stores its alerts in order with the records (GroupCommitIngest.sweep). */
export interface SweepTarget {
  sweep(now: number): Promise<void>
}

/** Starts the periodic sweep; `now` is injectable for tests. Returns stop(). */
export function startNoUpdateSweep(target: SweepTarget, options: { intervalMs: number; now?: () => number; log: Logger }): () => void {
  const now = options.now ?? Date.now
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    target.sweep(now()).then(
      () => (running = false),
      (err: unknown) => {
        running = false
        options.log.error({ err }, 'no-update sweep failed; the next one retries')
      },
    )
  }, options.intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
