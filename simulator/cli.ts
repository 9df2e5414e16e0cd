/**
 * npm run simulate -- [--scenario <name|file>] [--protocol teltonika|gt06|queclink|osmand] [--transport tcp|udp]
 *   [--host 127.0.0.1] [--port <the protocol's>] [--api <url> --email <e> --password <p>] [--verify]
 *   [--devices 20] [--duration 60] [--interval 1] [--records-per-packet 1] [--coverage-loss <start>:<len>]
 *   [--event <sec>:<type>[:<device>]]... [--imei-base 356307042440000] [--rate 1] [--json] [--seed N]
 *
 * A thin wrapper over runPlan: parses and validates the options (or a scenario file), reads the gateway's
 * ports from the API when asked, shows progress on stderr, prints the summary (and the verification) on
 * stdout, exits 1 if any generated record was never ACKed or verification found something missing
 * (2 for bad options or a bad scenario).
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ADMIN_PASSWORD_FILE } from '../config.ts'
import { PROTOCOLS } from '../core/record.ts'
import { FleetwireApiError, type FleetwireClient, login } from './api-client.ts'
import { expectedAlerts, futureFixWarning } from './expectations.ts'
import { CODECS, simulationSettingsSchema } from './options.ts'
import { type SimulationPlan, planFromSettings } from './plan.ts'
import { SIM_PROTOCOLS } from './protocols/index.ts'
import { SIM_EVENT_TYPES } from './record.ts'
import { type SimulationOptions, type SimulationProgress, type SimulationSummary, runPlan } from './run.ts'
import { type Scenario, type ScenarioOverrides, ScenarioError, bundledScenarios, loadScenario, planScenario } from './scenario.ts'
import { type VerifyReport, formatVerifyReport, verifyRun } from './verify.ts'

const defaultPorts = PROTOCOLS.map((name) => `${name} ${SIM_PROTOCOLS[name].defaultPort}`).join(', ')

const DEFAULT_EMAIL = 'admin@fleetwire.local'

const USAGE = `Usage: npm run simulate -- [options]

  --scenario <name|file.json>   run a scenario: fleets of several protocols and a timeline of events
                                (bundled: ${bundledScenarios().join(', ')});
                                --devices, --duration, --rate, --seed, --host, --port override it
  --api <url>                   a running Fleetwire (e.g. http://127.0.0.1:8080): each protocol's port is read
                                from its gateway stats
  --email <e> --password <p>    who signs in to the API (default ${DEFAULT_EMAIL}; the password defaults to
                                $FLEETWIRE_PASSWORD, $ADMIN_PASSWORD or, for a system on this machine, the one
                                it generated at first start ($DATA_DIR/admin-password, default ./data)
  --verify                      after the run, ask the API whether every ACKed record is stored and every
                                scripted alert raised, and print what is missing (--api defaults to
                                http://<host>:8080)
  --protocol <name>             ${PROTOCOLS.join(' | ')} (default teltonika)
  --transport <tcp|udp>         for protocols spoken over both (teltonika, queclink; default tcp)
  --host <host>                 gateway address (default 127.0.0.1)
  --port <port>                 the gateway's port for the protocol (default ${defaultPorts})
  --devices <n>                 simulated devices (default 20)
  --duration <sec>              simulated seconds of driving (default 60)
  --interval <sec>              simulated seconds between records (default 1)
  --records-per-packet <n>      records per live packet (default 1)
  --max-records-per-packet <n>  records per packet when uploading history (default max(50, records-per-packet))
  --coverage-loss <start>:<len> every device loses coverage at simulated second <start> for <len> seconds;
                                what it records meanwhile is uploaded as history once back
  --event <sec>:<type>[:<i>]    at simulated second <sec>, device <i> (default every device) reports <type>:
                                ${SIM_EVENT_TYPES.join(', ')}; repeatable
  --imei-base <15 digits>       device i: first 14 digits + i, then a Luhn digit (default 356307042440000)
  --rate <n>                    simulated seconds per real second (default 1)
  --seed <n>                    reproducible routes and telemetry (default random, printed)
  --start <ISO time>            fix time of the first simulated second (default now)
  --codec <8|8E|16>             Teltonika AVL codec (default 8)
  --ack-timeout <sec>           real seconds to wait for a reply before reconnecting (default 5)
  --grace <sec>                 real seconds to drain queues after the run (default 20)
  --imei-offset <n>             with --scenario: add n to every IMEI, for a run on other devices than the last
                                (the system remembers devices: an open cut, a trip's loose-wire alert)
  --json                        print the summary (and verification) as one JSON line
  --help`

/** CLI flag for each settings key, so errors name what the user typed. */
const FLAGS: Record<string, string> = {
  protocol: '--protocol',
  transport: '--transport',
  events: '--event',
  host: '--host',
  port: '--port',
  devices: '--devices',
  durationSec: '--duration',
  intervalSec: '--interval',
  recordsPerPacket: '--records-per-packet',
  maxRecordsPerPacket: '--max-records-per-packet',
  coverageLoss: '--coverage-loss',
  imeiBase: '--imei-base',
  rate: '--rate',
  seed: '--seed',
  startTime: '--start',
  codec: '--codec',
  ackTimeoutMs: '--ack-timeout',
  graceMs: '--grace',
}

class UsageError extends Error {}

/** What the command line asks for: a scenario or an ad-hoc run of one protocol, and the API to use. */
export interface CliRequest {
  json: boolean
  /** An ad-hoc run (no --scenario): the validated options. */
  options?: SimulationOptions
  scenario?: { scenario: Scenario; overrides: ScenarioOverrides }
  api?: { url: string; email: string; password: string | undefined }
  verify: boolean
  /** --port was given: it wins over the port the API reports. */
  explicitPort: boolean
}

/** Ad-hoc options a scenario file sets itself. */
const SCENARIO_SETS = ['protocol', 'transport', 'event', 'interval', 'records-per-packet', 'max-records-per-packet', 'coverage-loss', 'imei-base', 'codec'] as const

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = {}): CliRequest | { help: true } {
  let values
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        protocol: { type: 'string' },
        transport: { type: 'string' },
        event: { type: 'string', multiple: true },
        host: { type: 'string' },
        port: { type: 'string' },
        devices: { type: 'string' },
        duration: { type: 'string' },
        interval: { type: 'string' },
        'records-per-packet': { type: 'string' },
        'max-records-per-packet': { type: 'string' },
        'coverage-loss': { type: 'string' },
        'imei-base': { type: 'string' },
        'imei-offset': { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        start: { type: 'string' },
        codec: { type: 'string' },
        'ack-timeout': { type: 'string' },
        grace: { type: 'string' },
        scenario: { type: 'string' },
        api: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        verify: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.help) return { help: true }

  const apiUrl = values.api ?? (values.verify ? `http://${values.host ?? '127.0.0.1'}:8080` : undefined)
  if (values.email !== undefined && apiUrl === undefined) throw new UsageError('--email: needs --api (or --verify)')
  const common = {
    json: values.json,
    verify: values.verify,
    explicitPort: values.port !== undefined,
    ...(apiUrl === undefined
      ? {}
      : { api: { url: apiUrl, email: values.email ?? (env.ADMIN_EMAIL || DEFAULT_EMAIL), password: values.password ?? (env.FLEETWIRE_PASSWORD || env.ADMIN_PASSWORD || undefined) } }),
  }
  if (values.scenario !== undefined) return { ...common, scenario: parseScenarioRun(values) }
  if (values['imei-offset'] !== undefined) throw new UsageError('--imei-offset: only with --scenario (without one, --imei-base sets the IMEIs)')

  const seconds = (v: string | undefined) => (v === undefined ? undefined : Number(v) * 1000)
  let coverageLoss: unknown
  if (values['coverage-loss'] !== undefined) {
    const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(values['coverage-loss'])
    if (!m) throw new UsageError(`--coverage-loss: expected <startSec>:<durationSec>, e.g. 20:30, got "${values['coverage-loss']}"`)
    coverageLoss = { startSec: m[1], durationSec: m[2] }
  }
  const events = (values.event ?? []).map((spec) => {
    const m = /^(\d+(?:\.\d+)?):([A-Za-z]+)(?::(\d+))?$/.exec(spec)
    if (!m) throw new UsageError(`--event: expected <sec>:<type>[:<device index>], e.g. 30:powerCut, got "${spec}"`)
    return { atSec: m[1], type: m[2], ...(m[3] === undefined ? {} : { device: m[3] }) }
  })
  let codec: number | undefined
  if (values.codec !== undefined) {
    codec = CODECS[values.codec.toUpperCase() as keyof typeof CODECS]
    if (codec === undefined) throw new UsageError(`--codec: expected one of 8, 8E, 16, got "${values.codec}"`)
  }
  const raw = {
    protocol: values.protocol,
    transport: values.transport,
    events,
    host: values.host,
    port: values.port,
    devices: values.devices,
    durationSec: values.duration,
    intervalSec: values.interval,
    recordsPerPacket: values['records-per-packet'],
    maxRecordsPerPacket: values['max-records-per-packet'],
    coverageLoss,
    imeiBase: values['imei-base'],
    rate: values.rate,
    seed: values.seed,
    startTime: values.start,
    codec,
    ackTimeoutMs: seconds(values['ack-timeout']),
    graceMs: seconds(values.grace),
  }
  const parsed = simulationSettingsSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '')
      const flag = FLAGS[key] ?? key
      const given = (values as Record<string, unknown>)[flag.replace(/^--/, '')]
      return `${flag}: ${issue.message}${given === undefined ? '' : ` (got "${String(given)}")`}`
    })
    throw new UsageError(lines.join('\n'))
  }
  const { ackTimeoutMs, graceMs, ...rest } = parsed.data
  return { ...common, options: { ...rest, ackTimeoutMs: Math.round(ackTimeoutMs), graceMs: Math.round(graceMs) } }
}

/** --scenario and the options that override it, each checked on its own (the file has its own validation). */
function parseScenarioRun(values: Record<string, string | boolean | string[] | undefined>): { scenario: Scenario; overrides: ScenarioOverrides } {
  const clash = SCENARIO_SETS.find((name) => values[name] !== undefined)
  if (clash) throw new UsageError(`--${clash}: the scenario sets it; edit a copy of the scenario file instead`)
  const number = (flag: string, check: (n: number) => boolean, what: string): number | undefined => {
    const raw = values[flag]
    if (raw === undefined) return undefined
    const n = Number(raw)
    if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag}: ${what} (got "${String(raw)}")`)
    return n
  }
  const wholeFrom = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max
  const positive = (n: number) => n > 0
  const start = values.start === undefined ? undefined : new Date(String(values.start))
  if (start !== undefined && Number.isNaN(start.getTime())) throw new UsageError(`--start: must be a date and time, e.g. 2026-01-15T08:00:00Z (got "${String(values.start)}")`)
  const overrides: ScenarioOverrides = {
    devices: number('devices', wholeFrom(1, 100_000), 'must be a whole number from 1 to 100000'),
    durationSec: number('duration', positive, 'must be a positive number of seconds'),
    rate: number('rate', positive, 'must be a positive number'),
    seed: number('seed', wholeFrom(0, 0xffffffff), 'must be a whole number from 0 to 4294967295'),
    port: number('port', wholeFrom(1, 65535), 'must be a port number'),
    imeiOffset: number('imei-offset', wholeFrom(0, 10_000_000), 'must be a whole number from 0 to 10000000'),
    ackTimeoutMs: mapDefined(number('ack-timeout', positive, 'must be a positive number of seconds'), (sec) => Math.round(sec * 1000)),
    graceMs: mapDefined(number('grace', (n) => n >= 0, 'must be a number of seconds'), (sec) => Math.round(sec * 1000)),
    ...(values.host === undefined ? {} : { host: String(values.host) }),
    ...(start === undefined ? {} : { startTime: start }),
  }
  for (const key of Object.keys(overrides) as (keyof ScenarioOverrides)[]) if (overrides[key] === undefined) delete overrides[key]
  try {
    return { scenario: loadScenario(String(values.scenario)), overrides }
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(`--scenario: ${error.message}`)
    throw error
  }
}

const mapDefined = <T, U>(value: T | undefined, f: (v: T) => U): U | undefined => (value === undefined ? undefined : f(value))

/**
 * A system on this machine started without ADMIN_PASSWORD keeps the one it generated in its DATA_DIR
 * (default ./data): with the default admin, a tester needs no password for a local run.
 */
function localAdminPassword(apiUrl: string, env: NodeJS.ProcessEnv): string | undefined {
  let host: string
  try {
    host = new URL(/^https?:\/\//.test(apiUrl) ? apiUrl : `http://${apiUrl}`).hostname
  } catch {
    return undefined
  }
  if (!['localhost', '127.0.0.1', '[::1]'].includes(host)) return undefined
  try {
    return fs.readFileSync(path.join(env.DATA_DIR ?? './data', ADMIN_PASSWORD_FILE), 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

/** The plan the request describes; ports come from the API unless --port was given. */
export async function planRequest(request: CliRequest, client: FleetwireClient | undefined): Promise<{ plan: SimulationPlan; skipped: string[] }> {
  const ports = client ? await client.gatewayPorts() : undefined
  if (request.scenario) {
    const { scenario, overrides } = request.scenario
    try {
      return planScenario(scenario, { ...overrides, ...(ports && !request.explicitPort ? { ports } : {}) })
    } catch (error) {
      if (error instanceof ScenarioError) throw new UsageError(error.message)
      throw error
    }
  }
  const plan = planFromSettings(simulationSettingsSchema.parse(request.options ?? {}))
  const fleet = plan.fleets[0]!
  const reported = ports?.[fleet.protocol]?.[fleet.transport]
  if (ports && !request.explicitPort) {
    if (reported === undefined) throw new UsageError(`--api: the system does not listen for ${fleet.protocol} over ${fleet.transport}`)
    fleet.port = reported
  }
  return { plan, skipped: [] }
}

export function formatProgress(p: SimulationProgress, devices: number): string {
  return (
    `[sim ${p.simSec.toFixed(0)}s] connected ${p.devicesConnected}/${devices}  generated ${p.recordsGenerated}` +
    `  sent ${p.recordsSent}  acked ${p.recordsAcked}  pending ${p.recordsPending}` +
    `  resent ${p.recordsResent}  errors ${p.errors}`
  )
}

export function formatSummary(s: SimulationSummary): string {
  const kinds = Object.entries(s.errorsByKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
  const ms = (v: number | null) => (v === null ? '-' : v.toFixed(1))
  const rows: Array<[string, string | number]> = [
    ...(s.scenario === undefined ? [] : [['scenario', s.scenario] as [string, string]]),
    ...s.fleets.map(
      (f): [string, string] => [
        `fleet ${f.name}`,
        `${f.devices} ${f.protocol} over ${f.transport.toUpperCase()} to ${f.host}:${f.port}, acked ${f.recordsAcked}/${f.recordsGenerated}`,
      ],
    ),
    ['devices', s.devices],
    ['records generated', s.recordsGenerated],
    ['records sent', s.recordsSent],
    ['records acked', s.recordsAcked],
    ['records resent', s.acksIgnored > 0 ? `${s.recordsResent} (${s.acksIgnored} ACKs ignored on purpose)` : s.recordsResent],
    ['never acked', s.recordsNeverAcked],
    ['packets sent / acked', `${s.packetsSent} / ${s.packetsAcked}`],
    ['errors', kinds ? `${s.errors} (${kinds})` : s.errors],
    ...(s.garbageBytes > 0 ? [['garbage bytes sent', s.garbageBytes] as [string, number]] : []),
    [
      'ack latency ms',
      `p50 ${ms(s.ackLatencyMs.p50)}  p95 ${ms(s.ackLatencyMs.p95)}  p99 ${ms(s.ackLatencyMs.p99)}  max ${ms(s.ackLatencyMs.max)}`,
    ],
    ['seed', s.seed],
    ['real time', `${(s.realDurationMs / 1000).toFixed(1)} s${s.aborted ? ' (aborted)' : ''}`],
  ]
  const failing = s.perDevice.filter((d) => d.neverAcked > 0)
  const lines = rows.map(([k, v]) => `${k.padEnd(22)}${v}`)
  for (const d of failing.slice(0, 10)) {
    lines.push(`  ${d.imei} never acked ${d.neverAcked}${d.lastError ? `, last error ${d.lastError}` : ''}`)
  }
  if (failing.length > 10) lines.push(`  ... and ${failing.length - 10} more devices with unacked records`)
  return lines.join('\n')
}

/** The summary (and the verification, if any) as one JSON line, without the per-record lists. */
export function summaryJson(s: SimulationSummary, verify?: VerifyReport): string {
  return JSON.stringify({ ...s, perDevice: s.perDevice.map(({ ackedRecords: _, ...d }) => d), ...(verify ? { verify } : {}) })
}

async function main(): Promise<number> {
  let request
  try {
    request = parseCli(process.argv.slice(2), process.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n\n${USAGE}\n`)
    return 2
  }
  if ('help' in request) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  let client: FleetwireClient | undefined
  let planned
  try {
    if (request.api) {
      const { url, email } = request.api
      const password = request.api.password ?? localAdminPassword(url, process.env)
      if (password === undefined) throw new UsageError('--password: needed to sign in to the API (or set FLEETWIRE_PASSWORD)')
      client = await login(url, email, password)
    }
    planned = await planRequest(request, client)
  } catch (error) {
    if (error instanceof FleetwireApiError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`)
      return 2
    }
    throw error
  }
  for (const line of planned.skipped) process.stderr.write(`skipped ${line}\n`)
  if (request.verify && client) {
    const warning = futureFixWarning(planned.plan, (await client.thresholds()).maxFutureMs, Date.now())
    if (warning) process.stderr.write(`${warning}\n`)
  }

  const tty = process.stderr.isTTY === true
  const controller = new AbortController()
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping (Ctrl-C again to quit at once)\n')
    controller.abort()
    process.once('SIGINT', () => process.exit(130))
  })
  const devices = planned.plan.devices.length
  const summary = await runPlan(planned.plan, {
    signal: controller.signal,
    progressIntervalMs: tty ? 1000 : 5000,
    onProgress: (p) => process.stderr.write(tty ? `\r${formatProgress(p, devices)}\x1b[K` : `${formatProgress(p, devices)}\n`),
  })
  if (tty) process.stderr.write('\n')

  let report: VerifyReport | undefined
  if (request.verify && client) {
    process.stderr.write('verifying: asking the API for every ACKed record and the scripted alerts\n')
    const expected = expectedAlerts(summary, await client.thresholds())
    report = await verifyRun(client, { records: summary.perDevice.flatMap((d) => d.ackedRecords), expectedAlerts: expected })
  }
  process.stdout.write(`${request.json ? summaryJson(summary, report) : [formatSummary(summary), ...(report ? formatVerifyReport(report) : [])].join('\n')}\n`)
  return summary.recordsNeverAcked > 0 || (report !== undefined && !report.ok) ? 1 : 0
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('simulator/cli.ts')) {
  main().then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(`simulator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exitCode = 1
    },
  )
}
