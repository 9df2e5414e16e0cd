/**
 * npm run simulate -- [--protocol teltonika|gt06|queclink|osmand] [--transport tcp|udp] --host 127.0.0.1
 *   [--port <the protocol's>] --devices 20 --duration 60 [--interval 1] [--records-per-packet 1]
 *   [--coverage-loss <startSec>:<durationSec>] [--event <sec>:<type>[:<device>]]... [--imei-base 356307042440000]
 *   [--rate 1] [--json] [--seed N]
 *
 * A thin wrapper over runSimulation: parses and validates the options, shows progress on stderr,
 * prints the summary on stdout, exits 1 if any generated record was never ACKed (2 for bad options).
 */
import { parseArgs } from 'node:util'
import { PROTOCOLS } from '../gateway/record.ts'
import { CODECS, simulationSettingsSchema } from './options.ts'
import { SIM_PROTOCOLS } from './protocols/index.ts'
import { SIM_EVENT_TYPES } from './record.ts'
import { type SimulationOptions, type SimulationProgress, type SimulationSummary, runSimulation } from './run.ts'

const defaultPorts = PROTOCOLS.map((name) => `${name} ${SIM_PROTOCOLS[name].defaultPort}`).join(', ')

const USAGE = `Usage: npm run simulate -- [options]

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
  --json                        print the summary as one JSON line
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

export function parseCli(argv: string[]): { options: SimulationOptions; json: boolean } | { help: true } {
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
        rate: { type: 'string' },
        seed: { type: 'string' },
        start: { type: 'string' },
        codec: { type: 'string' },
        'ack-timeout': { type: 'string' },
        grace: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.help) return { help: true }

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
  return { options: { ...rest, ackTimeoutMs: Math.round(ackTimeoutMs), graceMs: Math.round(graceMs) }, json: values.json }
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
    ['protocol', `${s.protocol} over ${s.transport.toUpperCase()}`],
    ['devices', s.devices],
    ['records generated', s.recordsGenerated],
    ['records sent', s.recordsSent],
    ['records acked', s.recordsAcked],
    ['records resent', s.recordsResent],
    ['never acked', s.recordsNeverAcked],
    ['packets sent / acked', `${s.packetsSent} / ${s.packetsAcked}`],
    ['errors', kinds ? `${s.errors} (${kinds})` : s.errors],
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

/** The summary as one JSON line, without the per-record lists. */
export function summaryJson(s: SimulationSummary): string {
  return JSON.stringify({ ...s, perDevice: s.perDevice.map(({ ackedRecords: _, ...d }) => d) })
}

async function main(): Promise<number> {
  let cli
  try {
    cli = parseCli(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`${error.message}\n\n${USAGE}\n`)
    return 2
  }
  if ('help' in cli) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const { options, json } = cli
  const tty = process.stderr.isTTY === true
  const controller = new AbortController()
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping (Ctrl-C again to quit at once)\n')
    controller.abort()
    process.once('SIGINT', () => process.exit(130))
  })
  const devices = options.devices ?? 20
  const summary = await runSimulation({
    ...options,
    signal: controller.signal,
    progressIntervalMs: tty ? 1000 : 5000,
    onProgress: (p) => process.stderr.write(tty ? `\r${formatProgress(p, devices)}\x1b[K` : `${formatProgress(p, devices)}\n`),
  })
  if (tty) process.stderr.write('\n')
  process.stdout.write(`${json ? summaryJson(summary) : formatSummary(summary)}\n`)
  return summary.recordsNeverAcked > 0 ? 1 : 0
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
