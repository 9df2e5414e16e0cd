/**
 * What a tester's `--verify` relies on, against the real system. The API that checks stored
 * records in bulk (`POST /api/positions/missing`), alert paging and the device filter, the thresholds,
 * the simulator's API client and `verifyRun` after a simulated run with power cuts.
 *
 * The system's embedded database is held by its own process (one connection at a time), so a "lost"
 * record is one fabricated next to the real ones and never sent, rather than a stored row deleted.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, AlertThresholds, MissingRecordsResponse, User, Vehicle } from '../dashboard/shared/contract.ts'
import { FleetwireApiError, login as clientLogin, type FleetwireClient } from '../simulator/api-client.ts'
import { deviceImei, runSimulation, type AckedRecord, type SimulationSummary } from '../simulator/run.ts'
import { formatVerifyReport, verifyRun, type ExpectedAlert } from '../simulator/verify.ts'
import { apiClient, type ApiCall } from './helpers/api-client.ts'
import { ADMIN, login, startSystem, type RunningSystem } from './helpers/system.ts'

const NO_UPDATE_AFTER_MS = 60 * 60_000
const BUFFERED_LAG_MS = 10 * 60_000
const CUT_AT_SEC = 3
const IMEI_BASE = '356307042600000'

describe('verifying a run against the system: stored records and raised alerts', () => {
  let system: RunningSystem
  let admin: ApiCall
  let client: FleetwireClient
  let summary: SimulationSummary
  let records: AckedRecord[]
  let startMs: number
  const restrictedCredentials = { email: 'verify.restricted@example.com', password: 'restricted-password' }
  let restricted: ApiCall

  /** Every device reports a power cut at CUT_AT_SEC: its powerDisconnect alert is timed at that record's fix. */
  const cutExpectations = (): ExpectedAlert[] =>
    summary.perDevice.map((device) => ({
      imei: device.imei, type: 'powerDisconnect', fromMs: startMs + CUT_AT_SEC * 1000, toMs: startMs + (CUT_AT_SEC + 2) * 1000, why: `powerCut at ${CUT_AT_SEC} s`,
    }))

  beforeAll(async () => {
    system = await startSystem({ env: { NO_UPDATE_AFTER: String(NO_UPDATE_AFTER_MS), BUFFERED_LAG: String(BUFFERED_LAG_MS) } })
    admin = apiClient(system.baseUrl, await login(system.baseUrl))
    client = await clientLogin(system.baseUrl, ADMIN.email, ADMIN.password)
    // A Map user who sees the second device's vehicle only. Vehicles are assigned before the run: an
    // alert belongs to the vehicle its device had when it was raised.
    const imeis = [0, 1, 2].map((i) => deviceImei(IMEI_BASE, i))
    for (const imei of imeis) expect((await admin('POST', '/api/devices', { imei, protocol: 'teltonika' })).status).toBe(201)
    const seen = (await admin<Vehicle>('POST', '/api/vehicles', { name: 'Seen van', deviceImei: imeis[1] })).body
    await admin<Vehicle>('POST', '/api/vehicles', { name: 'Hidden van', deviceImei: imeis[0] })
    const created = await admin<User>('POST', '/api/users', {
      name: 'Restricted tester', ...restrictedCredentials, permissions: { map: 'view' }, visibility: { kind: 'selected', vehicleIds: [seen.id], groupIds: [] },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    startMs = Math.floor(Date.now() / 1000) * 1000
    summary = await runSimulation({
      protocol: 'teltonika', port: system.ports.teltonika!, devices: 3, durationSec: 10, rate: 5, seed: 6, imeiBase: IMEI_BASE,
      startTime: new Date(startMs), events: [{ atSec: CUT_AT_SEC, type: 'powerCut' }],
      ackTimeoutMs: 2000, backoffMinMs: 100, backoffMaxMs: 400, graceMs: 10_000,
    })
    expect(summary.recordsNeverAcked, JSON.stringify(summary.perDevice.map((device) => device.lastError))).toBe(0)
    records = summary.perDevice.flatMap((device) => device.ackedRecords)
    expect(records.length).toBeGreaterThanOrEqual(27)

    restricted = apiClient(system.baseUrl, await login(system.baseUrl, restrictedCredentials))
  }, 120_000)

  afterAll(async () => {
    await client?.logout()
    await system?.stop()
  })

  const keys = (list: readonly { imei: string; fixTime: string }[]) => list.map(({ imei, fixTime }) => ({ imei, fixTime }))
  /** A fix time the device never sent: half a second after one it did (its records are a second apart). */
  const neverSent = (record: AckedRecord) => ({ imei: record.imei, fixTime: new Date(Date.parse(record.fixTime) + 500).toISOString() })

  describe('POST /api/positions/missing', () => {
    it('answers how many it checked and the records not stored, as sent and in order', async () => {
      const fabricated = neverSent(records[4]!)
      const otherOffset = { imei: records[0]!.imei, fixTime: records[0]!.fixTime.replace('Z', '+00:00') }
      const asked = [...keys(records), fabricated, otherOffset, { imei: '356307042699999', fixTime: records[0]!.fixTime }]
      const answer = await admin<MissingRecordsResponse>('POST', '/api/positions/missing', { records: asked })
      expect(answer).toEqual({ status: 200, body: { checked: asked.length, missing: [fabricated, { imei: '356307042699999', fixTime: records[0]!.fixTime }] } })
      expect(await admin('POST', '/api/positions/missing', { records: [] })).toEqual({ status: 200, body: { checked: 0, missing: [] } })
    })

    it('reports the records of devices a restricted user does not see as missing, whether stored or not', async () => {
      const [hidden, seen, unassigned] = summary.perDevice.map((device) => keys(device.ackedRecords))
      const asked = [...hidden!, ...seen!, ...unassigned!]
      const answer = await restricted<MissingRecordsResponse>('POST', '/api/positions/missing', { records: asked })
      expect(answer).toEqual({ status: 200, body: { checked: asked.length, missing: [...hidden!, ...unassigned!] } })
    })

    it('answers 400 naming the first bad records, and for a missing or oversized list', async () => {
      const error = (message: string | RegExp) => ({ status: 400, body: { error: { code: 'BAD_REQUEST', message: typeof message === 'string' ? message : expect.stringMatching(message) } } })
      const good = keys(records.slice(0, 1))[0]!
      const bad = [good, { ...good, fixTime: 'yesterday' }, { imei: 'not an id', fixTime: good.fixTime }, { ...good, speed: 1 }, ...Array.from({ length: 5 }, () => ({ imei: good.imei }))]
      const answer = await admin('POST', '/api/positions/missing', { records: bad })
      expect(answer).toEqual(error(/^records\.1\.fixTime: fixTime is an ISO 8601 time.*; records\.2\.imei: a device id is .*; records\.3: .*; records\.4\.fixTime: .*; records\.5\.fixTime: .*; and 3 more bad records$/))
      expect(await admin('POST', '/api/positions/missing')).toEqual(error('Send a JSON object body: { records: [{ imei, fixTime }] }'))
      expect(await admin('POST', '/api/positions/missing', { imei: good.imei })).toEqual(error(/records is a list of \{ imei, fixTime \}/))
      expect(await admin('POST', '/api/positions/missing', { records: Array.from({ length: 10_001 }, () => good) })).toEqual(error(/records: at most 10000 per request; split the list/))
      expect(await admin('POST', '/api/positions/missing', { records: [good], extra: 1 })).toMatchObject({ status: 400 })
      expect((await apiClient(system.baseUrl)('POST', '/api/positions/missing', { records: [good] })).status).toBe(401)
    })
  })

  describe('GET /api/alerts: device filter and paging', () => {
    it('lists one device\'s alerts with imei, and pages past the limit with before', async () => {
      const [first] = summary.perDevice
      const own = await admin<Alert[]>('GET', `/api/alerts?imei=${first!.imei}`)
      expect(own.status).toBe(200)
      expect(own.body.length).toBeGreaterThanOrEqual(1)
      expect(new Set(own.body.map((alert) => alert.imei))).toEqual(new Set([first!.imei]))

      const all = (await admin<Alert[]>('GET', '/api/alerts?type=powerDisconnect&limit=1000')).body
      expect(all.map((alert) => alert.imei).sort()).toEqual(summary.perDevice.map((device) => device.imei).sort())
      const paged: Alert[] = []
      let before: number | undefined
      for (let page = 0; page < 10; page++) {
        const answer = await admin<Alert[]>('GET', `/api/alerts?type=powerDisconnect&limit=1${before ? `&before=${before}` : ''}`)
        expect(answer.status).toBe(200)
        if (answer.body.length === 0) break
        paged.push(...answer.body)
        before = answer.body.at(-1)!.id
      }
      expect(paged).toEqual(all)
    })

    it('answers 400 for a page after an alert the user does not see or that does not exist', async () => {
      const hiddenAlert = (await admin<Alert[]>('GET', `/api/alerts?imei=${summary.perDevice[0]!.imei}&type=powerDisconnect`)).body[0]!
      expect(await restricted('GET', `/api/alerts?before=${hiddenAlert.id}`)).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } })
      expect((await restricted<Alert[]>('GET', `/api/alerts?imei=${summary.perDevice[0]!.imei}`)).body).toEqual([])
    })
  })

  describe('the simulator\'s API client', () => {
    it('reads the device ports and the server\'s thresholds', async () => {
      const ports = await client.gatewayPorts()
      expect(ports.teltonika).toEqual({ tcp: system.ports.teltonika, udp: system.ports.teltonika })
      expect(ports.osmand?.http).toBeGreaterThan(0)
      expect(await client.thresholds()).toEqual({
        bufferedLagMs: BUFFERED_LAG_MS, noUpdateAfterMs: NO_UPDATE_AFTER_MS, noUpdateSweepMs: 60_000, idleAfterMs: 120_000, maxFutureMs: 600_000,
        powerResetWindowMs: 120_000, harshBrakingG: 0.45, harshAccelerationG: 0.35, harshCorneringG: 0.4,
        movingSpeedKmh: 5, supplyPresentV: 9,
      } satisfies AlertThresholds)
      expect((await restricted('GET', '/api/settings/thresholds')).status).toBe(200)
    })

    it('checks long lists in chunks and pages through alerts', async () => {
      const fabricated = neverSent(records[1]!)
      const chunks: number[] = []
      const answer = await client.missingRecords([...records, fabricated], { chunkSize: 4, concurrency: 2, onProgress: (checked) => chunks.push(checked) })
      expect(answer).toEqual({ checked: records.length + 1, missing: [fabricated] })
      expect(chunks).toHaveLength(Math.ceil((records.length + 1) / 4))
      const paged = await client.alerts({ type: 'powerDisconnect' }, { pageSize: 1 })
      expect(paged).toEqual((await admin<Alert[]>('GET', '/api/alerts?type=powerDisconnect')).body)
    })

    it('says what is wrong: a wrong password, nothing listening, a server that is not Fleetwire, no access', async () => {
      const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a failure') }, (err: unknown) => err)
      const wrong = await failure(clientLogin(system.baseUrl, ADMIN.email, 'not-the-password'))
      expect(wrong).toBeInstanceOf(FleetwireApiError)
      expect(wrong).toMatchObject({ kind: 'wrongCredentials', status: 401, message: expect.stringContaining('wrong email or password') })

      const idle = http.createServer()
      await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve))
      const freePort = (idle.address() as AddressInfo).port
      await new Promise((resolve) => idle.close(resolve))
      expect(await failure(clientLogin(`127.0.0.1:${freePort}`, ADMIN.email, ADMIN.password))).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('cannot reach') })

      const other = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>router admin</html>'))
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
      try {
        const answer = await failure(clientLogin(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`, ADMIN.email, ADMIN.password))
        expect(answer).toMatchObject({ kind: 'notFleetwire', message: expect.stringContaining('is this a Fleetwire server?') })
      } finally {
        await new Promise((resolve) => other.close(resolve))
      }

      const noMap = { email: 'verify.nomap@example.com', password: 'nomap-password' }
      expect((await admin('POST', '/api/users', { name: 'No map', ...noMap, permissions: { customers: 'view' } })).status).toBe(201)
      const refused = await failure((await clientLogin(system.baseUrl, noMap.email, noMap.password)).gatewayPorts())
      expect(refused).toMatchObject({ kind: 'forbidden', status: 403, message: expect.stringContaining('You have no access to Map') })
    })
  })

  describe('verifyRun', () => {
    it('finds every ACKed record stored and every scripted power cut raised', async () => {
      const report = await verifyRun(client, { records, expectedAlerts: cutExpectations() })
      expect(report, formatVerifyReport(report).join('\n')).toMatchObject({
        ok: true, recordsChecked: records.length, recordsMissing: [], alertsExpected: 3, alertsFound: 3, alertsMissing: [],
      })
      expect(formatVerifyReport(report).at(-1)).toBe('verify: OK, nothing missing')
    })

    it('reports a record that is not stored and an alert that was not raised', async () => {
      const lost: AckedRecord = { ...records[2]!, ...neverSent(records[2]!) }
      const braking: ExpectedAlert = { imei: records[0]!.imei, type: 'harshBraking', fromMs: startMs, toMs: startMs + 10_000, why: 'harshBraking scripted at 0 s' }
      const report = await verifyRun(client, { records: [...records, lost], expectedAlerts: [...cutExpectations(), braking] })
      expect(report).toMatchObject({
        ok: false, recordsChecked: records.length + 1, recordsMissing: [{ imei: lost.imei, fixTime: lost.fixTime, history: false }],
        alertsExpected: 4, alertsFound: 3, alertsMissing: [braking],
      })
      const lines = formatVerifyReport(report)
      expect(lines).toContain(`  missing record: ${lost.imei} at ${lost.fixTime}`)
      expect(lines).toContain(`  missing alert: harshBraking of ${braking.imei} between ${new Date(startMs).toISOString()} and ${new Date(startMs + 10_000).toISOString()} (harshBraking scripted at 0 s)`)
    })

    it('as a restricted user, counts what it may not see as missing', async () => {
      const tester = await clientLogin(system.baseUrl, restrictedCredentials.email, restrictedCredentials.password)
      const report = await verifyRun(tester, { records, expectedAlerts: cutExpectations() })
      const seen = summary.perDevice[1]!.imei
      expect(report.recordsMissing.length).toBe(records.filter((record) => record.imei !== seen).length)
      expect(report.alertsMissing.map((expectation) => expectation.imei).sort()).toEqual(summary.perDevice.filter((device) => device.imei !== seen).map((device) => device.imei).sort())
      await tester.logout()
    })
  })
})
