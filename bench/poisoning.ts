/**
 * Poisoning: a well-behaved Teltonika device's ACK rate (one record per packet, sent as soon as the
 * previous one is ACKed) alone, then during a flood of records that can never be stored — Teltonika
 * UDP datagrams dated in year 10000 and OsmAnd requests carrying a NUL byte — against the same running
 * system. The ratio is the share of its throughput the good device keeps (target: at least 0.9).
 */
import { fork, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { encodeAvlPacket, encodeImeiHandshake } from '../gateway/protocols/teltonika/encode.ts'
import type { FloodCounts, FloodOptions } from '../test/helpers/poison-flood.ts'
import type { RunningSystem } from '../test/helpers/system.ts'
import type { SenderMessage } from './poison-sender.ts'

export interface PoisoningResult {
  aloneAcksPerSecond: number
  floodedAcksPerSecond: number
  /** What the flood sent, per second. */
  datagramsPerSecond: number
  requestsPerSecond: number
  /** ACKs the good device did not get (a failed write, a closed connection): should be 0. */
  missedAcks: number
  flood: FloodCounts
}

export async function poisoningBench(
  system: RunningSystem,
  seconds: number,
  { datagramsPerSecond = 400, requestsPerSecond = 400, rounds = 4 } = {},
): Promise<PoisoningResult> {
  const device = await GoodDevice.connect(system.ports.teltonika!, '356307042499001')
  const flood = await FloodProcess.start()
  const options: FloodOptions = {
    teltonikaPort: system.ports.teltonika!, osmandPort: system.ports.osmand!, datagramsPerSecond, requestsPerSecond, imeiBase: 356307042498000,
  }
  // Rounds alone and flooded alternate, so a neighbour's load on a shared machine weighs on both alike.
  const alone = { acks: 0, missed: 0, seconds: 0 }
  const flooded = { acks: 0, missed: 0, seconds: 0 }
  const sent: FloodCounts = { datagrams: 0, requests: 0, statuses: {} }
  try {
    for (let round = 0; round < rounds; round++) {
      add(alone, await device.sendFor(seconds / rounds))
      flood.start(options)
      const measured = await device.sendFor(seconds / rounds).finally(async () => addCounts(sent, await flood.stop()))
      add(flooded, measured)
      if (system.process.exitCode !== null) throw new Error(`the system exited (${system.process.exitCode}) during the flood`)
    }
  } finally {
    device.close()
    flood.exit()
  }
  return {
    aloneAcksPerSecond: alone.acks / alone.seconds,
    floodedAcksPerSecond: flooded.acks / flooded.seconds,
    datagramsPerSecond: sent.datagrams / flooded.seconds,
    requestsPerSecond: sent.requests / flooded.seconds,
    missedAcks: alone.missed + flooded.missed,
    flood: sent,
  }
}

type Sent = { acks: number; missed: number; seconds: number }

function add(total: Sent, round: Sent): void {
  total.acks += round.acks
  total.missed += round.missed
  total.seconds += round.seconds
}

function addCounts(total: FloodCounts, round: FloodCounts): void {
  total.datagrams += round.datagrams
  total.requests += round.requests
  for (const [status, count] of Object.entries(round.statuses)) total.statuses[Number(status)] = (total.statuses[Number(status)] ?? 0) + count
}

/** The flood in a child process (bench/poison-sender.ts). */
class FloodProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<FloodProcess> {
    const child = fork(fileURLToPath(new URL('./poison-sender.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', (code) => reject(new Error(`the flood sender exited (${code}) before it was ready`)))
    })
    return new FloodProcess(child)
  }

  start(options: FloodOptions): void {
    this.#send({ start: options })
  }

  /** Stops the flood; resolves with what it sent. */
  stop(): Promise<FloodCounts> {
    return new Promise((resolve) => {
      this.child.once('message', (counts) => resolve(counts as FloodCounts))
      this.#send({ stop: true })
    })
  }

  exit(): void {
    if (this.child.connected) this.#send({ exit: true })
  }

  #send(message: SenderMessage): void {
    this.child.send(message)
  }
}

/** One Teltonika device on one connection, sending the next packet the moment the previous is ACKed. */
class GoodDevice {
  #fixMs = Date.now() - (Date.now() % 1000) - 20 * 60 * 60_000
  #onAck: ((count: number) => void) | undefined
  #pending = Buffer.alloc(0)

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#pending = Buffer.concat([this.#pending, chunk])
      while (this.#pending.length >= 4 && this.#onAck) {
        const count = this.#pending.readUInt32BE(0)
        this.#pending = this.#pending.subarray(4)
        this.#onAck(count)
      }
    })
  }

  static async connect(port: number, imei: string): Promise<GoodDevice> {
    const socket = net.connect(port, '127.0.0.1')
    socket.setNoDelay(true)
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    socket.write(encodeImeiHandshake(imei))
    await new Promise<void>((resolve, reject) => socket.once('data', (reply: Buffer) => (reply[0] === 1 ? resolve() : reject(new Error('device refused')))))
    return new GoodDevice(socket)
  }

  /** Sends packets one after another for `seconds`; counts the ACKed ones and the ones not acknowledged. */
  async sendFor(seconds: number): Promise<{ acks: number; missed: number; seconds: number }> {
    const started = performance.now()
    const deadline = started + seconds * 1000
    let acks = 0
    let missed = 0
    while (performance.now() < deadline) {
      this.#fixMs += 1000
      const packet = encodeAvlPacket([{ timeMs: this.#fixMs, latitude: 54.68, longitude: 25.28, satellites: 9, speedKmh: 30, course: 90, io: { 239: 1 } }])
      const count = await new Promise<number>((resolve) => {
        const timer = setTimeout(() => resolve(0), 10_000)
        this.#onAck = (acked) => {
          clearTimeout(timer)
          resolve(acked)
        }
        this.socket.write(packet)
      })
      this.#onAck = undefined
      if (count === 1) acks++
      else missed++
      if (this.socket.destroyed) throw new Error('the gateway closed the good device\'s connection')
    }
    return { acks, missed, seconds: (performance.now() - started) / 1000 }
  }

  close(): void {
    this.socket.destroy()
  }
}
