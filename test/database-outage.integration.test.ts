/**
 * The database connection is allowed to fail: while simulated devices send continuously, the database
 * drops (the embedded one restarted as a crash would, or a PostgreSQL server terminating every backend)
 * and comes back. No ACKed record may be lost, the devices must get ACKs again, and the process stays up.
 */
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseStatus } from '../dashboard/shared/contract.ts'
import { FleetwireClient } from '../simulator/api-client.ts'
import { runSimulation, type SimulationSummary } from '../simulator/run.ts'
import { apiClient, connectLive, type LiveClient } from './helpers/api-client.ts'
import { browserMissing, launchChromium } from './helpers/browser.ts'
import { eventually } from './helpers/eventually.ts'
import { ADMIN, freePort, login, startSystem, type RunningSystem } from './helpers/system.ts'

interface GatewayStatsAnswer {
  teltonika?: { records: number }
  database: DatabaseStatus
}

/**
 * Teltonika devices over TCP sending every second for `durationSec`, retrying what is not ACKed;
 * every record ACKed is in the summary.
 */
function simulateDevices(port: number, imeiBase: string, durationSec: number): Promise<SimulationSummary> {
  return runSimulation({
    port, devices: 8, durationSec, rate: 1, seed: 10, recordsPerPacket: 2, imeiBase,
    ackTimeoutMs: 2000, backoffMinMs: 100, backoffMaxMs: 1000, graceMs: 60_000,
  })
}

/** Every status the API answered the test's polling with, to check no outage turned into a 500. */
const answeredStatuses = new Set<number>()

/** Reads the gateway stats until `check` passes; the API answers 503 while the database is away, which is retried. */
async function statsWhen(system: RunningSystem, cookie: string, check: (stats: GatewayStatsAnswer) => boolean): Promise<GatewayStatsAnswer> {
  const api = apiClient(system.baseUrl, cookie)
  return eventually(async () => {
    const answer = await api<GatewayStatsAnswer>('GET', '/api/gateway/stats')
    answeredStatuses.add(answer.status)
    if (answer.status !== 200 || !check(answer.body)) throw new Error(`stats not there yet: ${answer.status} ${JSON.stringify(answer.body?.database)}`)
    return answer.body
  }, 90_000, 100)
}

/**
 * Drops the database `times` times under load, each time waiting until it is reported back up (its
 * `since` moves past the drop) and until the devices got at least `resumeRecords` more records stored.
 * Returns when the last drop was over.
 */
async function dropRepeatedly(system: RunningSystem, cookie: string, times: number, drop: () => Promise<void>): Promise<void> {
  const resumeRecords = 40
  let stats = await statsWhen(system, cookie, (s) => (s.teltonika?.records ?? 0) >= resumeRecords)
  for (let i = 0; i < times; i++) {
    const droppedAt = new Date().toISOString()
    await drop()
    stats = await statsWhen(system, cookie, (s) => s.database.state === 'up' && s.database.since > droppedAt)
    expect(stats.database.lastError, 'the drop was seen').toEqual(expect.any(String))
    const before = stats.teltonika?.records ?? 0
    // Devices were left un-ACKed while it was away; they resend and are ACKed again.
    stats = await statsWhen(system, cookie, (s) => (s.teltonika?.records ?? 0) >= before + resumeRecords)
  }
}

/**
 * Every ACKed record is stored, and the process still serves: devices that connect now get every record
 * ACKed. (The running fleet's own end is not timed against the drops: on a busy machine its last records
 * may all come before the last return.)
 */
async function expectNothingLost(system: RunningSystem, summary: SimulationSummary, teltonikaPort: number, imeiBase: string): Promise<void> {
  expect(summary.recordsNeverAcked).toBe(0)
  const client = await FleetwireClient.login(system.baseUrl, ADMIN.email, ADMIN.password)
  const acked = summary.perDevice.flatMap((device) => device.ackedRecords.map(({ imei, fixTime }) => ({ imei, fixTime })))
  const { checked, missing } = await client.missingRecords(acked)
  expect(checked).toBe(acked.length)
  expect(missing).toEqual([])
  const after = await runSimulation({ port: teltonikaPort, devices: 4, durationSec: 3, rate: 1, seed: 11, imeiBase, ackTimeoutMs: 2000, graceMs: 30_000 })
  expect(after.recordsGenerated).toBeGreaterThan(0)
  expect(after.recordsAcked, 'devices connecting after the drops are ACKed').toBe(after.recordsGenerated)
  expect(system.process.exitCode, 'process alive').toBeNull()
}

describe('the embedded database dropping under load', () => {
  let system: RunningSystem
  let teltonikaPort: number
  let live: LiveClient | undefined
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-outage-'))
  // Not there yet: the system creates it, and must create it private.
  const dataDir = path.join(parent, 'data')
  beforeAll(async () => {
    teltonikaPort = await freePort()
    system = await startSystem({ dataDir, env: { TELTONIKA_PORT: String(teltonikaPort) } })
  })
  afterAll(async () => {
    live?.close()
    await system?.stop()
    fs.rmSync(parent, { recursive: true, force: true })
  }, 120_000)

  it('loses no ACKed record across three restarts of the embedded database, pushes down and up to the dashboard, and stays up', async () => {
    const cookie = await login(system.baseUrl)
    const pushed: DatabaseStatus['state'][] = []
    live = await connectLive(system.baseUrl, cookie, (socket) => socket.on('database', (status) => pushed.push(status.state)))

    const simulation = simulateDevices(teltonikaPort, '356307042480000', 40)
    // SIGUSR2 restarts the embedded database as a crash would: the worker is ended at once and started again.
    await dropRepeatedly(system, cookie, 3, async () => void system.process.kill('SIGUSR2'))
    const summary = await simulation

    await expectNothingLost(system, summary, teltonikaPort, '356307042481000')
    expect(summary.recordsResent, 'the restarts turned writes away: devices resent them').toBeGreaterThan(0)
    // Each drop and return, in order. The state sent on connection ('up') may come before the listener is attached.
    expect(pushed.slice(pushed[0] === 'up' ? 1 : 0)).toEqual(['down', 'up', 'down', 'up', 'down', 'up'])
    // While the database was away the API said so (503), never that it failed (500).
    expect([...answeredStatuses].filter((status) => status !== 200 && status !== 503)).toEqual([])
  }, 240_000)

  it('serves the embedded database on a socket only this user may reach, in a DATA_DIR it created private, and on no TCP port', () => {
    const mode = (file: string) => fs.statSync(file).mode & 0o777
    expect(mode(dataDir)).toBe(0o700)
    expect(mode(path.join(dataDir, 'pgdata'))).toBe(0o700)
    const socketDir = path.join(dataDir, 'socket')
    const socketFile = path.join(socketDir, '.s.PGSQL.5432')
    expect(mode(socketDir)).toBe(0o700)
    expect(fs.statSync(socketFile).isSocket()).toBe(true)
    expect(mode(socketFile)).toBe(0o600)
    // The process listens on TCP for the dashboard and the devices only: the ports of its ready line.
    const listening = listeningTcpPorts(system.process.pid!)
    expect([...listening].sort()).toEqual([...new Set(Object.values(system.ports))].sort())
  })

  it.skipIf(process.getuid?.() !== 0)('refuses another local user the embedded database socket', () => {
    // Switching users needs root (as CI runs); 65534 is `nobody`.
    const script = `require('net').connect(${JSON.stringify(path.join(dataDir, 'socket', '.s.PGSQL.5432'))}).on('connect', () => { console.log('connected'); process.exit(0) }).on('error', (err) => { console.log(err.code); process.exit(0) })`
    const attempt = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' })
    expect(attempt.stdout.trim()).toBe('EACCES')
  })
})

describe.skipIf(browserMissing)('the dashboard while the embedded database is away', () => {
  let system: RunningSystem | undefined
  let browser: Browser | undefined
  afterAll(async () => {
    await browser?.close()
    await system?.stop()
  }, 120_000)

  it('shows "Database unavailable" in the top bar while it restarts, then Live again', async () => {
    ;[system, browser] = await Promise.all([startSystem(), launchChromium()])
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(system.baseUrl + '/')
    await page.fill('#login-email', ADMIN.email)
    await page.fill('#login-password', ADMIN.password)
    await page.click('button[type="submit"]')
    const indicator = page.locator('header [role="status"]')
    await page.locator('[data-connection="connected"][data-database="up"]').waitFor({ timeout: 30_000 })
    expect(await indicator.textContent()).toContain('Live')

    system.process.kill('SIGUSR2')
    await page.locator('[data-connection="connected"][data-database="down"]').waitFor({ timeout: 30_000 })
    expect(await indicator.textContent()).toContain('Database unavailable')
    await page.locator('[data-connection="connected"][data-database="up"]').waitFor({ timeout: 60_000 })
    expect(await indicator.textContent()).toContain('Live')
  }, 180_000)
})

/** TCP ports this process listens on (Linux: its socket inodes matched against /proc/net/tcp and tcp6). */
function listeningTcpPorts(pid: number): Set<number> {
  const inodes = new Set<string>()
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' })
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
    if (inode) inodes.add(inode)
  }
  const ports = new Set<number>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // local_address is HEX_IP:HEX_PORT, st 0A is LISTEN, the inode is the tenth field.
      if (fields[3] === '0A' && inodes.has(fields[9]!)) ports.add(parseInt(fields[1]!.split(':')[1]!, 16))
    }
  }
  return ports
}

// Needs a PostgreSQL server with TimescaleDB, e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
// (on a Debian PostgreSQL 15, ../shared/timescaledb/install.sh adds the extension). Without one this is
// skipped: terminating backends from the server side needs a server.
describe.skipIf(!process.env.TEST_DATABASE_URL)('a PostgreSQL server terminating the connections under load', () => {
  const serverUrl = process.env.TEST_DATABASE_URL!
  const databaseName = `fleetwire_test_${randomBytes(6).toString('hex')}`
  let system: RunningSystem | undefined
  /** Runs `work` on a connection of its own to the server's maintenance database. */
  const asAdmin = async <T>(work: (admin: pg.Client) => Promise<T>): Promise<T> => {
    const admin = new pg.Client({ connectionString: serverUrl })
    await admin.connect()
    try {
      return await work(admin)
    } finally {
      await admin.end()
    }
  }
  afterAll(async () => {
    await system?.stop()
    if (system) fs.rmSync(system.dataDir, { recursive: true, force: true })
    await asAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`))
  }, 120_000)

  it('loses no ACKed record when every backend is terminated three times, and stays up', async () => {
    await asAdmin((admin) => admin.query(`CREATE DATABASE ${databaseName}`))
    const databaseUrl = new URL(serverUrl)
    databaseUrl.pathname = `/${databaseName}`
    const teltonikaPort = await freePort()
    system = await startSystem({ env: { DATABASE_URL: databaseUrl.href, TELTONIKA_PORT: String(teltonikaPort) } })
    const cookie = await login(system.baseUrl)

    const simulation = simulateDevices(teltonikaPort, '356307042490000', 30)
    const terminated: number[] = []
    await dropRepeatedly(system, cookie, 3, async () => {
      // Materialized first: in one WHERE, the planner may call pg_terminate_backend before filtering.
      const { rows } = await asAdmin((admin) =>
        admin.query<{ pid: number }>(
          `WITH victims AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid())
           SELECT pid FROM victims WHERE pg_terminate_backend(pid)`,
          [databaseName],
        ),
      )
      terminated.push(rows.length)
    })
    const summary = await simulation

    // Whether a write was in flight on a terminated backend is chance (an idle one is replaced before any
    // write needs it), so resends are not required here: the process surviving and losing nothing is.
    expect(terminated.every((count) => count > 0), `backends terminated each time: ${terminated}`).toBe(true)
    await expectNothingLost(system, summary, teltonikaPort, '356307042491000')
  }, 240_000)
})
