/**
 * runSimulation: N simulated devices of one protocol (Teltonika by default, GT06, Queclink or OsmAnd)
 * driving bundled routes, uploading over real TCP, UDP or HTTP to a gateway, with the summary a test or
 * the CLI needs. runPlan runs any plan (plan.ts), e.g. a scenario's fleets of several protocols with
 * their timelines. Prints nothing.
 *
 * Time: `rate` simulated seconds pass per real second. Record fix times follow simulated time from
 * `startTime` (default: now), so with rate > 1 they run ahead of the wall clock. Timeouts, backoff and
 * latencies are real milliseconds.
 */
import type { EncodableCodec } from '../gateway/protocols/teltonika/encode.ts'
import type { Protocol } from '../core/record.ts'
import { SimClock } from './clock.ts'
import { DEVICE_ERROR_KINDS, type DeviceErrorKind, type DeviceStats, SimulatedDevice } from './device.ts'
import { MinHeap } from './heap.ts'
import { Notifier, sleep } from './notifier.ts'
import { simulationSettingsSchema } from './options.ts'
import { type DeviceAction, type DevicePlan, type FleetPlan, type SimulationPlan, planFromSettings } from './plan.ts'
import { SIM_PROTOCOLS } from './protocols/index.ts'
import type { SimProtocolFamily, SimTransport } from './protocols/types.ts'
import { type Random, createRandom, intBetween, randomBytes } from './random.ts'
import { type SimEventType, truncateTime } from './record.ts'
import { type Percentiles, summarize } from './stats.ts'
import { SimulatedVehicle } from './vehicle.ts'

export type { AckedRecord, DeviceErrorKind } from './device.ts'
export { deviceImei } from './imei.ts'
export type { SimEventType } from './record.ts'

export interface SimulationEvent {
  /**
   * Simulated second; the event rides on the device's first record due then or later. A record reports
   * one event at most: events due together go on consecutive records.
   */
  atSec: number
  type: SimEventType
  /** Index of the device that reports it; every device when omitted. */
  device?: number
}

export interface SimulationOptions {
  /** Default 'teltonika'. */
  protocol?: Protocol
  /** Teltonika and Queclink: 'tcp' (default) or 'udp'; OsmAnd: 'http'. */
  transport?: SimTransport
  host?: string
  /** Default: the protocol's (Teltonika 5027, GT06 5023, Queclink 5004, OsmAnd 5055). */
  port?: number
  devices?: number
  /** Simulated seconds during which records are generated. Default 60. */
  durationSec?: number
  /** Simulated seconds between two records of one device. Default 1. */
  intervalSec?: number
  /**
   * Live records are sent once this many are queued, as one batch. Default 1. A batch is one Teltonika
   * packet, GTFRI sentences of up to 15 positions, one GT06 packet per record, one OsmAnd JSON upload.
   */
  recordsPerPacket?: number
  /** Largest batch when a backlog is uploaded. Default max(50, recordsPerPacket). */
  maxRecordsPerPacket?: number
  /** Every device loses coverage at simulated second `startSec` for `durationSec`. */
  coverageLoss?: { startSec: number; durationSec: number }
  /** Device i: the first 14 digits of this plus i, then a Luhn check digit (see `deviceImei`). */
  imeiBase?: string
  /** Simulated seconds per real second. Default 1. */
  rate?: number
  /** Makes routes, starting points and telemetry reproducible. Default: random (reported in the summary). */
  seed?: number
  /** Fix time of simulated second 0. Default: now. */
  startTime?: Date
  /** Events the devices report (power cut and restore, harsh driving, SOS), each the protocol's own way. */
  events?: SimulationEvent[]
  /** Teltonika codec id for AVL packets: 0x08 (default), 0x8e or 0x10. */
  codec?: EncodableCodec
  /** Real ms to wait for a connection, the handshake reply or an ACK before reconnecting. Default 5000. */
  ackTimeoutMs?: number
  /** Real ms allowed after generation (and coverage loss) ends for queues to drain. Default 20000. */
  graceMs?: number
  /** Reconnect backoff, real ms: doubles from min to max. Defaults 200 and 5000. */
  backoffMinMs?: number
  backoffMaxMs?: number
  /** Stops the run early; the summary is still returned (with `aborted: true`). */
  signal?: AbortSignal
  /** Called every `progressIntervalMs` real ms while running. */
  onProgress?: (progress: SimulationProgress) => void
  progressIntervalMs?: number
}

export type RunControl = Pick<SimulationOptions, 'signal' | 'onProgress' | 'progressIntervalMs'>

export interface SimulationProgress {
  simSec: number
  devicesConnected: number
  recordsGenerated: number
  recordsSent: number
  recordsAcked: number
  recordsPending: number
  recordsResent: number
  errors: number
}

/** A stretch of fix times (epoch ms, as the device's clock said) during which something was scripted. */
export interface FixWindow {
  fromMs: number
  toMs: number
}

export interface DeviceSummary extends Omit<DeviceStats, 'ackLatenciesMs'> {
  imei: string
  fleet: string
  protocol: Protocol
  route: string
  neverAcked: number
  /** Fix-time stretches in which the ignition wire was loose. */
  looseIgnition: FixWindow[]
  /** Real ms of each stretch in which the device stopped reporting (the last one up to the end of the run). */
  silencesMs: number[]
}

export interface FleetSummary {
  name: string
  protocol: Protocol
  transport: SimTransport
  host: string
  port: number
  devices: number
  intervalSec: number
  recordsGenerated: number
  recordsAcked: number
  recordsNeverAcked: number
}

export interface SimulationSummary {
  scenario?: string
  fleets: FleetSummary[]
  devices: number
  seed: number
  rate: number
  durationSec: number
  /** Fix time of simulated second 0, ISO 8601. */
  startTime: string
  /** When the run started and ended on the wall clock, ISO 8601. */
  startedAt: string
  endedAt: string
  realDurationMs: number
  aborted: boolean
  recordsGenerated: number
  /** Record transmissions, resends included. */
  recordsSent: number
  recordsAcked: number
  recordsResent: number
  recordsNeverAcked: number
  /** Messages carrying records (Teltonika packets, GT06 packets, Queclink sentences, HTTP requests); identification not counted. */
  packetsSent: number
  packetsAcked: number
  connections: number
  /** ACKs devices ignored on purpose (duplicate resends). */
  acksIgnored: number
  garbageBytes: number
  errors: number
  errorsByKind: Record<DeviceErrorKind, number>
  /** Real ms from writing a packet to reading its ACK, over ACKed packets. */
  ackLatencyMs: Percentiles
  perDevice: DeviceSummary[]
}

interface Slot {
  plan: DevicePlan
  fleet: FleetPlan
  family: SimProtocolFamily
  device: SimulatedDevice
  vehicle: SimulatedVehicle
  /** For garbage bytes, apart from the vehicle's draws so a scenario does not change the driving. */
  random: Random
  /** Records generated or skipped so far, and how many there are in all. */
  recordIndex: number
  records: number
  nextAction: number
  /** Events waiting for a record to report them (one per record). */
  pendingEvents: SimEventType[]
  skewMs: number
  coverageLost: boolean
  silentSinceMs: number | null
  silencesMs: number[]
  looseSinceMs: number | null
  looseIgnition: FixWindow[]
}

export async function runSimulation(options: SimulationOptions = {}): Promise<SimulationSummary> {
  const { signal, onProgress, progressIntervalMs, ...settings } = options
  return runPlan(planFromSettings(simulationSettingsSchema.parse(settings)), { signal, onProgress, progressIntervalMs })
}

/** More simulated TCP devices than this against a loopback gateway connect from several loopback addresses. */
const SOURCE_PORTS_PER_ADDRESS = 20_000
const LOOPBACK_SOURCES = 8

export async function runPlan(plan: SimulationPlan, control: RunControl = {}): Promise<SimulationSummary> {
  const { signal, onProgress, progressIntervalMs = 1000 } = control
  const seed = plan.seed ?? Math.floor(Math.random() * 0x1_0000_0000)
  const startedAt = new Date()
  const startedReal = performance.now()
  const clock = new SimClock(plan.rate, (plan.startTime ?? startedAt).getTime(), startedReal)
  const protocols = plan.fleets.map((fleet) => SIM_PROTOCOLS[fleet.protocol].create({ transport: fleet.transport, codec: fleet.codec }))
  const manySources = plan.devices.length > SOURCE_PORTS_PER_ADDRESS

  const slots: Slot[] = plan.devices.map((devicePlan, i) => {
    const fleet = plan.fleets[devicePlan.fleet]!
    const random = createRandom((seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0)
    const { route } = devicePlan
    const start = { segment: intBetween(random, 0, route.waypoints.length - 1), fraction: random() }
    const localAddress = manySources && fleet.transport === 'tcp' && /^127\./.test(fleet.host) ? `127.0.0.${1 + (i % LOOPBACK_SOURCES)}` : undefined
    return {
      plan: devicePlan,
      fleet,
      family: SIM_PROTOCOLS[fleet.protocol],
      device: new SimulatedDevice({
        imei: devicePlan.imei,
        host: fleet.host,
        port: fleet.port,
        protocol: protocols[devicePlan.fleet]!,
        recordsPerPacket: fleet.recordsPerPacket,
        maxRecordsPerPacket: fleet.maxRecordsPerPacket,
        ackTimeoutMs: plan.ackTimeoutMs,
        backoffMinMs: plan.backoffMinMs,
        backoffMaxMs: plan.backoffMaxMs,
        ...(localAddress === undefined ? {} : { localAddress }),
      }),
      vehicle: new SimulatedVehicle(route, random, start),
      random: createRandom((seed ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0),
      recordIndex: 0,
      records: Math.max(0, Math.ceil((plan.durationSec - devicePlan.offsetSec) / fleet.intervalSec - 1e-9)),
      nextAction: 0,
      pendingEvents: [],
      skewMs: 0,
      coverageLost: false,
      silentSinceMs: null,
      silencesMs: [],
      looseSinceMs: null,
      looseIgnition: [],
    }
  })

  const wake = new Notifier()
  let aborted = signal?.aborted ?? false
  const onAbort = () => {
    aborted = true
    for (const slot of slots) slot.device.stop()
    wake.notify()
  }
  signal?.addEventListener('abort', onAbort, { once: true })

  const progress = (): SimulationProgress => {
    const p: SimulationProgress = {
      simSec: Math.round(clock.simSec() * 10) / 10,
      devicesConnected: 0,
      recordsGenerated: 0,
      recordsSent: 0,
      recordsAcked: 0,
      recordsPending: 0,
      recordsResent: 0,
      errors: 0,
    }
    for (const { device } of slots) {
      if (device.connected) p.devicesConnected++
      p.recordsGenerated += device.stats.generated
      p.recordsSent += device.stats.sent
      p.recordsAcked += device.stats.acked
      p.recordsPending += device.pending
      p.recordsResent += device.stats.resent
      p.errors += device.stats.errors
    }
    return p
  }
  const progressTimer = onProgress ? setInterval(() => onProgress(progress()), progressIntervalMs) : undefined

  const runs = Promise.all(aborted ? [] : slots.map((slot) => slot.device.run()))
  runs.catch(onAbort) // a device failed on a bug: stop the others; the error is rethrown below
  let finished = false
  try {
    await generate(slots, clock, wake, () => aborted)
    // Drain: every device is done once all its records are ACKed; give up after the grace period.
    await Promise.race([runs, sleep(plan.graceMs, wake, () => aborted || finished)])
  } finally {
    finished = true
    signal?.removeEventListener('abort', onAbort)
    clearInterval(progressTimer)
    for (const slot of slots) slot.device.stop()
    wake.notify()
  }
  await runs
  const now = Date.now()
  for (const slot of slots) {
    if (slot.silentSinceMs !== null) slot.silencesMs.push(now - slot.silentSinceMs)
    if (slot.looseSinceMs !== null) slot.looseIgnition.push({ fromMs: slot.looseSinceMs, toMs: clock.epochMs(plan.durationSec) + slot.skewMs })
  }
  return summarizeRun(slots, plan, seed, clock, startedAt, performance.now() - startedReal, aborted)
}

/**
 * Feeds each device its records on schedule, whatever its connection is doing, and applies its timeline.
 * A heap orders the devices by when each next acts; an action due with a record goes first.
 */
async function generate(slots: Slot[], clock: SimClock, wake: Notifier, aborted: () => boolean): Promise<void> {
  const schedule = new MinHeap<Slot>()
  const nextSec = (slot: Slot) =>
    Math.min(
      slot.recordIndex < slot.records ? recordSec(slot, slot.recordIndex) : Infinity,
      slot.plan.actions[slot.nextAction]?.atSec ?? Infinity,
    )
  for (const slot of slots) {
    if (slot.records === 0) slot.device.finishGeneration()
    const at = nextSec(slot)
    if (at < Infinity) schedule.push(at, slot)
  }
  while (!aborted()) {
    const now = clock.simSec()
    while (schedule.peekKey() <= now) {
      const slot = schedule.pop()!
      step(slot, clock)
      const at = nextSec(slot)
      if (at < Infinity) schedule.push(at, slot)
    }
    if (schedule.size === 0) return
    await sleep(clock.realMsUntil(schedule.peekKey()), wake, aborted)
  }
}

const recordSec = (slot: Slot, index: number) => slot.plan.offsetSec + index * slot.fleet.intervalSec

/** The slot's next due thing: an action due no later than its next record, else the record. */
function step(slot: Slot, clock: SimClock): void {
  const action = slot.plan.actions[slot.nextAction]
  const atSec = slot.recordIndex < slot.records ? recordSec(slot, slot.recordIndex) : Infinity
  if (action !== undefined && action.atSec <= atSec) {
    slot.nextAction++
    apply(slot, action, clock)
    return
  }
  slot.recordIndex++
  if (slot.silentSinceMs === null) {
    const event = slot.pendingEvents.shift()
    slot.device.record(slot.vehicle.recordAt(atSec, clock.epochMs(atSec) + slot.skewMs, event))
  }
  if (slot.recordIndex === slot.records) slot.device.finishGeneration()
}

function apply(slot: Slot, action: DeviceAction, clock: SimClock): void {
  const { device, vehicle } = slot
  // As the device's clock puts it on the wire (whole seconds for GT06 and Queclink).
  const fixMs = truncateTime(clock.epochMs(action.atSec) + slot.skewMs, slot.family.fixTimeResolutionMs)
  switch (action.kind) {
    case 'event':
      slot.pendingEvents.push(action.event)
      return
    case 'clockSkew':
      slot.skewMs = action.offsetMs
      return
    case 'ignoreAcks':
      device.ignoreAcks(action.count)
      return
    case 'garbage':
      device.sendGarbage(randomBytes(slot.random, action.bytes))
      return
  }
  const { on } = action
  switch (action.action) {
    case 'coverageLost':
      slot.coverageLost = on
      break
    case 'silent':
      if (on && slot.silentSinceMs === null) slot.silentSinceMs = Date.now()
      if (!on && slot.silentSinceMs !== null) {
        slot.silencesMs.push(Date.now() - slot.silentSinceMs)
        slot.silentSinceMs = null
      }
      break
    case 'powerCut': {
      vehicle.setPowered(!on)
      const event = on ? 'powerCut' : 'powerRestored'
      if (slot.family.events.includes(event)) slot.pendingEvents.push(event)
      break
    }
    case 'parked':
      vehicle.setParked(on)
      break
    case 'looseIgnition':
      vehicle.setLooseIgnition(on)
      if (on) slot.looseSinceMs ??= fixMs
      else if (slot.looseSinceMs !== null) {
        slot.looseIgnition.push({ fromMs: slot.looseSinceMs, toMs: fixMs })
        slot.looseSinceMs = null
      }
      break
    case 'trickle':
      device.setTrickle(on ? (action.bytesPerSec ?? null) : null)
      break
  }
  device.setCoverage(!slot.coverageLost && slot.silentSinceMs === null)
}

function summarizeRun(
  slots: Slot[],
  plan: SimulationPlan,
  seed: number,
  clock: SimClock,
  startedAt: Date,
  realDurationMs: number,
  aborted: boolean,
): SimulationSummary {
  const zeroKinds = () => Object.fromEntries(DEVICE_ERROR_KINDS.map((k) => [k, 0])) as Record<DeviceErrorKind, number>
  const fleets: FleetSummary[] = plan.fleets.map((f) => ({
    name: f.name,
    protocol: f.protocol,
    transport: f.transport,
    host: f.host,
    port: f.port,
    devices: 0,
    intervalSec: f.intervalSec,
    recordsGenerated: 0,
    recordsAcked: 0,
    recordsNeverAcked: 0,
  }))
  const summary: SimulationSummary = {
    ...(plan.scenario === undefined ? {} : { scenario: plan.scenario }),
    fleets,
    devices: slots.length,
    seed,
    rate: plan.rate,
    durationSec: plan.durationSec,
    startTime: new Date(clock.startMs).toISOString(),
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startedAt.getTime() + realDurationMs).toISOString(),
    realDurationMs: Math.round(realDurationMs),
    aborted,
    recordsGenerated: 0,
    recordsSent: 0,
    recordsAcked: 0,
    recordsResent: 0,
    recordsNeverAcked: 0,
    packetsSent: 0,
    packetsAcked: 0,
    connections: 0,
    acksIgnored: 0,
    garbageBytes: 0,
    errors: 0,
    errorsByKind: zeroKinds(),
    ackLatencyMs: summarize([]),
    perDevice: [],
  }
  const latencies: number[] = []
  for (const slot of slots) {
    const { device, vehicle, fleet } = slot
    const { ackLatenciesMs, ...st } = device.stats
    const perDevice: DeviceSummary = {
      imei: device.imei,
      fleet: fleet.name,
      protocol: fleet.protocol,
      route: vehicle.routeName,
      ...st,
      errorsByKind: { ...st.errorsByKind },
      neverAcked: st.generated - st.acked,
      looseIgnition: slot.looseIgnition,
      silencesMs: slot.silencesMs,
    }
    summary.perDevice.push(perDevice)
    const fleetSummary = fleets[slot.plan.fleet]!
    fleetSummary.devices++
    fleetSummary.recordsGenerated += st.generated
    fleetSummary.recordsAcked += st.acked
    fleetSummary.recordsNeverAcked += perDevice.neverAcked
    summary.recordsGenerated += st.generated
    summary.recordsSent += st.sent
    summary.recordsAcked += st.acked
    summary.recordsResent += st.resent
    summary.recordsNeverAcked += perDevice.neverAcked
    summary.packetsSent += st.packetsSent
    summary.packetsAcked += st.packetsAcked
    summary.connections += st.connections
    summary.acksIgnored += st.acksIgnored
    summary.garbageBytes += st.garbageBytes
    summary.errors += st.errors
    for (const kind of DEVICE_ERROR_KINDS) summary.errorsByKind[kind] += st.errorsByKind[kind]
    for (const ms of ackLatenciesMs) latencies.push(ms)
  }
  summary.ackLatencyMs = summarize(latencies)
  return summary
}
