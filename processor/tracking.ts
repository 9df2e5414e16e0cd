/**
 * The per-device bookkeeping the processor steps need beyond the live position: the ordered timeline,
 * idle and trip timing, counter baselines and the alert state machines. It is plain JSON, persisted in
 * `devices.tracking` with every committed batch and read back at start (`reviveTracking`).
 */
import type { AlertType } from '../core/alerts.ts'

export type HarshType = Extract<AlertType, 'harshBraking' | 'harshAcceleration' | 'harshCornering'>
export const HARSH_TYPES: readonly HarshType[] = ['harshBraking', 'harshAcceleration', 'harshCornering']

/** A valid fix, as the harsh-driving detector compares two of them. */
export interface FixPoint {
  fixMs: number
  speedKmh: number
  course: number | null
}

/** An open power cut (a powerDisconnect alert without cleared_at). */
export interface OpenCut {
  /** Fix time of the record that raised it: with the IMEI and type, the alert's key. */
  atMs: number
  source: 'deviceEvent' | 'voltageDrop'
  /** A reboot sign within the reset window before the cut, or during it. */
  rebootMs: number | null
  /** The supply was seen absent (near-zero voltage, or external power flagged disconnected) while cut: a present supply then restores it. */
  absentSeen: boolean
}

/**
 * One ordered stream of records. `live` follows every record that is not older than the newest one
 * processed (live or in-order history); `history` follows records older than that (a backlog uploaded
 * after newer live data), so neither confuses the other's state machines.
 */
export interface Lane {
  /** Newest fix time in this lane. */
  fixMs: number | null
  /** Interval between this lane's last two records: a much longer gap is a reboot sign. */
  intervalMs: number | null
  /** Fix time of the last reboot sign (deviceReset event, unusual gap). */
  rebootMs: number | null
  /** The previous valid fix with a speed, for harsh driving computed from fixes. */
  fix: FixPoint | null
  /** Last definite reading of the vehicle supply. */
  supply: 'present' | 'absent' | null
  cut: OpenCut | null
  /** Fix time of the last alert of each harsh type (repeats within the debounce are one manoeuvre). */
  harshMs: Record<HarshType, number | null>
}

export interface CounterTracking {
  /** counters_set_at of the values in force (ms), null if never set: records before it do not count. */
  setAtMs: number | null
  /** Last device odometer reading taken into account, and its fix time. */
  deviceOdometerKm: number | null
  deviceOdometerAtMs: number | null
  /** The device reports an odometer: only its increases count, never distance between fixes. */
  usesDeviceOdometer: boolean
  deviceHoursH: number | null
  deviceHoursAtMs: number | null
  usesDeviceHours: boolean
  /** The last fix distance was counted to (kept while parked, so jitter never adds up). */
  anchor: { latitude: number; longitude: number; fixMs: number } | null
}

export interface Tracking {
  /** `lastSeen` in ms, for the sweep (no date parsing per vehicle). */
  lastSeenMs: number | null
  /** Effective ignition (reported, else virtual, else the last known) at the newest in-order record. */
  ignition: boolean | null
  /** Since when (fix time) the live vehicle has had ignition on without moving: idle after IDLE_AFTER. */
  idleSinceMs: number | null
  /** Since when (fix time) the vehicle has not been moving, ignition aside: a trip ends after tripEndAfterMs. */
  stillSinceMs: number | null
  counters: CounterTracking
  live: Lane
  history: Lane
  /** The last closed cut: a retried or re-uploaded record inside it raises nothing. */
  lastCut: { fromMs: number; toMs: number } | null
  /** The device reports harsh driving itself: fixes are no longer used for it. */
  harshFromDevice: boolean
  /** Moving-with-ignition-off streak in the current trip. */
  wiring: { fixes: number; sinceMs: number | null; raised: boolean }
  /** Time of the open noUpdate alert (lastSeen + NO_UPDATE_AFTER), cleared by the next record. */
  noUpdateAtMs: number | null
}

// Copies, with every field listed by hand: in Node 20 an object spread of these costs about ten times as
// much as a literal, and the steps copy them several times per record. Steps copy, then set what changed
// on their own copy, so they stay pure.

export function copyTracking(t: Tracking): Tracking {
  return {
    lastSeenMs: t.lastSeenMs,
    ignition: t.ignition,
    idleSinceMs: t.idleSinceMs,
    stillSinceMs: t.stillSinceMs,
    counters: t.counters,
    live: t.live,
    history: t.history,
    lastCut: t.lastCut,
    harshFromDevice: t.harshFromDevice,
    wiring: t.wiring,
    noUpdateAtMs: t.noUpdateAtMs,
  }
}

export function copyLane(lane: Lane): Lane {
  return {
    fixMs: lane.fixMs,
    intervalMs: lane.intervalMs,
    rebootMs: lane.rebootMs,
    fix: lane.fix,
    supply: lane.supply,
    cut: lane.cut,
    harshMs: lane.harshMs,
  }
}

export function copyCounters(c: CounterTracking): CounterTracking {
  return {
    setAtMs: c.setAtMs,
    deviceOdometerKm: c.deviceOdometerKm,
    deviceOdometerAtMs: c.deviceOdometerAtMs,
    usesDeviceOdometer: c.usesDeviceOdometer,
    deviceHoursH: c.deviceHoursH,
    deviceHoursAtMs: c.deviceHoursAtMs,
    usesDeviceHours: c.usesDeviceHours,
    anchor: c.anchor,
  }
}

/** A copy of the tracking with one lane replaced. */
export function withLane(tracking: Tracking, name: 'live' | 'history', lane: Lane): Tracking {
  const next = copyTracking(tracking)
  if (name === 'live') next.live = lane
  else next.history = lane
  return next
}

export function emptyLane(): Lane {
  return copyLane({
    fixMs: null,
    intervalMs: null,
    rebootMs: null,
    fix: null,
    supply: null,
    cut: null,
    harshMs: { harshBraking: null, harshAcceleration: null, harshCornering: null },
  })
}

export function emptyCounters(): CounterTracking {
  return copyCounters({
    setAtMs: null,
    deviceOdometerKm: null,
    deviceOdometerAtMs: null,
    usesDeviceOdometer: false,
    deviceHoursH: null,
    deviceHoursAtMs: null,
    usesDeviceHours: false,
    anchor: null,
  })
}

export function emptyTracking(): Tracking {
  return copyTracking({
    lastSeenMs: null,
    ignition: null,
    idleSinceMs: null,
    stillSinceMs: null,
    counters: emptyCounters(),
    live: emptyLane(),
    history: emptyLane(),
    lastCut: null,
    harshFromDevice: false,
    wiring: { fixes: 0, sinceMs: null, raised: false },
    noUpdateAtMs: null,
  })
}

/**
 * The persisted form: only what differs from the empty tracking (nulls, unset flags, zero counts, empty
 * lanes left out), without what is derived at load (lastSeenMs).
 * The devices row is written with every batch, so its size is the cost: this halves it.
 */
export function compactTracking(t: Tracking): Record<string, unknown> {
  const out = sparse(t, EMPTY_TRACKING, ['lastSeenMs', 'counters', 'live', 'history', 'wiring'])
  const counters = sparse(t.counters, EMPTY_TRACKING.counters)
  if (Object.keys(counters).length > 0) out.counters = counters
  const live = compactLane(t.live)
  if (live !== undefined) out.live = live
  const history = compactLane(t.history)
  if (history !== undefined) out.history = history
  const wiring = sparse(t.wiring, EMPTY_TRACKING.wiring)
  if (Object.keys(wiring).length > 0) out.wiring = wiring
  return out
}

function compactLane(lane: Lane): Record<string, unknown> | undefined {
  const out = sparse(lane, EMPTY_TRACKING.live, ['harshMs'])
  const harshMs = sparse(lane.harshMs, EMPTY_TRACKING.live.harshMs)
  if (Object.keys(harshMs).length > 0) out.harshMs = harshMs
  return Object.keys(out).length === 0 ? undefined : out
}

/** The fields of `value` that are neither null nor their empty value (objects are kept as they are). */
function sparse<T extends object>(value: T, empty: T, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(empty)) {
    if (skip.includes(key)) continue
    const field = (value as Record<string, unknown>)[key]
    if (field === null || field === undefined || field === (empty as Record<string, unknown>)[key]) continue
    out[key] = field
  }
  return out
}

/**
 * Tracking read back from `devices.tracking`: missing parts (an older or empty document) take their
 * empty values, so a schema addition never breaks a restart.
 */
const EMPTY_TRACKING = emptyTracking()

export function reviveTracking(json: unknown, lastSeen: string | null): Tracking {
  const stored = isObject(json) ? (json as Partial<Tracking>) : {}
  const empty = emptyTracking()
  return copyTracking({
    ...empty,
    ...pick(stored, empty),
    lastSeenMs: lastSeen === null ? null : Date.parse(lastSeen),
    counters: copyCounters({ ...empty.counters, ...pick(stored.counters, empty.counters) }),
    live: reviveLane(stored.live),
    history: reviveLane(stored.history),
    wiring: { ...empty.wiring, ...pick(stored.wiring, empty.wiring) },
  })
}

function reviveLane(json: unknown): Lane {
  const empty = emptyLane()
  if (!isObject(json)) return empty
  const lane = json as Partial<Lane>
  return copyLane({ ...empty, ...pick(lane, empty), harshMs: { ...empty.harshMs, ...pick(lane.harshMs, empty.harshMs) } })
}

/** The keys of `stored` that `shape` knows, so stray keys of an old document are dropped. */
function pick<T extends object>(stored: unknown, shape: T): Partial<T> {
  if (!isObject(stored)) return {}
  const out: Partial<T> = {}
  for (const key of Object.keys(shape) as (keyof T)[]) {
    if (key in stored) out[key] = (stored as T)[key]
  }
  return out
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
