/**
 * Memory per idle device connection: the whole system (`main.ts` in its own process, as `npm start`
 * runs it) holding `connections` Teltonika devices that identified themselves and then went quiet,
 * beside a bare `net.createServer` child that only answers the handshake and holds the sockets.
 *
 * Each server's resident memory (VmRSS from /proc/<pid>/status) is read at rest before and after the
 * connections open; the difference divided by the connections is the cost of one. Neither child
 * exposes `gc()`, so both are read the same way: after a pause, the median of a few samples.
 * The clients run in their own processes (bench/idle-devices.ts), spread over loopback source
 * addresses. Every process here may hold at most its open-file limit of sockets, which caps the count.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import path from 'node:path'
import { createDatabase } from '../db/client.ts'
import { startEmbeddedDatabase } from '../db/embedded.ts'
import { migrate } from '../db/migrate.ts'
import { startSystem } from '../test/helpers/system.ts'
import type { OpenReport, OpenRequest } from './idle-devices.ts'

export interface ConnectionsBenchOptions {
  /** Connections wanted; fewer are opened when the open-file limit does not allow them. */
  connections: number
  /** Pause before each memory reading, ms. */
  settleMs: number
}

export interface ConnectionsBenchResult {
  requested: number
  /** Identified connections both servers held when measured. */
  connections: number
  /** Why fewer than requested, if so. */
  limitedBy?: string
  systemBytesPerConnection: number
  bareBytesPerConnection: number
}

/** File descriptors kept free in each process for everything that is not a device socket. */
const SPARE_DESCRIPTORS = 300
const IMEI_BASE = 359_000_000_000_000
/** How long after it is ready the system's resident memory keeps stepping down (measured: steps at ~6 s and ~12 s). */
const SYSTEM_SETTLE_MS = 14_000

/** A server holding sockets and nothing else: the floor any Node gateway stands on. */
const BARE_SERVER = `
const net = require('node:net')
const sockets = new Set()
const server = net.createServer((socket) => {
  sockets.add(socket)
  socket.once('data', () => socket.write(Buffer.of(1)))
  socket.on('error', () => {})
  socket.on('close', () => sockets.delete(socket))
})
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'))
`

export async function connectionsBench(options: ConnectionsBenchOptions): Promise<ConnectionsBenchResult> {
  const limit = openFileLimit()
  const perProcess = limit.soft - SPARE_DESCRIPTORS
  const connections = Math.min(options.connections, perProcess)
  const limitedBy = connections < options.connections
    ? `open-file limit ${limit.soft} (hard ${limit.hard}): one server process holds at most ~${perProcess} sockets`
    : undefined

  // The system releases memory in steps for a while after it starts (about 12 s here), so it starts
  // first and settles while the bare server is measured.
  const starting = registeredFleet(connections).then((dataDir) =>
    startSystem({ dataDir, env: { LOG_LEVEL: 'error', NODE_OPTIONS: withGcOnSignal(process.env.NODE_OPTIONS) } }),
  )
  starting.catch(() => {})
  const readyAt = starting.then(() => performance.now())
  readyAt.catch(() => {})

  let bareBytes: number
  const bare = await startBareServer()
  try {
    bareBytes = await bytesPerConnection(bare.child.pid!, bare.port, connections, perProcess, options.settleMs)
  } finally {
    bare.child.kill()
  }

  const system = await starting
  try {
    await sleep((await readyAt) + SYSTEM_SETTLE_MS - performance.now())
    const systemBytes = await bytesPerConnection(system.process.pid!, system.ports.teltonika!, connections, perProcess, options.settleMs)
    return { requested: options.connections, connections, limitedBy, systemBytesPerConnection: systemBytes, bareBytesPerConnection: bareBytes }
  } finally {
    await system.stop()
    fs.rmSync(system.dataDir, { recursive: true, force: true })
  }
}

/**
 * A data directory whose database already lists the devices, as a running fleet's does: the
 * benchmark is about connections, not about registering 10,000 new devices one INSERT at a time.
 */
async function registeredFleet(devices: number): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-bench-'))
  const embedded = await startEmbeddedDatabase(dataDir)
  const db = createDatabase(embedded.url, { embedded: true })
  try {
    await migrate(db)
    await db.query(
      `INSERT INTO devices (imei, protocol) SELECT ($1::bigint + n)::text, 'teltonika' FROM generate_series(0, $2::int - 1) AS n`,
      [IMEI_BASE, devices],
    )
  } finally {
    await db.end()
    await embedded.stop()
  }
  return dataDir
}

async function bytesPerConnection(pid: number, port: number, connections: number, perProcess: number, settleMs: number): Promise<number> {
  const before = await restingRss(pid, settleMs)
  const clients: ChildProcess[] = []
  try {
    const reports = await Promise.all(
      chunks(connections, perProcess).map(({ first, count }) => {
        const child = fork(fileURLToPath(new URL('./idle-devices.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
        clients.push(child)
        return new Promise<OpenReport>((resolve, reject) => {
          child.once('message', (report: OpenReport) => resolve(report))
          child.once('exit', (code) => reject(new Error(`device clients exited with ${code}`)))
          child.send({ open: { port, first, count, imeiBase: IMEI_BASE } } satisfies OpenRequest)
        })
      }),
    )
    const failed = reports.reduce((sum, report) => sum + report.failed, 0)
    if (failed > 0) throw new Error(`${failed} of ${connections} device connections failed: ${reports.find((r) => r.firstError)?.firstError}`)
    const after = await restingRss(pid, settleMs)
    return (after - before) / connections
  } finally {
    for (const child of clients) child.disconnect()
  }
}

function chunks(total: number, size: number): { first: number; count: number }[] {
  const result: { first: number; count: number }[] = []
  for (let first = 0; first < total; first += size) result.push({ first, count: Math.min(size, total - first) })
  return result
}

async function startBareServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', BARE_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: withGcOnSignal(process.env.NODE_OPTIONS) },
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)))
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
  })
  return { child, port }
}

/**
 * Node options that make a process run a full garbage collection on SIGUSR2: a preloaded one-line
 * module, no change to the program measured. Both servers get it, so readings are taken on live memory.
 */
export function withGcOnSignal(nodeOptions = ''): string {
  return `${nodeOptions} --expose-gc --import=data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc())`.trim()
}

/** Resident memory at rest: two full collections, a pause, then the median of three readings. */
async function restingRss(pid: number, settleMs: number): Promise<number> {
  for (let i = 0; i < 2; i++) {
    process.kill(pid, 'SIGUSR2')
    await sleep(250)
  }
  await sleep(settleMs)
  const readings: number[] = []
  for (let i = 0; i < 3; i++) {
    readings.push(rssBytes(pid))
    await sleep(150)
  }
  return readings.sort((a, b) => a - b)[1]!
}

export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) * 1024
}

/** This process's open-file limit ("Max open files" in /proc/self/limits); child processes inherit it. */
export function openFileLimit(): { soft: number; hard: number } {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))
  const value = (text: string | undefined) => (text === undefined || text === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(text))
  return { soft: value(match?.[1]), hard: value(match?.[2]) }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}
