/**
 * What a simulation run does, resolved down to each device: its identity, protocol and gateway address,
 * its route, and its timeline of actions (events it reports, coverage, power, ignition, misbehaviour).
 * Both the command-line options (one fleet) and scenario files (scenario.ts, several fleets) become a
 * plan; run.ts runs plans.
 */
import type { EncodableCodec } from '../gateway/protocols/teltonika/encode.ts'
import type { Protocol } from '../core/record.ts'
import { deviceImei } from './imei.ts'
import { DEFAULT_MAX_RECORDS_PER_PACKET, type ResolvedSettings } from './options.ts'
import type { SimTransport } from './protocols/types.ts'
import type { SimEventType } from './record.ts'
import { ROUTES, type Route } from './routes.ts'

/** Switches that are on for a while: each is turned on and, later, off again. */
export const SWITCH_ACTIONS = ['coverageLost', 'silent', 'powerCut', 'parked', 'looseIgnition', 'trickle'] as const
export type SwitchAction = (typeof SWITCH_ACTIONS)[number]

export type DeviceAction =
  /** The device reports `event` on its next record. */
  | { atSec: number; kind: 'event'; event: SimEventType }
  /**
   * coverageLost: no network (records are kept and uploaded later as history); silent: the device stops
   * reporting (no records, no connection); powerCut: the vehicle supply is 0 (the cut and the restore
   * are reported as events where the protocol has them); parked: engine off, standing still;
   * looseIgnition: driving while the device reads ignition off; trickle: messages written slowly.
   */
  | { atSec: number; kind: 'switch'; action: SwitchAction; on: boolean; bytesPerSec?: number }
  /** From now on the device's clock is `offsetMs` off (fix times shift by it). */
  | { atSec: number; kind: 'clockSkew'; offsetMs: number }
  /** The device ignores the next `count` ACKs (as if lost) and resends. */
  | { atSec: number; kind: 'ignoreAcks'; count: number }
  /** The device writes `bytes` random bytes before its next message. */
  | { atSec: number; kind: 'garbage'; bytes: number }

export interface FleetPlan {
  name: string
  protocol: Protocol
  transport: SimTransport
  host: string
  port: number
  /** Simulated seconds between two records of a device. */
  intervalSec: number
  /** Live records are sent once this many are queued. */
  recordsPerPacket: number
  /** Largest batch when a backlog is uploaded. */
  maxRecordsPerPacket: number
  codec?: EncodableCodec
}

export interface DevicePlan {
  imei: string
  /** Index into the plan's fleets. */
  fleet: number
  route: Route
  /** Simulated second of the device's first record. */
  offsetSec: number
  /** In time order; actions due together apply in the order listed. */
  actions: DeviceAction[]
}

export interface SimulationPlan {
  /** The scenario's name, if the plan came from one. */
  scenario?: string
  /** Simulated seconds during which records are generated. */
  durationSec: number
  /** Simulated seconds per real second. */
  rate: number
  seed?: number
  /** Fix time of simulated second 0; default: now. */
  startTime?: Date
  fleets: FleetPlan[]
  devices: DevicePlan[]
  ackTimeoutMs: number
  graceMs: number
  backoffMinMs: number
  backoffMaxMs: number
}

/** Device `index` of a fleet spreads over the bundled routes; devices are staggered over one interval. */
export function fleetDevices(
  fleet: number,
  count: number,
  imeiBase: string,
  intervalSec: number,
  routes: readonly Route[] = ROUTES,
): DevicePlan[] {
  return Array.from({ length: count }, (_, i) => ({
    imei: deviceImei(imeiBase, i),
    fleet,
    route: routes[i % routes.length]!,
    offsetSec: (i * intervalSec) / count,
    actions: [],
  }))
}

/** The plan for the command-line options: one fleet, events and a coverage loss for every device or one. */
export function planFromSettings(s: ResolvedSettings): SimulationPlan {
  const devices = fleetDevices(0, s.devices, s.imeiBase, s.intervalSec)
  s.events.forEach((event) => {
    for (const [i, device] of devices.entries()) {
      if (event.device === undefined || event.device === i) device.actions.push({ atSec: event.atSec, kind: 'event', event: event.type })
    }
  })
  if (s.coverageLoss) {
    const { startSec, durationSec } = s.coverageLoss
    for (const device of devices) {
      device.actions.push(
        { atSec: startSec, kind: 'switch', action: 'coverageLost', on: true },
        { atSec: startSec + durationSec, kind: 'switch', action: 'coverageLost', on: false },
      )
    }
  }
  for (const device of devices) device.actions.sort((a, b) => a.atSec - b.atSec)
  return {
    durationSec: s.durationSec,
    rate: s.rate,
    ...(s.seed === undefined ? {} : { seed: s.seed }),
    ...(s.startTime === undefined ? {} : { startTime: s.startTime }),
    fleets: [
      {
        name: s.protocol,
        protocol: s.protocol,
        transport: s.transport,
        host: s.host,
        port: s.port,
        intervalSec: s.intervalSec,
        recordsPerPacket: s.recordsPerPacket,
        maxRecordsPerPacket: s.maxRecordsPerPacket ?? Math.max(DEFAULT_MAX_RECORDS_PER_PACKET, s.recordsPerPacket),
        codec: s.codec as EncodableCodec,
      },
    ],
    devices,
    ackTimeoutMs: s.ackTimeoutMs,
    graceMs: s.graceMs,
    backoffMinMs: s.backoffMinMs,
    backoffMaxMs: s.backoffMaxMs,
  }
}
