/**
 * A tester's run, as the README shows it — `npm run simulate -- --scenario <file> --api <url>
 * --verify --json` against the real system. A scenario of four protocols in which everything happens:
 * power cuts and restores, harsh driving, a coverage gap, lost ACKs, garbage bytes, a slow trickle, a
 * skewed clock, parking and a device that goes silent past the system's no-update threshold. The
 * simulator must find every ACKed record stored and every scripted alert raised, and say so.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, startSystem, type RunningSystem } from './helpers/system.ts'

const scenario = {
  name: 'everything-at-once',
  description: 'A short run in which each scripted thing happens at least once, on each protocol that can do it.',
  durationSec: 24,
  fleets: [
    { name: 'vans', protocol: 'teltonika', count: 4, intervalSec: 1, imeiBase: '356307042700000' },
    { name: 'cars', protocol: 'gt06', count: 3, intervalSec: 1, imeiBase: '356307042701000' },
    { name: 'trucks', protocol: 'queclink', transport: 'udp', count: 3, intervalSec: 1, imeiBase: '356307042702000' },
    { name: 'phones', protocol: 'osmand', count: 2, intervalSec: 1, imeiBase: '356307042703000' },
  ],
  events: [
    { type: 'clockSkew', at: 0, offsetSec: -20, fleet: 'vans', devices: [3] },
    { type: 'powerCut', at: 2, durationSec: 4 },
    { type: 'duplicateResend', at: 3, count: 2, devices: [0] },
    { type: 'coverageLoss', at: 7, durationSec: 5, devices: [1] },
    { type: 'garbage', at: 8, bytes: 40, devices: [1] },
    { type: 'harshBraking', at: 9 },
    { type: 'slowTrickle', at: 10, durationSec: 4, bytesPerSec: 60, fleet: 'vans', devices: [0] },
    { type: 'slowTrickle', at: 10, durationSec: 4, bytesPerSec: 60, fleet: 'cars', devices: [0] },
    { type: 'stopReporting', at: 6, durationSec: 12, fleet: 'vans', devices: [2] },
    { type: 'ignitionOff', at: 14, durationSec: 5, devices: [0] },
    { type: 'harshCornering', at: 20 },
  ],
}

interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

function simulate(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('simulate a scenario against the system and verify it', () => {
  let system: RunningSystem
  let dir: string

  beforeAll(async () => {
    // A short no-update threshold, so the silent van is due an alert within the run.
    system = await startSystem({ env: { NO_UPDATE_AFTER: '5000' } })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetwire-scenario-'))
    fs.writeFileSync(path.join(dir, 'everything.json'), JSON.stringify(scenario))
  })

  afterAll(async () => {
    await system?.stop()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('finds every ACKed record stored once and every scripted alert raised', { timeout: 150_000 }, async () => {
    const run = await simulate(
      ['--scenario', path.join(dir, 'everything.json'), '--api', system.baseUrl, '--email', ADMIN.email, '--verify', '--json', '--seed', '5', '--ack-timeout', '2'],
      { FLEETWIRE_PASSWORD: ADMIN.password },
    )
    expect(run.code, run.stderr).toBe(0)
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
    expect(summary.fleets.map((f: { name: string; port: number }) => [f.name, f.port])).toEqual([
      ['vans', system.ports.teltonika],
      ['cars', system.ports.gt06],
      ['trucks', system.ports.queclink],
      ['phones', system.ports.osmand],
    ])
    expect(summary.recordsNeverAcked).toBe(0)
    expect(summary.recordsAcked).toBe(summary.recordsGenerated)
    expect(summary.acksIgnored).toBe(4 * 2)
    expect(summary.garbageBytes).toBe(4 * 40)
    expect(summary.recordsResent).toBeGreaterThanOrEqual(4 * 2)

    const verify = summary.verify
    expect(verify.recordsChecked).toBe(summary.recordsAcked)
    expect(verify.recordsMissing).toEqual([])
    expect(verify.alertsMissing).toEqual([])
    // 12 cuts, 12 harsh brakings and 12 harsh cornerings, the silent van's no-update.
    expect(verify.alertsExpected).toBe(37)
    expect(verify.alertsFound).toBe(37)
    expect(verify.ok).toBe(true)
  })

  it('tells a tester what is wrong with a scenario, naming the field', async () => {
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...scenario, events: [{ type: 'slowTrickle', at: 1, durationSec: 2, fleet: 'phones' }] }))
    const run = await simulate(['--scenario', path.join(dir, 'bad.json')], {})
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/events\.0\.type: phones: a slow trickle needs a TCP stream, not http/)
  })
})

describe('a tester on the machine of a system started without ADMIN_PASSWORD', () => {
  let system: RunningSystem

  beforeAll(async () => {
    system = await startSystem({ env: { ADMIN_PASSWORD: '' } })
  })

  afterAll(async () => {
    await system?.stop()
  })

  it('verifies with the generated password the system keeps, owner-only, in its data directory', { timeout: 60_000 }, async () => {
    const file = path.join(system.dataDir, 'admin-password')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const run = await simulate(
      ['--api', system.baseUrl, '--verify', '--json', '--port', String(system.ports.teltonika), '--devices', '2', '--duration', '3', '--imei-base', '356307042704000'],
      { DATA_DIR: system.dataDir, ADMIN_EMAIL: ADMIN.email, FLEETWIRE_PASSWORD: '', ADMIN_PASSWORD: '' },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!).verify).toMatchObject({ ok: true, recordsChecked: 6, recordsMissing: [] })
  })
})
