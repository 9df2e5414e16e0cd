/**
 * `npm run bench [-- --quick] [-- --json] [-- --only <name>]...`: each figure beside its baseline measured in the same run.
 *
 * BENCHMARKS lists the benchmarks in the order they run; each is a function returning its results,
 * printed as soon as it completes. `--json` prints `{"results":[…]}` on stdout at the end (the
 * human-readable lines then go to stderr). Add a benchmark by adding an entry.
 */
import { parseArgs } from 'node:util'
import os from 'node:os'
import fs from 'node:fs'
import path from 'node:path'
import { createDatabase } from '../db/client.ts'
import { startEmbeddedDatabase } from '../db/embedded.ts'
import { migrate } from '../db/migrate.ts'
import { startSystem } from '../test/helpers/system.ts'
import { teltonikaLoad, type LoadResult } from './load.ts'
import { rawInsertRate } from './raw-insert.ts'
import { alertsBench } from './alerts.ts'
import { browserBench } from './browser.ts'
import { decodeBench } from './decode.ts'
import { connectionsBench } from './connections.ts'
import { liveBench } from './live.ts'
import { poisoningBench } from './poisoning.ts'
import type { BenchResult } from './result.ts'


export interface BenchSettings {
  quick: boolean
  /** Seconds per throughput measurement: 20, or 8 with --quick. */
  seconds: number
}

interface Benchmark {
  name: string
  run(settings: BenchSettings): Promise<BenchResult[]> | BenchResult[]
}

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } },
})
const settings: BenchSettings = { quick: flags.quick, seconds: flags.quick ? 8 : 20 }
const say = (line: string) => (flags.json ? process.stderr : process.stdout).write(line + '\n')

function result(name: string, value: number, unit: string, baseline: string, baselineValue: number): BenchResult {
  return { name, value, unit, baseline, baselineValue, ratio: value / baselineValue }
}

const INGEST_DEVICES = 1000
const RAW_BASELINE = 'raw bulk INSERT (jsonb_to_recordset, 5000 rows/statement, one client)'

const BENCHMARKS: Benchmark[] = [
  {
    name: 'ingest',
    async run({ seconds }) {
      const system = await startSystem({ env: { LOG_LEVEL: 'error' } })
      const port = system.ports.teltonika!
      let tenRecord: LoadResult
      let oneRecord: LoadResult
      try {
        tenRecord = await teltonikaLoad(port, INGEST_DEVICES, 10, seconds, 356000000000000)
        oneRecord = await teltonikaLoad(port, INGEST_DEVICES, 1, seconds, 357000000000000)
      } finally {
        await system.stop()
        fs.rmSync(system.dataDir, { recursive: true, force: true })
      }
      const rawRate = await rawInsertBaseline(seconds)
      return [
        result(`ingest, 10-record frames, ${INGEST_DEVICES} connections`, tenRecord.records / tenRecord.seconds, 'records/s', RAW_BASELINE, rawRate),
        result(`ingest, 1-record frames, ${INGEST_DEVICES} connections`, oneRecord.packets / oneRecord.seconds, 'frames/s', RAW_BASELINE, rawRate),
      ]
    },
  },
  {
    name: 'live',
    run: ({ quick }) => liveBench({ devices: 1000, reportEveryMs: 1000, clients: 50, seconds: quick ? 4 : 15, say }),
  },
  {
    name: 'decode',
    run({ quick }) {
      const { rates, peers } = decodeBench(quick ? { roundMs: 250, rounds: 2 } : { roundMs: 1000, rounds: 3 })
      return [
        ...rates.map((rate) => result(`decode: ${rate.protocol}, framing + decode`, rate.ours, 'records/s', 'bare loop reading the same fields from the same bytes', rate.bare)),
        ...peers.flatMap((peer) => [
          result(`decode: teltonika vs ${peer.peer}`, peer.ours, 'records/s', `${peer.peer}, same packets`, peer.theirs),
          result(`decode: teltonika real vectors decoded correctly (of ${peer.vectors}) vs ${peer.peer}`, peer.oursCorrect, 'vectors', peer.peer, peer.theirsCorrect),
        ]),
      ]
    },
  },
  {
    name: 'connections',
    async run({ quick }) {
      const connections = await connectionsBench({ connections: quick ? 10_000 : 50_000, settleMs: quick ? 500 : 3000 })
      const held = connections.limitedBy
        ? `${connections.connections} idle connections (${connections.requested} requested; ${connections.limitedBy})`
        : `${connections.connections} idle connections`
      if (connections.limitedBy) say(`connections: only ${held}`)
      return [
        result(`connections: memory per connection, ${held}`, connections.systemBytesPerConnection, 'bytes', 'bare net.createServer holding the same sockets', connections.bareBytesPerConnection),
      ]
    },
  },
  {
    name: 'alerts',
    run({ quick }) {
      const alerts = alertsBench(quick ? { rounds: 2 } : {})
      return [
        result('alerts: state + alert evaluation per record', alerts.pipelineNsPerRecord, 'ns/record', 'history marking and live state only (ingest without alerts)', alerts.baselineNsPerRecord),
        result(`alerts: no-update sweep over ${alerts.vehicles} vehicles`, alerts.sweepMs, 'ms/sweep', 'one sweep a minute (60,000 ms budget)', 60_000),
      ]
    },
  },
  {
    name: 'poisoning',
    async run({ seconds }) {
      // The log level of a deployment: each refused record is a warn line, part of what a flood costs.
      const system = await startSystem({ env: { LOG_LEVEL: 'info' } })
      const poisoned = await poisoningBench(system, seconds).finally(async () => {
        await system.stop()
        fs.rmSync(system.dataDir, { recursive: true, force: true })
      })
      const flood = `${Math.round(poisoned.datagramsPerSecond)} year-10000 datagrams/s + ${Math.round(poisoned.requestsPerSecond)} NUL requests/s`
      say(`poisoning: ${flood}; good device missed ${poisoned.missedAcks} ACKs; OsmAnd answers ${JSON.stringify(poisoned.flood.statuses)}`)
      return [
        result(`poisoning: good device ACKs during a flood of ${flood}`, poisoned.floodedAcksPerSecond, 'ACKs/s', 'the same device without the flood', poisoned.aloneAcksPerSecond),
      ]
    },
  },
  {
    name: 'dashboard',
    async run({ quick }) {
      const system = await startSystem({ env: { LOG_LEVEL: 'error' } })
      const page = await browserBench(system, 5000, quick ? 10 : 20).finally(async () => {
        await system.stop()
        fs.rmSync(system.dataDir, { recursive: true, force: true })
      })
      return [
        result(`dashboard: frame time p95, ${page.vehicles} vehicles reporting every second`, page.frameP95Ms, 'ms', 'one frame at 60 Hz', 1000 / 60),
        result(`dashboard: socket.io bytes/s per client, ${page.vehicles} vehicles`, page.socketBytesPerSecond, 'bytes/s', 'bytes/s the devices themselves sent', page.deviceBytesPerSecond),
      ]
    },
  },
]

/** The embedded database's own rate for our rows, on a fresh database. */
async function rawInsertBaseline(seconds: number): Promise<number> {
  const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-bench-'))
  const embedded = await startEmbeddedDatabase(rawDir)
  const db = createDatabase(embedded.url, { embedded: true })
  try {
    await migrate(db)
    const raw = await rawInsertRate(db, 5000, seconds)
    return raw.records / raw.seconds
  } finally {
    await db.end()
    await embedded.stop()
    fs.rmSync(rawDir, { recursive: true, force: true })
  }
}

function format(result: BenchResult): string {
  const figure = (value: number) => (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1))
  return `${result.name.padEnd(48)} ${figure(result.value).padStart(11)} ${result.unit.padEnd(10)} vs ${result.baseline}: ${figure(result.baselineValue)}  ratio ${result.ratio.toFixed(3)}`
}

say(`fleetwire bench — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}, ${settings.seconds} s per measurement`)
const results: BenchResult[] = []
// A benchmark that cannot run (no chromium, say) is reported and the others still run; the exit code says so.
const failed: { name: string; error: string }[] = []
const unknown = (flags.only ?? []).filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name))
if (unknown.length > 0) {
  process.stderr.write(`--only: no benchmark ${unknown.join(', ')} (there are: ${BENCHMARKS.map((b) => b.name).join(', ')})\n`)
  process.exit(2)
}
for (const benchmark of BENCHMARKS.filter((b) => flags.only === undefined || flags.only.includes(b.name))) {
  const started = performance.now()
  try {
    for (const line of await benchmark.run(settings)) {
      results.push(line)
      say(format(line))
    }
  } catch (err) {
    failed.push({ name: benchmark.name, error: (err as Error).message.split('\n')[0]! })
    say(`${benchmark.name}: FAILED — ${failed.at(-1)!.error}`)
    process.exitCode = 1
  }
  say(`  (${benchmark.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`)
}
if (flags.json) process.stdout.write(JSON.stringify(failed.length > 0 ? { results, failed } : { results }) + '\n')
// A benchmark that failed half-way may leave sockets or timers behind (a reconnecting socket.io client,
// say); the run is over either way.
process.stdout.write('', () => process.exit())
