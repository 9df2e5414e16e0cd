/**
 * runSimulation: N simulated devices of one protocol (Teltonika by default, GT06, Queclink or OsmAnd)
 * driving bundled routes, uploading over real TCP, UDP or HTTP to a gateway, with the summary a test or
 * the CLI needs. Prints nothing.
 *
 * Time: `rate` simulated seconds pass per real second. Record fix times follow simulated time from
 * `startTime` (default: now), so with rate > 1 they run ahead of the wall clock. Timeouts, backoff and
 * latencies are real milliseconds.
 */
import type { EncodableCodec } from '../gateway/protocols/teltonika/encode.ts'
import type { Protocol } from '../gateway/record.ts'
import { SimClock } from './clock.ts'
import { type AckedRecord, DEVICE_ERROR_KINDS, type DeviceErrorKind, type DeviceStats, SimulatedDevice } from './device.ts'
import { deviceImei } from './imei.ts'
import { Notifier, sleep } from './notifier.ts'
import { DEFAULT_MAX_RECORDS_PER_PACKET, simulationSettingsSchema } from './options.ts'
import { SIM_PROTOCOLS } from './protocols/index.ts'
import type { SimTransport } from './protocols/types.ts'
import { createRandom, intBetween } from './random.ts'
import type { SimEventType } from './record.ts'
import { ROUTES } from './routes.ts'
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

export interface DeviceSummary extends Omit<DeviceStats, 'ackLatenciesMs'> {
  imei: string
  route: string
  neverAcked: number
}

export interface SimulationSummary {
  protocol: Protocol
  transport: SimTransport
  devices: number
  seed: number
  rate: number
  durationSec: number
  intervalSec: number
  /** Fix time of simulated second 0, ISO 8601. */
  startTime: string
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
  errors: number
  errorsByKind: Record<DeviceErrorKind, number>
  /** Real ms from writing a packet to reading its ACK, over ACKed packets. */
  ackLatencyMs: Percentiles
  perDevice: DeviceSummary[]
}

interface Slot {
  device: SimulatedDevice
  vehicle: SimulatedVehicle
  /** Simulated second of this device's first record, in [0, interval): devices are staggered. */
  offsetSec: number
  records: number
  /** This device's scheduled events not reported yet, by time. */
  events: Array<{ atSec: number; type: SimEventType }>
}

export async function runSimulation(options: SimulationOptions = {}): Promise<SimulationSummary> {
  const { signal, onProgress, progressIntervalMs = 1000, ...settings } = options
  const s = simulationSettingsSchema.parse(settings)
  const seed = s.seed ?? Math.floor(Math.random() * 0x1_0000_0000)
  const startedReal = performance.now()
  const clock = new SimClock(s.rate, (s.startTime ?? new Date()).getTime(), startedReal)
  const protocol = SIM_PROTOCOLS[s.protocol].create({ transport: s.transport, codec: s.codec })

  const slots: Slot[] = Array.from({ length: s.devices }, (_, i) => {
    const random = createRandom((seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0)
    const route = ROUTES[i % ROUTES.length]!
    const start = { segment: intBetween(random, 0, route.waypoints.length - 1), fraction: random() }
    const offsetSec = (i * s.intervalSec) / s.devices
    return {
      device: new SimulatedDevice({
        imei: deviceImei(s.imeiBase, i),
        host: s.host,
        port: s.port,
        protocol,
        recordsPerPacket: s.recordsPerPacket,
        maxRecordsPerPacket: s.maxRecordsPerPacket ?? Math.max(DEFAULT_MAX_RECORDS_PER_PACKET, s.recordsPerPacket),
        ackTimeoutMs: s.ackTimeoutMs,
        backoffMinMs: s.backoffMinMs,
        backoffMaxMs: s.backoffMaxMs,
      }),
      vehicle: new SimulatedVehicle(route, random, start),
      offsetSec,
      records: Math.max(0, Math.ceil((s.durationSec - offsetSec) / s.intervalSec - 1e-9)),
      events: s.events
        .filter((event) => event.device === undefined || event.device === i)
        .map(({ atSec, type }) => ({ atSec, type }))
        .sort((a, b) => a.atSec - b.atSec),
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
    await generate(slots, s, clock, wake, () => aborted)
    // Drain: every device is done once all its records are ACKed; give up after the grace period.
    await Promise.race([runs, sleep(s.graceMs, wake, () => aborted || finished)])
  } finally {
    finished = true
    signal?.removeEventListener('abort', onAbort)
    clearInterval(progressTimer)
    for (const slot of slots) slot.device.stop()
    wake.notify()
  }
  await runs
  return summarizeRun(slots, s, seed, clock, performance.now() - startedReal, aborted)
}

/**
 * Feeds each device its records on schedule, whatever its connection is doing, and switches coverage.
 * Devices are staggered evenly over one interval, so the records are due in a fixed round-robin order.
 */
async function generate(
  slots: Slot[],
  s: { durationSec: number; intervalSec: number; coverageLoss?: { startSec: number; durationSec: number } | undefined },
  clock: SimClock,
  wake: Notifier,
  aborted: () => boolean,
): Promise<void> {
  const n = slots.length
  const total = slots.reduce((sum, slot) => sum + slot.records, 0)
  const coverage = s.coverageLoss
    ? [
        { atSec: s.coverageLoss.startSec, inCoverage: false },
        { atSec: s.coverageLoss.startSec + s.coverageLoss.durationSec, inCoverage: true },
      ]
    : []
  let produced = 0
  let g = 0 // round-robin cursor: device g % n, its record floor(g / n)
  const dueSec = (at: number) => slots[at % n]!.offsetSec + Math.floor(at / n) * s.intervalSec

  for (const slot of slots) if (slot.records === 0) slot.device.finishGeneration()
  while (!aborted()) {
    const now = clock.simSec()
    while (coverage.length > 0 && coverage[0]!.atSec <= now) {
      const change = coverage.shift()!
      for (const slot of slots) slot.device.setCoverage(change.inCoverage)
    }
    while (produced < total && dueSec(g) <= now) {
      const slot = slots[g % n]!
      const k = Math.floor(g / n)
      if (k < slot.records) {
        const atSec = dueSec(g)
        const event = slot.events[0] !== undefined && slot.events[0].atSec <= atSec ? slot.events.shift()!.type : undefined
        slot.device.record(slot.vehicle.recordAt(atSec, clock.epochMs(atSec), event))
        produced++
        if (k === slot.records - 1) slot.device.finishGeneration()
      }
      g++
    }
    if (produced >= total && coverage.length === 0) return
    const nextSec = Math.min(produced < total ? dueSec(g) : Infinity, coverage[0]?.atSec ?? Infinity)
    await sleep(clock.realMsUntil(nextSec), wake, aborted)
  }
}

function summarizeRun(
  slots: Slot[],
  s: { protocol: Protocol; transport: SimTransport; devices: number; rate: number; durationSec: number; intervalSec: number },
  seed: number,
  clock: SimClock,
  realDurationMs: number,
  aborted: boolean,
): SimulationSummary {
  const zeroKinds = () => Object.fromEntries(DEVICE_ERROR_KINDS.map((k) => [k, 0])) as Record<DeviceErrorKind, number>
  const summary: SimulationSummary = {
    protocol: s.protocol,
    transport: s.transport,
    devices: s.devices,
    seed,
    rate: s.rate,
    durationSec: s.durationSec,
    intervalSec: s.intervalSec,
    startTime: new Date(clock.startMs).toISOString(),
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
    errors: 0,
    errorsByKind: zeroKinds(),
    ackLatencyMs: summarize([]),
    perDevice: [],
  }
  const latencies: number[] = []
  for (const { device, vehicle } of slots) {
    const st = device.stats
    const perDevice: DeviceSummary = {
      imei: device.imei,
      route: vehicle.routeName,
      generated: st.generated,
      sent: st.sent,
      acked: st.acked,
      resent: st.resent,
      neverAcked: st.generated - st.acked,
      packetsSent: st.packetsSent,
      packetsAcked: st.packetsAcked,
      connections: st.connections,
      errors: st.errors,
      errorsByKind: { ...st.errorsByKind },
      ...(st.lastError === undefined ? {} : { lastError: st.lastError }),
      ackedRecords: st.ackedRecords,
    }
    summary.perDevice.push(perDevice)
    summary.recordsGenerated += st.generated
    summary.recordsSent += st.sent
    summary.recordsAcked += st.acked
    summary.recordsResent += st.resent
    summary.recordsNeverAcked += perDevice.neverAcked
    summary.packetsSent += st.packetsSent
    summary.packetsAcked += st.packetsAcked
    summary.connections += st.connections
    summary.errors += st.errors
    for (const kind of DEVICE_ERROR_KINDS) summary.errorsByKind[kind] += st.errorsByKind[kind]
    for (const ms of st.ackLatenciesMs) latencies.push(ms)
  }
  summary.ackLatencyMs = summarize(latencies)
  return summary
}
