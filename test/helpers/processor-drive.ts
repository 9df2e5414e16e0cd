/** Test support for the pure processor steps: records at seconds from a fixed start, driven through the pipeline. */
import type { DeviceRecord } from '../../core/record.ts'
import { makeRecord } from './records.ts'
import type { AlertChange } from '../../processor/alerts/changes.ts'
import { processRecord } from '../../processor/pipeline.ts'
import { DEFAULT_STATE_SETTINGS, emptyState, type StateSettings, type VehicleState } from '../../processor/state.ts'

export const START_MS = Date.parse('2026-03-01T10:00:00.000Z')

/** ISO time `seconds` after the start. */
export const at = (seconds: number): string => new Date(START_MS + seconds * 1000).toISOString()

/** A live record `seconds` after the start (received when fixed, unless overridden). */
export function recordAt(seconds: number, overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return makeRecord({ fixTime: at(seconds), ...overrides })
}

export function settingsWith(overrides: Partial<StateSettings> = {}): StateSettings {
  return { ...DEFAULT_STATE_SETTINGS, ...overrides }
}

export interface Drive {
  state: VehicleState
  changes: AlertChange[]
  /** The state after each record. */
  states: VehicleState[]
  buffered: boolean[]
}

/** Runs the records through the pipeline in order, as ingest does for one device. */
export function drive(records: DeviceRecord[], settings: StateSettings = DEFAULT_STATE_SETTINGS, start?: VehicleState): Drive {
  let state = start ?? emptyState(records[0]?.imei ?? '356307042441013', records[0]?.protocol ?? 'teltonika')
  const changes: AlertChange[] = []
  const states: VehicleState[] = []
  const buffered: boolean[] = []
  for (const record of records) {
    const processed = processRecord(state, record, settings)
    state = processed.state
    changes.push(...processed.changes)
    states.push(state)
    buffered.push(processed.buffered)
  }
  return { state, changes, states, buffered }
}

/** The raised alerts of a drive, as (type, time) pairs, for compact assertions. */
export function raisedOf(changes: AlertChange[]): { type: string; time: string }[] {
  return changes.filter((change) => change.kind === 'raise').map(({ type, time }) => ({ type, time }))
}
