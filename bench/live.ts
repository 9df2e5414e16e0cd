/**
 * Live latency: from the moment a device wrote a position to the moment each dashboard client's
 * socket.io receives the vehicle update carrying it, with the whole system (`main.ts` in its own
 * process) under a fleet's ingest load — beside a bare uWebSockets.js app relaying the same messages
 * (same count, sizes and timing) to the same number of plain WebSocket clients, measured the same way.
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import net from 'node:net'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { io, type Socket } from 'socket.io-client'
import type { DeviceSummary } from '../dashboard/shared/contract.ts'
import { encodeAvlPacket, encodeImeiHandshake } from '../gateway/protocols/teltonika/encode.ts'
import { login, startSystem } from '../test/helpers/system.ts'
import type { BenchResult } from './result.ts'


export interface LiveBenchOptions {
  /** Devices, each reporting one record every `reportEveryMs` (staggered). */
  devices?: number
  reportEveryMs?: number
  /** Dashboard clients, each logged in as the admin (sees the whole fleet). */
  clients?: number
  /** Measured seconds, for the system and again for the baseline. */
  seconds?: number
  /** Where to write details (delivery counts, message sizes). */
  say?: (line: string) => void
}

/** Plain WebSocket client (the `ws` package socket.io itself uses); typed here, it ships no types. */
interface PlainWebSocket {
  on(event: 'open' | 'close', listener: () => void): void
  on(event: 'message', listener: (data: Buffer) => void): void
  on(event: 'error', listener: (err: Error) => void): void
  send(data: string): void
  close(): void
}
const WebSocket = createRequire(import.meta.url)('ws') as new (url: string) => PlainWebSocket

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const WARMUP_MS = 2000
const IMEI_BASE = 359000000000000

interface Sample {
  latencies: number[]
  /** The messages client 0 received in the window: offset (ms from the window's start) and wire size. */
  schedule: { at: number; bytes: number }[]
  received: number
  sent: number
  /** The bench process itself (clients and devices) during the window: CPU share of one core, event-loop delay p99. */
  benchCpu?: number
  benchLoopDelayP99Ms?: number
}

export async function liveBench(options: LiveBenchOptions = {}): Promise<BenchResult[]> {
  const { devices = 1000, reportEveryMs = 1000, clients = 50, seconds = 8, say = () => {} } = options
  const system = await systemLatency(devices, reportEveryMs, clients, seconds)
  const raw = await relayLatency(system.schedule, clients)
  const bytes = system.schedule.reduce((sum, message) => sum + message.bytes, 0)
  say(
    `live: ${system.sent} positions sent, ${system.latencies.length} of ${system.sent * clients} client deliveries matched ` +
      `(${system.received} vehicle messages received in all); ${system.schedule.length} messages/client, ` +
      `${Math.round(bytes / Math.max(1, system.schedule.length))} bytes on average; baseline ${raw.latencies.length} of ${raw.sent * clients} delivered; ` +
      `the bench process (devices and clients) used ${Math.round(system.benchCpu! * 100)} % of a core, event-loop delay p99 ${system.benchLoopDelayP99Ms!.toFixed(0)} ms`,
  )
  const label = `${devices} devices reporting every ${reportEveryMs / 1000} s, ${clients} clients`
  const baseline = `bare uWS publish of the same messages to ${clients} WebSocket clients`
  const system50 = quantile(system.latencies, 0.5)
  const system99 = quantile(system.latencies, 0.99)
  const raw50 = quantile(raw.latencies, 0.5)
  const raw99 = quantile(raw.latencies, 0.99)
  return [
    { name: `live: position → socket.io client p50, ${label}`, value: system50, unit: 'ms', baseline, baselineValue: raw50, ratio: system50 / raw50 },
    { name: `live: position → socket.io client p99, ${label}`, value: system99, unit: 'ms', baseline, baselineValue: raw99, ratio: system99 / raw99 },
  ]
}

/** The real system: devices over TCP, `clients` socket.io clients; latency from the device's write to each client's receipt. */
async function systemLatency(devices: number, reportEveryMs: number, clients: number, seconds: number): Promise<Sample> {
  const system = await startSystem({ env: { LOG_LEVEL: 'error' } })
  const sockets: Socket[] = []
  let fleet: { stop(): void } | undefined
  try {
    const cookie = await login(system.baseUrl)
    for (let i = 0; i < clients; i++) sockets.push(io(system.baseUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false }))
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject))))

    // Send time of each measured position, by device and fix time (the fix time is the send time, in ms).
    const sentAt = new Map<string, number>()
    /** Devices client 0 has seen a position of: the warm-up lasts until it is every one. */
    const positioned = new Set<string>()
    const sample: Sample = { latencies: [], schedule: [], received: 0, sent: 0 }
    let windowStart = Number.POSITIVE_INFINITY
    let windowEnd = Number.POSITIVE_INFINITY
    sockets.forEach((socket, index) => {
      // A summary is sent again without a new position (connection closed, vehicle renamed): only its first arrival counts.
      const matched = new Map<string, number>()
      socket.on('vehicle', (summary: DeviceSummary) => {
        const now = performance.now()
        sample.received++
        if (index === 0 && summary.position) positioned.add(summary.imei)
        if (index === 0 && now >= windowStart && now < windowEnd) {
          sample.schedule.push({ at: now - windowStart, bytes: Buffer.byteLength(JSON.stringify(summary)) + '42["vehicle",]'.length })
        }
        if (!summary.position) return
        const fixMs = Date.parse(summary.position.fixTime)
        const sent = sentAt.get(`${summary.imei}/${fixMs}`)
        if (sent === undefined || matched.get(summary.imei) === fixMs) return
        matched.set(summary.imei, fixMs)
        sample.latencies.push(now - sent)
      })
    })
    fleet = await startFleet(system.ports.teltonika!, devices, reportEveryMs, (imei, timeMs, at) => {
      if (at < windowStart || at >= windowEnd) return
      sentAt.set(`${imei}/${timeMs}`, at)
      sample.sent++
    })
    // Warm-up: every device admitted and on the map (the start's backlog drained), then a little steady state.
    const warmupEnd = performance.now() + 60_000
    while (positioned.size < devices && performance.now() < warmupEnd) await sleep(100)
    await sleep(WARMUP_MS)
    windowStart = performance.now()
    windowEnd = windowStart + seconds * 1000
    const loop = monitorEventLoopDelay({ resolution: 5 })
    loop.enable()
    const cpu = process.cpuUsage()
    await sleep(seconds * 1000)
    const used = process.cpuUsage(cpu)
    loop.disable()
    sample.benchCpu = (used.user + used.system) / 1000 / (seconds * 1000)
    sample.benchLoopDelayP99Ms = loop.percentile(99) / 1e6
    fleet.stop()
    // Deliveries of the window's last positions still count.
    await sleep(1000)
    return sample
  } finally {
    fleet?.stop()
    for (const socket of sockets) socket.close()
    await system.stop()
  }
}

/** `count` Teltonika devices on one event loop, each sending one fresh record every `everyMs`, staggered; ACKs read and ignored. */
async function startFleet(port: number, count: number, everyMs: number, onSend: (imei: string, timeMs: number, at: number) => void): Promise<{ stop(): void }> {
  const sockets: net.Socket[] = []
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    socket.on('data', () => {})
    socket.on('error', () => {})
    socket.write(encodeImeiHandshake(String(IMEI_BASE + i)))
    sockets.push(socket)
    if (i % 200 === 199) await sleep(20)
  }
  // Ten slices of the fleet, one per tenth of the period.
  const slices = 10
  let tick = 0
  const timer = setInterval(() => {
    tick++
    for (let i = tick % slices; i < count; i += slices) {
      const timeMs = Date.now()
      const angle = (tick / 600 + i) % (2 * Math.PI)
      const packet = encodeAvlPacket([{
        timeMs, latitude: 54.68 + 0.05 * Math.sin(angle) + (i % 70) * 0.001, longitude: 25.28 + 0.08 * Math.cos(angle) + Math.floor(i / 70) * 0.001,
        satellites: 9, speedKmh: 40, course: (i * 7) % 360, io: { 239: 1, 240: 1, 66: 14000 },
      }])
      sockets[i]!.write(packet)
      onSend(String(IMEI_BASE + i), timeMs, performance.now())
    }
  }, everyMs / slices)
  return { stop: () => (clearInterval(timer), sockets.forEach((socket) => socket.destroy())) }
}

/** The baseline: the same messages (client 0's schedule: when, how big) sent through a bare uWS relay to `clients` WebSocket clients. */
async function relayLatency(schedule: Sample['schedule'], clients: number): Promise<{ latencies: number[]; sent: number }> {
  const relay = spawn(process.execPath, ['--import', 'tsx', 'bench/uws-relay.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => relay.once('exit', resolve))
  const sockets: PlainWebSocket[] = []
  try {
    const port = await new Promise<number>((resolve, reject) => {
      relay.once('exit', (code) => reject(new Error(`uws relay exited with ${code}`)))
      readline.createInterface({ input: relay.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
    })
    const sentAt: number[] = []
    const latencies: number[] = []
    const open = (url: string) => {
      const socket = new WebSocket(url)
      sockets.push(socket)
      return new Promise<PlainWebSocket>((resolve, reject) => (socket.on('open', () => resolve(socket)), socket.on('error', reject)))
    }
    const subscribers = await Promise.all(Array.from({ length: clients }, () => open(`ws://127.0.0.1:${port}/subscribe`)))
    for (const subscriber of subscribers) {
      subscriber.on('message', (data) => {
        const now = performance.now()
        const { seq } = JSON.parse(data.toString()) as { seq: number }
        latencies.push(now - sentAt[seq]!)
      })
    }
    const publisher = await open(`ws://127.0.0.1:${port}/publish`)
    await sleep(200)
    const start = performance.now()
    let next = 0
    await new Promise<void>((resolve) => {
      const send = () => {
        const elapsed = performance.now() - start
        while (next < schedule.length && schedule[next]!.at <= elapsed) {
          const head = `{"seq":${next},"pad":"`
          const message = head + 'x'.repeat(Math.max(0, schedule[next]!.bytes - head.length - 2)) + '"}'
          sentAt[next] = performance.now()
          publisher.send(message)
          next++
        }
        if (next < schedule.length) setTimeout(send, Math.max(0, schedule[next]!.at - elapsed))
        else resolve()
      }
      send()
    })
    await sleep(1000)
    return { latencies, sent: schedule.length }
  } finally {
    for (const socket of sockets) socket.close()
    relay.kill('SIGTERM')
    await exited
  }
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [seconds = 8, devices = 1000, clients = 50] = process.argv.slice(2).map(Number)
  for (const result of await liveBench({ seconds, devices, clients, say: (line) => console.log(line) })) {
    console.log(`${result.name}: ${result.value.toFixed(1)} ${result.unit} vs ${result.baselineValue.toFixed(1)} (${result.baseline}), ratio ${result.ratio.toFixed(2)}`)
  }
}
