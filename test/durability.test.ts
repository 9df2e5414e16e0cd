import { afterAll, describe, expect, it } from 'vitest'
import type { StoredPosition } from '../dashboard/shared/contract.ts'
import { createRandom } from '../simulator/random.ts'
import { runSimulation } from '../simulator/run.ts'
import { freePort, login, startSystem, type RunningSystem } from './helpers/system.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('durability: no ACKed record is lost when the system is killed with SIGKILL', () => {
  let system: RunningSystem | undefined
  afterAll(() => system?.stop())

  it('finds every ACKed record after five kill -9 and restarts during a simulation', async () => {
    const teltonikaPort = await freePort()
    const env = { TELTONIKA_PORT: String(teltonikaPort) }
    system = await startSystem({ env })
    const dataDir = system.dataDir
    const simulation = runSimulation({
      port: teltonikaPort, devices: 20, durationSec: 40, rate: 1, seed: 3, recordsPerPacket: 2,
      imeiBase: '356307042450000', ackTimeoutMs: 2000, backoffMinMs: 100, backoffMaxMs: 1000, graceMs: 40_000,
    })
    // Kill at random moments, so some kills land between a commit and its ACK, others mid-batch.
    const random = createRandom(42)
    for (let kill = 0; kill < 5; kill++) {
      await sleep(1500 + random() * 3000)
      await system.kill()
      system = await startSystem({ dataDir, env })
    }
    const summary = await simulation
    expect(summary.recordsNeverAcked).toBe(0)
    expect(summary.recordsResent, 'kills forced resends').toBeGreaterThan(0)

    const cookie = await login(system.baseUrl)
    const from = new Date(Date.parse(summary.startTime) - 60_000).toISOString()
    const to = new Date(Date.parse(summary.startTime) + 120_000).toISOString()
    let missing = 0
    for (const device of summary.perDevice) {
      const response = await fetch(`${system.baseUrl}/api/devices/${device.imei}/positions?from=${from}&to=${to}`, { headers: { cookie } })
      const stored = new Set(((await response.json()) as StoredPosition[]).map((position) => position.fixTime))
      missing += device.ackedRecords.filter((record) => !stored.has(record.fixTime)).length
    }
    expect(missing).toBe(0)
    expect(summary.recordsAcked).toBeGreaterThan(500)
  }, 240_000)
})
