/**
 * Fuzzes the HTTP servers of a whole running system (`main.ts` in a child process on free ports):
 * signs a fuzzing user in, runs the dashboard and OsmAnd targets, and checks after them that the
 * process is alive and a Teltonika device still gets its ACK.
 */
import http from 'node:http'
import { apiClient } from '../test/helpers/api-client.ts'
import { login, startSystem, type RunningSystem } from '../test/helpers/system.ts'
import { TeltonikaTestDevice } from '../test/helpers/teltonika-client.ts'
import { encodeQueryTarget } from '../gateway/protocols/osmand/encode.ts'
import type { Random } from '../simulator/random.ts'
import { fuzzHttp, send, type HttpFuzzReport } from './http-fuzz.ts'
import { dashboardRequests, osmandRequests } from './http-targets.ts'

export const HTTP_TARGETS = ['dashboard', 'osmand'] as const
export type HttpTarget = (typeof HTTP_TARGETS)[number]

export interface SystemFuzzReport {
  reports: HttpFuzzReport[]
  /** After all requests: the process had not exited and a device's record was ACKed. */
  survived: boolean
}

const FUZZER = { email: 'fuzzer@example.com', password: 'fuzzer-password-2026' }

export async function fuzzRunningSystem(options: { targets: readonly HttpTarget[]; requests: number; random: Random; onReport?: (report: HttpFuzzReport, seconds: number) => void }): Promise<SystemFuzzReport> {
  const system = await startSystem({ env: { LOG_LEVEL: 'fatal' } })
  try {
    const reports: HttpFuzzReport[] = []
    const alive = aliveCheck(system)
    for (const target of options.targets) {
      const started = performance.now()
      const report = await fuzzHttp({
        name: target,
        host: '127.0.0.1',
        port: target === 'dashboard' ? system.ports.http! : system.ports.osmand!,
        requests: options.requests,
        random: options.random,
        generate: target === 'dashboard' ? dashboardRequests(await fuzzingSession(system)) : osmandRequests,
        alive,
      })
      reports.push(report)
      options.onReport?.(report, (performance.now() - started) / 1000)
    }
    return { reports, survived: system.process.exitCode === null && (await deviceAcked(system)) }
  } finally {
    await system.stop()
  }
}

/** A second admin plays the fuzzer, so the first admin and the fuzzer's own account can be kept out of reach. */
async function fuzzingSession(system: RunningSystem) {
  const admin = apiClient(system.baseUrl, await login(system.baseUrl))
  const me = await admin<{ id: number }>('GET', '/api/me')
  const created = await admin<{ id: number }>('POST', '/api/users', {
    name: 'Fuzzer',
    ...FUZZER,
    permissions: { map: 'edit', settings: 'edit', customers: 'edit' },
    visibility: { kind: 'all' },
  })
  if (created.status !== 201) throw new Error(`could not create the fuzzing user: ${created.status} ${JSON.stringify(created.body)}`)
  return { cookie: await login(system.baseUrl, FUZZER), protectedUserIds: [me.body.id, created.body.id] }
}

function aliveCheck(system: RunningSystem): () => Promise<boolean> {
  const agent = new http.Agent({ keepAlive: false })
  return async () => {
    if (system.process.exitCode !== null) return false
    const api = await send('127.0.0.1', system.ports.http!, { method: 'GET', target: '/api/settings/map', headers: {} }, agent)
    const phone = await send('127.0.0.1', system.ports.osmand!, { method: 'GET', target: encodeQueryTarget('alive-check', { timeMs: Date.now() - 1000, latitude: 54.68, longitude: 25.28 }), headers: {} }, agent)
    // Anonymous API requests answer 401: the server is up and routing.
    return api === 401 && phone === 200
  }
}

async function deviceAcked(system: RunningSystem): Promise<boolean> {
  const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, '356307042449999')
  try {
    return (await device.send([{ timeMs: Date.now() - 1000, latitude: 54.68, longitude: 25.28, satellites: 9, speedKmh: 20, io: { 239: 1 } }])) === 1
  } finally {
    device.close()
  }
}
