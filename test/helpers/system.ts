import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const ADMIN = { email: 'admin@example.com', password: 'test-password-1' }

export interface RunningSystem {
  ports: Record<string, number>
  dataDir: string
  process: ChildProcess
  baseUrl: string
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>
  /** kill -9: no chance to flush anything. */
  kill(): Promise<void>
  stderr(): string
}

// Every system a test file started is stopped after the file, and the data directories made for it removed,
// even when the test never got its handle (it gave up while the system was starting) or its own afterAll
// failed first. Benchmarks and the HTTP fuzzer start systems outside vitest and stop them themselves.
const running = new Set<ChildProcess>()
const madeDataDirs = new Set<string>()
if (process.env.VITEST) {
  const { afterAll } = await import('vitest')
  afterAll(async () => {
    await Promise.all([...running].map(killAndWait))
    for (const dir of madeDataDirs) fs.rmSync(dir, { recursive: true, force: true })
    madeDataDirs.clear()
  })
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGKILL')
  return exited
}

/** Starts the whole system (`main.ts`) as a separate process on free ports, as `npm start` would. */
export async function startSystem(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<RunningSystem> {
  let dataDir = options.dataDir
  if (dataDir === undefined) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-sys-'))
    madeDataDirs.add(dataDir)
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      HTTP_PORT: '0',
      TELTONIKA_PORT: '0',
      GT06_PORT: '0',
      QUECLINK_PORT: '0',
      OSMAND_PORT: '0',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      MAP_TILE_URL: '',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20_000)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`system not ready in 90 s:\n${stderr}`)), 90_000)
    child.once('exit', (code) => reject(new Error(`system exited with ${code} before ready:\n${stderr}`)))
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return
      const message = JSON.parse(line) as { ready?: boolean; ports?: Record<string, number> }
      if (message.ready && message.ports) {
        clearTimeout(timer)
        resolve(message.ports)
      }
    })
  })
  let ports: Record<string, number>
  try {
    ports = await ready
  } catch (err) {
    await killAndWait(child)
    throw err
  }
  return {
    ports,
    dataDir,
    process: child,
    baseUrl: `http://127.0.0.1:${ports.http}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    },
    stderr: () => stderr,
  }
}

/** A TCP port free on the loopback now, for a system that must listen on a port known before it starts. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Logs in through the API and returns the session cookie header. */
export async function login(baseUrl: string, credentials = ADMIN): Promise<string> {
  const response = await fetch(`${baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  })
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`)
  return response.headers.get('set-cookie')!.split(';')[0]!
}
