/**
 * Scenario files (simulator/scenarios/*.json): fleets of simulated devices, the routes they drive and
 * a timeline of what happens to them — coverage loss, power cuts, harsh driving, ignition, a loose
 * ignition wire, a device that stops reporting, a skewed clock, lost ACKs, garbage bytes, a slow
 * trickle. Validated with zod (an error names the bad field), then planned down to each device's
 * timeline (plan.ts) for run.ts.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { PROTOCOLS } from '../core/record.ts'
import type { GatewayPorts } from './api-client.ts'
import { DEFAULT_IMEI_BASE, deviceImei } from './imei.ts'
import { CODECS, DEFAULT_MAX_RECORDS_PER_PACKET } from './options.ts'
import { type DeviceAction, type DevicePlan, type FleetPlan, type SimulationPlan, fleetDevices } from './plan.ts'
import { SIM_PROTOCOLS } from './protocols/index.ts'
import { ROUTES, type Route } from './routes.ts'

export const SCENARIO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios')

const num = () => z.number({ error: 'must be a number' }).finite()
const int = () => z.number({ error: 'must be a whole number' }).int('must be a whole number')
const seconds = () => num().min(0, 'must not be negative')

/** A moment of the run: simulated seconds, or a share of the duration ("40%") so a scenario scales with --duration. */
const moment = z.union([seconds(), z.string().regex(/^\d+(\.\d+)?%$/, 'must be seconds or a share of the duration like "40%"')], {
  error: 'must be seconds or a share of the duration like "40%"',
})

/** Which devices of the fleet: all, some indexes, the first n, or every n-th (from index `offset`, default 0). */
const deviceSelector = z.union(
  [
    z.literal('all'),
    z.array(int().min(0)).min(1),
    z.strictObject({ first: int().min(1) }),
    z.strictObject({ every: int().min(1), offset: int().min(0).default(0) }),
  ],
  { error: 'must be "all", a list of device indexes, { "first": n } or { "every": n, "offset": k }' },
)

const target = {
  at: moment,
  /** A fleet's name; every fleet when omitted. */
  fleet: z.string().min(1).optional(),
  devices: deviceSelector.default('all'),
}
const duration = () => seconds().positive('must be positive')

export const scenarioEventSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ ...target, type: z.enum(['harshBraking', 'harshAcceleration', 'harshCornering', 'sos']) }),
    /** External voltage to 0 while the battery reports; restored after durationSec when given. */
    z.strictObject({ ...target, type: z.literal('powerCut'), durationSec: duration().optional() }),
    /** No network: the device records on and uploads its history on reconnect, its protocol's way. */
    z.strictObject({ ...target, type: z.literal('coverageLoss'), durationSec: duration() }),
    /** Parked with the engine off, then on again. */
    z.strictObject({ ...target, type: z.literal('ignitionOff'), durationSec: duration() }),
    /** Drives on while the device reads ignition off. */
    z.strictObject({ ...target, type: z.literal('looseIgnition'), durationSec: duration() }),
    /** Sends nothing and records nothing (until the end of the run when no duration is given). */
    z.strictObject({ ...target, type: z.literal('stopReporting'), durationSec: duration().optional() }),
    /** From then on the device's clock is offsetSec off. */
    z.strictObject({ ...target, type: z.literal('clockSkew'), offsetSec: num() }),
    /** The next `count` ACKs are lost: the device sends the same records again. */
    z.strictObject({ ...target, type: z.literal('duplicateResend'), count: int().min(1).max(1000).default(1) }),
    /** Random bytes written before the device's next message. */
    z.strictObject({ ...target, type: z.literal('garbage'), bytes: int().min(1).max(65_536).default(64) }),
    /** TCP: messages written a few bytes at a time. */
    z.strictObject({ ...target, type: z.literal('slowTrickle'), durationSec: duration(), bytesPerSec: num().positive().max(1_000_000).default(20) }),
  ],
  { error: 'unknown event type' },
)
export type ScenarioEvent = z.infer<typeof scenarioEventSchema>

const waypointSchema = z.strictObject({
  latitude: num().min(-90).max(90),
  longitude: num().min(-180).max(180),
  altitude: num().default(100),
  stopSec: seconds().optional(),
  ignitionOff: z.boolean().optional(),
})

const routeSchema = z.strictObject({
  name: z.string().min(1),
  maxSpeedKmh: num().min(5).max(250).optional(),
  waypoints: z.array(waypointSchema).min(2, 'a route needs at least two waypoints'),
})

const fleetSchema = z.strictObject({
  /** Default: the protocol's name. */
  name: z.string().min(1).optional(),
  protocol: z.enum(PROTOCOLS),
  /** Default: the protocol's first (tcp, or http for OsmAnd). */
  transport: z.enum(['tcp', 'udp', 'http']).optional(),
  count: int().min(1).max(100_000).default(10),
  /** Default: distinct per fleet. */
  imeiBase: z.string().regex(/^\d{15}$/, 'must be 15 digits').optional(),
  intervalSec: duration().default(5),
  recordsPerPacket: int().min(1).max(255).default(1),
  maxRecordsPerPacket: int().min(1).max(255).optional(),
  codec: z.enum(['8', '8E', '16']).optional(),
  /** Names of bundled or scenario routes the devices drive (in turn); default: every bundled route. */
  routes: z.array(z.string().min(1)).min(1).optional(),
})

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().default(''),
    durationSec: duration(),
    rate: num().positive().max(1_000_000).default(1),
    seed: int().min(0).max(0xffffffff).optional(),
    routes: z.array(routeSchema).default([]),
    fleets: z.array(fleetSchema).min(1, 'a scenario needs at least one fleet'),
    events: z.array(scenarioEventSchema).default([]),
  })
  .superRefine((s, ctx) => {
    const issue = (pathTo: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: pathTo, message })
    const routeNames = new Set([...ROUTES, ...s.routes].map((r) => r.name))
    const names = s.fleets.map(fleetName)
    s.fleets.forEach((fleet, i) => {
      const family = SIM_PROTOCOLS[fleet.protocol]
      if (names.indexOf(names[i]!) !== i) issue(['fleets', i, 'name'], `another fleet is called ${names[i]}: give each a name`)
      if (fleet.transport !== undefined && !family.transports.includes(fleet.transport)) {
        issue(['fleets', i, 'transport'], `${fleet.protocol} is simulated over ${family.transports.join(' or ')}, not ${fleet.transport}`)
      }
      if (fleet.intervalSec * 1000 < family.fixTimeResolutionMs) {
        issue(['fleets', i, 'intervalSec'], `${fleet.protocol} sends fix times in steps of ${family.fixTimeResolutionMs / 1000} s: the interval must be at least that`)
      }
      fleet.routes?.forEach((name, r) => {
        if (!routeNames.has(name)) issue(['fleets', i, 'routes', r], `no route ${name} (routes: ${[...routeNames].join(', ')})`)
      })
    })
    s.events.forEach((event, e) => {
      const at = ['events', e]
      if (typeof event.at === 'number' && event.at >= s.durationSec) issue([...at, 'at'], `at ${event.at} s, after the last record (${s.durationSec} s)`)
      const fleets = event.fleet === undefined ? s.fleets : s.fleets.filter((_, i) => names[i] === event.fleet)
      if (fleets.length === 0) issue([...at, 'fleet'], `no fleet ${event.fleet} (fleets: ${names.join(', ')})`)
      for (const fleet of fleets) {
        const problem = unsupported(event, fleet)
        if (problem) issue([...at, 'type'], `${fleetName(fleet)}: ${problem}`)
        if (Array.isArray(event.devices)) {
          const beyond = event.devices.find((index) => index >= fleet.count)
          if (beyond !== undefined) issue([...at, 'devices'], `${fleetName(fleet)} has no device ${beyond} (it has ${fleet.count})`)
        }
      }
      if (event.type === 'clockSkew' && event.offsetSec < 0 && momentSec(event.at, s.durationSec) > 0) {
        issue([...at, 'offsetSec'], 'a clock set back during the run repeats fix times the device already sent: start a negative skew at 0')
      }
    })
  })

export type Scenario = z.output<typeof scenarioSchema>
type Fleet = Scenario['fleets'][number]

const fleetName = (fleet: Pick<Fleet, 'name' | 'protocol'>) => fleet.name ?? fleet.protocol

/** Why a fleet's devices cannot do this, if they cannot. */
function unsupported(event: ScenarioEvent, fleet: Fleet): string | undefined {
  const family = SIM_PROTOCOLS[fleet.protocol]
  const transport = fleet.transport ?? family.transports[0]
  switch (event.type) {
    case 'harshBraking':
    case 'harshAcceleration':
    case 'harshCornering':
    case 'sos':
    case 'powerCut':
      return family.events.includes(event.type) ? undefined : `${fleet.protocol} cannot report ${event.type} (it can: ${family.events.join(', ')})`
    case 'looseIgnition':
      return family.reportsIgnition ? undefined : `${fleet.protocol} does not report the ignition on each fix, so a loose wire does not show`
    case 'slowTrickle':
      return transport === 'tcp' ? undefined : `a slow trickle needs a TCP stream, not ${transport}`
    default:
      return undefined
  }
}

const momentSec = (at: number | string, durationSec: number) => (typeof at === 'number' ? at : (Number.parseFloat(at) / 100) * durationSec)

/** A bundled scenario's name or a file path, read and validated. */
export function loadScenario(nameOrPath: string): Scenario {
  const file = /[/\\]|\.json$/.test(nameOrPath) ? nameOrPath : path.join(SCENARIO_DIR, `${nameOrPath}.json`)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    throw new ScenarioError(`no scenario ${nameOrPath} (bundled: ${bundledScenarios().join(', ')}; or give a path to a .json file)`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ScenarioError(`${file}: not JSON: ${(error as Error).message}`)
  }
  return parseScenario(json, file)
}

export function parseScenario(json: unknown, source = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(json)
  if (parsed.success) return parsed.data
  const lines = parsed.error.issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`)
  throw new ScenarioError(`${source} is not a valid scenario:\n${lines.join('\n')}`)
}

export function bundledScenarios(): string[] {
  return fs
    .readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort()
}

export class ScenarioError extends Error {}

export interface ScenarioOverrides {
  /** Devices in all, shared among the fleets in proportion to their counts. */
  devices?: number
  durationSec?: number
  rate?: number
  seed?: number
  host?: string
  /** One port for every fleet (a scenario of one protocol). */
  port?: number
  /**
   * Added to every device's IMEI: other devices than the last run's. A system remembers each device
   * (an open power cut, a trip that already had its loose-ignition alert), so a rerun on the same
   * IMEIs within minutes may rightly raise less.
   */
  imeiOffset?: number
  ports?: GatewayPorts
  startTime?: Date
  ackTimeoutMs?: number
  graceMs?: number
  backoffMinMs?: number
  backoffMaxMs?: number
}

export interface ScenarioPlan {
  plan: SimulationPlan
  /** Events left out because they fall after the (overridden) duration or on devices the fleet no longer has. */
  skipped: string[]
}

/** The scenario's fleets and timeline down to each device, with the command line's overrides applied. */
export function planScenario(scenario: Scenario, overrides: ScenarioOverrides = {}): ScenarioPlan {
  const durationSec = overrides.durationSec ?? scenario.durationSec
  const counts = overrides.devices === undefined ? scenario.fleets.map((f) => f.count) : shareDevices(scenario.fleets.map((f) => f.count), overrides.devices)
  const protocols = new Set(scenario.fleets.map((f) => f.protocol))
  if (overrides.port !== undefined && protocols.size > 1) {
    throw new ScenarioError(`--port sets one port, but ${scenario.name} speaks ${[...protocols].join(', ')}: use --api to read each protocol's port`)
  }
  const routes = new Map([...ROUTES, ...scenario.routes].map((r) => [r.name, r as Route]))
  const fleets: FleetPlan[] = scenario.fleets.map((f) => {
    const family = SIM_PROTOCOLS[f.protocol]
    const transport = f.transport ?? family.transports[0]
    const port = overrides.port ?? overrides.ports?.[f.protocol]?.[transport] ?? family.defaultPort
    return {
      name: fleetName(f),
      protocol: f.protocol,
      transport,
      host: overrides.host ?? '127.0.0.1',
      port,
      intervalSec: f.intervalSec,
      recordsPerPacket: f.recordsPerPacket,
      maxRecordsPerPacket: f.maxRecordsPerPacket ?? Math.max(DEFAULT_MAX_RECORDS_PER_PACKET, f.recordsPerPacket),
      ...(f.codec === undefined ? {} : { codec: CODECS[f.codec] }),
    }
  })
  const devicesByFleet = scenario.fleets.map((f, i) =>
    fleetDevices(
      i,
      counts[i]!,
      deviceImei(f.imeiBase ?? deviceImei(DEFAULT_IMEI_BASE, i * 100_000), overrides.imeiOffset ?? 0),
      f.intervalSec,
      f.routes?.map((name) => routes.get(name)!) ?? ROUTES,
    ),
  )
  const skipped: string[] = []
  scenario.events.forEach((event, e) => {
    const atSec = momentSec(event.at, durationSec)
    if (atSec >= durationSec) {
      skipped.push(`events.${e} (${event.type} at ${atSec} s): after the last record (${durationSec} s)`)
      return
    }
    scenario.fleets.forEach((fleet, f) => {
      if (event.fleet !== undefined && event.fleet !== fleetName(fleet)) return
      const devices = devicesByFleet[f]!
      const chosen = selectDevices(event.devices, devices.length)
      if (Array.isArray(event.devices) && chosen.length < event.devices.length) {
        skipped.push(`events.${e} (${event.type}) on ${fleetName(fleet)}: only ${devices.length} devices`)
      }
      for (const index of chosen) devices[index]!.actions.push(...eventActions(event, atSec, durationSec))
    })
  })
  const devices: DevicePlan[] = devicesByFleet.flat()
  for (const device of devices) device.actions.sort((a, b) => a.atSec - b.atSec)
  const seed = overrides.seed ?? scenario.seed
  const plan: SimulationPlan = {
    scenario: scenario.name,
    durationSec,
    rate: overrides.rate ?? scenario.rate,
    ...(seed === undefined ? {} : { seed }),
    ...(overrides.startTime === undefined ? {} : { startTime: overrides.startTime }),
    fleets,
    devices,
    ackTimeoutMs: overrides.ackTimeoutMs ?? 5000,
    graceMs: overrides.graceMs ?? 20_000,
    backoffMinMs: overrides.backoffMinMs ?? 200,
    backoffMaxMs: overrides.backoffMaxMs ?? 5000,
  }
  return { plan, skipped }
}

/** `total` devices shared among fleets in proportion to `counts` (largest remainders), at least one each. */
export function shareDevices(counts: readonly number[], total: number): number[] {
  if (total < counts.length) throw new ScenarioError(`--devices ${total}: the scenario has ${counts.length} fleets, each needs a device`)
  const sum = counts.reduce((a, b) => a + b, 0)
  const exact = counts.map((c) => (c / sum) * total)
  const shares = exact.map((x) => Math.max(1, Math.floor(x)))
  let left = total - shares.reduce((a, b) => a + b, 0)
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0])
  for (let k = 0; left > 0; k++, left--) shares[byRemainder[k % byRemainder.length]![1]]!++
  // Fleets lifted to one device are paid for by the largest.
  for (; left < 0; left++) shares[shares.indexOf(Math.max(...shares))]!--
  return shares
}

export function selectDevices(selector: Scenario['events'][number]['devices'], count: number): number[] {
  if (selector === 'all') return Array.from({ length: count }, (_, i) => i)
  if (Array.isArray(selector)) return selector.filter((i) => i < count)
  if ('first' in selector) return Array.from({ length: Math.min(count, selector.first) }, (_, i) => i)
  const { every, offset } = selector
  return Array.from({ length: Math.max(0, Math.ceil((count - offset) / every)) }, (_, k) => offset + k * every)
}

/** The device actions an event means; the end of a stretch past the run is dropped, or clamped where the device must come back to drain. */
function eventActions(event: ScenarioEvent, atSec: number, durationSec: number): DeviceAction[] {
  const stretch = (action: Extract<DeviceAction, { kind: 'switch' }>['action'], lengthSec: number | undefined, comesBack: boolean, extra = {}) => {
    const on: DeviceAction = { atSec, kind: 'switch', action, on: true, ...extra }
    const endSec = lengthSec === undefined ? Infinity : atSec + lengthSec
    if (endSec < durationSec) return [on, { atSec: endSec, kind: 'switch', action, on: false } as DeviceAction]
    return comesBack ? [on, { atSec: durationSec, kind: 'switch', action, on: false } as DeviceAction] : [on]
  }
  switch (event.type) {
    case 'harshBraking':
    case 'harshAcceleration':
    case 'harshCornering':
    case 'sos':
      return [{ atSec, kind: 'event', event: event.type }]
    case 'powerCut':
      return stretch('powerCut', event.durationSec, false)
    case 'coverageLoss':
      return stretch('coverageLost', event.durationSec, true)
    case 'ignitionOff':
      return stretch('parked', event.durationSec, false)
    case 'looseIgnition':
      return stretch('looseIgnition', event.durationSec, true)
    case 'stopReporting':
      return stretch('silent', event.durationSec, true)
    case 'slowTrickle':
      return stretch('trickle', event.durationSec, false, { bytesPerSec: event.bytesPerSec })
    case 'clockSkew':
      return [{ atSec, kind: 'clockSkew', offsetMs: Math.round(event.offsetSec * 1000) }]
    case 'duplicateResend':
      return [{ atSec, kind: 'ignoreAcks', count: event.count }]
    case 'garbage':
      return [{ atSec, kind: 'garbage', bytes: event.bytes }]
  }
}
