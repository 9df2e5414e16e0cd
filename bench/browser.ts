/**
 * The dispatcher's page under a big fleet: `vehicles` Teltonika devices each reporting once a second,
 * one headless chromium on the map. Reports the page's frame time p95 (from window.__fleetwire) and
 * the socket.io bytes per second one dashboard client receives.
 */
import net from 'node:net'
import { io } from 'socket.io-client'
import { encodeAvlPacket, encodeImeiHandshake } from '../gateway/protocols/teltonika/encode.ts'
import { launchChromium } from '../test/helpers/browser.ts'
import { ADMIN, login, type RunningSystem } from '../test/helpers/system.ts'

export interface BrowserBenchResult {
  vehicles: number
  frameP95Ms: number
  frameP50Ms: number
  socketBytesPerSecond: number
  /** Raw bytes the devices sent per second, for scale. */
  deviceBytesPerSecond: number
}

export async function browserBench(system: RunningSystem, vehicles: number, seconds: number): Promise<BrowserBenchResult> {
  const fleet = await startFleet(system.ports.teltonika!, vehicles)
  const cookie = await login(system.baseUrl)
  let socketBytes = 0
  const client = io(system.baseUrl, { transports: ['websocket'], extraHeaders: { cookie } })
  client.io.on('open', () => client.io.engine.on('data', (data: string | Buffer) => (socketBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length)))
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(system.baseUrl + '/')
    await page.fill('#login-email', ADMIN.email)
    await page.fill('#login-password', ADMIN.password)
    await page.click('button[type="submit"]')
    await page.waitForFunction((n) => (window.__fleetwire?.markerCount ?? 0) >= n * 0.95, vehicles, { timeout: 60_000 })
    await new Promise((resolve) => setTimeout(resolve, 3000))
    socketBytes = 0
    const deviceBytesBefore = fleet.bytes()
    const started = Date.now()
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    const elapsed = (Date.now() - started) / 1000
    const frames = (await page.evaluate(() => [...(window.__fleetwire?.frameTimes ?? [])])).sort((a, b) => a - b)
    const at = (q: number) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))] ?? Number.NaN
    return {
      vehicles,
      frameP95Ms: at(0.95),
      frameP50Ms: at(0.5),
      socketBytesPerSecond: socketBytes / elapsed,
      deviceBytesPerSecond: (fleet.bytes() - deviceBytesBefore) / elapsed,
    }
  } finally {
    client.close()
    await browser.close()
    fleet.stop()
  }
}

/** `count` devices on one event loop, each sending one record a second (staggered), ACKs read and ignored. */
async function startFleet(port: number, count: number): Promise<{ bytes(): number; stop(): void }> {
  const sockets: net.Socket[] = []
  let bytes = 0
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('data', () => {})
    socket.on('error', () => {})
    socket.write(encodeImeiHandshake(String(358000000000000 + i)))
    sockets.push(socket)
    if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  let tick = 0
  const timer = setInterval(() => {
    tick++
    const slice = tick % 10
    for (let i = slice; i < count; i += 10) {
      const angle = (tick / 600 + i) % (2 * Math.PI)
      const packet = encodeAvlPacket([{
        timeMs: Date.now(), latitude: 54.68 + 0.05 * Math.sin(angle) + (i % 70) * 0.001, longitude: 25.28 + 0.08 * Math.cos(angle) + Math.floor(i / 70) * 0.001,
        satellites: 9, speedKmh: 40, course: (i * 7) % 360, io: { 239: 1, 240: 1, 66: 14000 },
      }])
      bytes += packet.length
      sockets[i]!.write(packet)
    }
  }, 100)
  return { bytes: () => bytes, stop: () => (clearInterval(timer), sockets.forEach((socket) => socket.destroy())) }
}
