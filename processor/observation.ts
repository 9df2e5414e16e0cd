import type { DeviceRecord } from '../core/record.ts'

/** Which ordered stream a record belongs to (tracking.ts, Lane); null: a fix from a wrong clock, far in the future. */
export type LaneName = 'live' | 'history'

/** One record as the steps see it: the record, what the pipeline derived from it once, and its times in ms. */
export interface Observation {
  record: DeviceRecord
  /** History (record.buffered as ingest will store it): alerts raised from it are `delayed`. */
  buffered: boolean
  fixMs: number
  receivedMs: number
  lane: LaneName | null
  /** Effective ignition: reported, else virtual, else the last known. */
  ignition: boolean | undefined
  /** By speed, else the motion flag; undefined when the record says neither. */
  moving: boolean | undefined
  /** A valid fix with coordinates. */
  fixed: boolean
}
