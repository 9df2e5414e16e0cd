import type { AlertType } from '../../core/alerts.ts'
import type { Observation } from '../observation.ts'
import type { VehicleState } from '../state.ts'

/** A detector's verdict: store a new alert (once per imei, type and time). */
export interface AlertRaise {
  kind: 'raise'
  type: AlertType
  imei: string
  /** ISO 8601: the record's fix time (noUpdate: when the threshold was crossed). */
  time: string
  latitude: number | null
  longitude: number | null
  delayed: boolean
  details: Record<string, unknown>
}

/** A detector's verdict: an open alert ended (cleared_at), optionally with facts learnt at its end. */
export interface AlertClear {
  kind: 'clear'
  type: AlertType
  imei: string
  /** The open alert's time (its key with imei and type). */
  time: string
  clearedAt: string
  details?: Record<string, unknown>
}

export type AlertChange = AlertRaise | AlertClear

/** Shared empty result, so a record that changes nothing allocates nothing. */
export const NO_CHANGES: readonly AlertChange[] = Object.freeze([])

/**
 * An alert raised by a record: at the record's fix time and position, `delayed` when the record is history.
 * A record without coordinates places it at the last live position, and says so (`details.position`).
 */
export function raiseFrom(state: VehicleState, obs: Observation, type: AlertType, details: Record<string, unknown>): AlertRaise {
  const { record } = obs
  const own = record.latitude !== undefined && record.longitude !== undefined
  const latitude = own ? record.latitude! : (state.position?.latitude ?? null)
  const longitude = own ? record.longitude! : (state.position?.longitude ?? null)
  return {
    kind: 'raise',
    type,
    imei: record.imei,
    time: record.fixTime,
    latitude,
    longitude,
    delayed: obs.buffered,
    details: own || latitude === null ? details : { ...details, position: 'lastKnown' },
  }
}

export function clearOf(imei: string, type: AlertType, timeMs: number, clearedAt: string, details?: Record<string, unknown>): AlertClear {
  return details === undefined
    ? { kind: 'clear', type, imei, time: new Date(timeMs).toISOString(), clearedAt }
    : { kind: 'clear', type, imei, time: new Date(timeMs).toISOString(), clearedAt, details }
}
