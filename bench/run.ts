/**
 * `npm run bench [-- --quick] [-- --json]`: each figure beside its baseline measured in the same run.
 *
 * ingest: records/s through TCP, ACKed only after the commit, against the whole system (`main.ts` in
 * its own process, as `npm start` runs it) — beside the database's raw multi-row INSERT rate of the
 * same kind of rows from one client on a fresh embedded TimescaleDB.
 */
import { parseArgs } from 'node:util'
import os from 'node:os'
import { createDatabase } from '../db/client.ts'
import { startEmbeddedDatabase } from '../db/embedded.ts'
import { migrate } from '../db/migrate.ts'
import { startSystem } from '../test/helpers/system.ts'
import { teltonikaLoad } from './load.ts'
import { rawInsertRate } from './raw-insert.ts'
import { alertsBench } from './alerts.ts'
import { browserBench } from './browser.ts'
import fs from 'node:fs'
import path from 'node:path'

interface BenchResult {
  name: string
  value: number
  unit: string
  baseline: string
  baselineValue: number
  ratio: number
}

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } })
const seconds = flags.quick ? 8 : 20
const devices = 200
const say = (line: string) => (flags.json ? process.stderr : process.stdout).write(line + '\n')

say(`fleetwire bench — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}, ${seconds} s per measurement`)

const system = await startSystem({ env: { LOG_LEVEL: 'error' } })
const port = system.ports.teltonika!
const tenRecord = await teltonikaLoad(port, devices, 10, seconds, 356000000000000)
const oneRecord = await teltonikaLoad(port, devices, 1, seconds, 357000000000000)
await system.stop()
fs.rmSync(system.dataDir, { recursive: true, force: true })

const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-bench-'))
const embedded = await startEmbeddedDatabase(rawDir)
const db = createDatabase(embedded.url, { embedded: true })
await migrate(db)
const raw = await rawInsertRate(db, 1000, seconds)
await db.end()
await embedded.stop()
fs.rmSync(rawDir, { recursive: true, force: true })

const alerts = alertsBench(flags.quick ? { rounds: 2 } : {})

const dashboardSystem = await startSystem({ env: { LOG_LEVEL: 'error' } })
const page = await browserBench(dashboardSystem, 5000, flags.quick ? 10 : 20)
await dashboardSystem.stop()
fs.rmSync(dashboardSystem.dataDir, { recursive: true, force: true })

const rawRate = raw.records / raw.seconds
const results: BenchResult[] = [
  { name: `ingest, 10-record frames, ${devices} connections`, value: tenRecord.records / tenRecord.seconds, unit: 'records/s', baseline: 'raw multi-row INSERT (1000 rows/statement, one client)', baselineValue: rawRate, ratio: 0 },
  { name: `ingest, 1-record frames, ${devices} connections`, value: oneRecord.packets / oneRecord.seconds, unit: 'frames/s', baseline: 'raw multi-row INSERT (1000 rows/statement, one client)', baselineValue: rawRate, ratio: 0 },
].map((result) => ({ ...result, ratio: result.value / result.baselineValue }))
results.push(
  {
    name: 'alerts: state + alert evaluation per record',
    value: alerts.pipelineNsPerRecord,
    unit: 'ns/record',
    baseline: 'history marking and live state only (ingest without alerts)',
    baselineValue: alerts.baselineNsPerRecord,
    ratio: alerts.pipelineNsPerRecord / alerts.baselineNsPerRecord,
  },
  {
    name: `alerts: no-update sweep over ${alerts.vehicles} vehicles`,
    value: alerts.sweepMs,
    unit: 'ms/sweep',
    baseline: 'one sweep a minute (60,000 ms budget)',
    baselineValue: 60_000,
    ratio: alerts.sweepMs / 60_000,
  },
  {
    name: `dashboard: frame time p95, ${page.vehicles} vehicles reporting every second`,
    value: page.frameP95Ms,
    unit: 'ms',
    baseline: 'one frame at 60 Hz',
    baselineValue: 1000 / 60,
    ratio: page.frameP95Ms / (1000 / 60),
  },
  {
    name: `dashboard: socket.io bytes/s per client, ${page.vehicles} vehicles`,
    value: page.socketBytesPerSecond,
    unit: 'bytes/s',
    baseline: 'bytes/s the devices themselves sent',
    baselineValue: page.deviceBytesPerSecond,
    ratio: page.socketBytesPerSecond / page.deviceBytesPerSecond,
  },
)

for (const result of results) {
  say(`${result.name.padEnd(48)} ${result.value.toFixed(1).padStart(9)} ${result.unit.padEnd(10)} vs ${result.baseline}: ${result.baselineValue.toFixed(1)}  ratio ${result.ratio.toFixed(3)}`)
}
if (flags.json) process.stdout.write(JSON.stringify({ results }) + '\n')
