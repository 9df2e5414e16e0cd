/**
 * The simulator against the real system, once per protocol and transport: devices drive, lose coverage
 * for a few seconds, report scheduled events, and upload what they recorded meanwhile. Every record the
 * gateway ACKed must be stored once, where it was sent; history must be stored as buffered where the
 * protocol flags it (Queclink +BUFF, GT06 re-upload); every event must be stored with its record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceSummary, StoredPosition } from '../dashboard/shared/contract.ts'
import type { Protocol } from '../core/record.ts'
import type { SimTransport } from '../simulator/protocols/types.ts'
import { type SimulationEvent, type SimulationSummary, runSimulation } from '../simulator/run.ts'
import { startTestDatabase } from './helpers/database.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'

interface Case {
  protocol: Protocol
  transport: SimTransport
  imeiBase: string
  /** The protocol marks history on the wire, so the stored `buffered` must equal what the device sent as history. */
  flagsHistory: boolean
  events: SimulationEvent[]
}

/** Every device loses coverage from second 3 to second 7 of 9. Events before the gap are live; GT06 alarms carry no re-upload flag. */
const COVERAGE_LOSS = { startSec: 3, durationSec: 4 }
const CASES: Case[] = [
  {
    protocol: 'teltonika', transport: 'tcp', imeiBase: '356307042460000', flagsHistory: false,
    events: [{ atSec: 1, type: 'powerCut' }, { atSec: 2, type: 'powerRestored' }, { atSec: 4, type: 'harshBraking' }],
  },
  { protocol: 'teltonika', transport: 'udp', imeiBase: '356307042461000', flagsHistory: false, events: [{ atSec: 1, type: 'harshCornering' }] },
  {
    protocol: 'gt06', transport: 'tcp', imeiBase: '356307042462000', flagsHistory: true,
    events: [{ atSec: 1, type: 'powerCut' }, { atSec: 2, type: 'sos' }, { atSec: 8, type: 'harshAcceleration', device: 1 }],
  },
  {
    protocol: 'queclink', transport: 'tcp', imeiBase: '356307042463000', flagsHistory: true,
    events: [{ atSec: 1, type: 'powerCut' }, { atSec: 2, type: 'powerRestored' }, { atSec: 4, type: 'harshBraking' }, { atSec: 5, type: 'sos', device: 0 }],
  },
  { protocol: 'queclink', transport: 'udp', imeiBase: '356307042464000', flagsHistory: true, events: [{ atSec: 5, type: 'powerCut' }] },
  { protocol: 'osmand', transport: 'http', imeiBase: '356307042465000', flagsHistory: false, events: [{ atSec: 1, type: 'sos' }, { atSec: 4, type: 'powerCut' }] },
]

describe('simulator -> gateway -> database for every protocol, with a coverage gap and events', () => {
  let system: RunningSystem
  let cookie: string
  const summaries: SimulationSummary[] = []

  beforeAll(async () => {
    system = await startSystem()
    cookie = await login(system.baseUrl)
  }, 120_000)

  afterAll(async () => {
    await system?.stop()
  })

  const storedPositions = async (imei: string, summary: SimulationSummary): Promise<StoredPosition[]> => {
    const from = new Date(Date.parse(summary.startTime) - 60_000).toISOString()
    const to = new Date(Date.parse(summary.startTime) + (summary.durationSec + 60) * 1000).toISOString()
    const response = await fetch(`${system.baseUrl}/api/devices/${imei}/positions?from=${from}&to=${to}`, { headers: { cookie } })
    expect(response.status).toBe(200)
    return (await response.json()) as StoredPosition[]
  }

  it.each(CASES)('$protocol over $transport: every ACKed record is stored once, history as the protocol flags it', async (c) => {
    const port = system.ports[c.protocol]
    expect(port, `no ${c.protocol} port in the system's ready line ${JSON.stringify(system.ports)}`).toBeTypeOf('number')
    const summary = await runSimulation({
      protocol: c.protocol, transport: c.transport, port, devices: 2, durationSec: 9, rate: 1, seed: 21, imeiBase: c.imeiBase,
      coverageLoss: COVERAGE_LOSS, events: c.events, ackTimeoutMs: 3000, backoffMinMs: 100, graceMs: 5000,
    })
    summaries.push(summary)
    expect(summary).toMatchObject({ fleets: [{ protocol: c.protocol, transport: c.transport }], recordsNeverAcked: 0, errors: 0 })
    expect(summary.recordsAcked).toBe(summary.recordsGenerated)

    for (const device of summary.perDevice) {
      expect(device.ackedRecords.filter((r) => r.history).length, `${device.imei} recorded history in the gap`).toBeGreaterThanOrEqual(3)
      const stored = await storedPositions(device.imei, summary)
      const byTime = new Map(stored.map((p) => [p.fixTime, p]))
      expect(byTime.size, `${device.imei}: a fix time stored twice`).toBe(stored.length)
      expect(stored.length, `${device.imei}: stored records that were never ACKed`).toBe(device.ackedRecords.length)
      for (const acked of device.ackedRecords) {
        const position = byTime.get(acked.fixTime)
        expect(position, `${device.imei} ${acked.fixTime} ACKed but not stored`).toBeDefined()
        expect(position).toMatchObject({ latitude: acked.latitude, longitude: acked.longitude })
        if (c.flagsHistory) expect(position!.buffered, `${device.imei} ${acked.fixTime} buffered`).toBe(acked.history)
      }
    }

    // History uploaded after the gap never moved a vehicle backwards: each shows its newest fix.
    const response = await fetch(`${system.baseUrl}/api/devices`, { headers: { cookie } })
    const listed = (await response.json()) as DeviceSummary[]
    for (const device of summary.perDevice) {
      const newest = device.ackedRecords.reduce((a, b) => (a.fixTime > b.fixTime ? a : b))
      const shown = listed.find((candidate) => candidate.imei === device.imei)?.position
      expect(shown, `${device.imei} live position`).toMatchObject({ fixTime: newest.fixTime, latitude: newest.latitude, longitude: newest.longitude })
    }
  }, 20_000)

  it('stores every scheduled event with its record (GT06 alarms, Queclink reports, Teltonika IO, OsmAnd alarm=)', async () => {
    expect(summaries, 'every protocol ran').toHaveLength(CASES.length)
    await system.stop()
    const database = await startTestDatabase(system.dataDir)
    try {
      for (const summary of summaries) {
        for (const device of summary.perDevice) {
          const { rows } = await database.db.query<{ time: Date; type: string }>(
            `SELECT time, type FROM events WHERE imei = $1 AND type NOT IN ('ignitionOn', 'ignitionOff') ORDER BY time`,
            [device.imei],
          )
          const stored = rows.map((row) => `${row.time.toISOString()} ${row.type}`)
          const sent = device.ackedRecords.flatMap((r) => (r.event ? [`${r.fixTime} ${r.event}`] : []))
          expect(sent.length, `${device.protocol} ${device.imei} sent events`).toBeGreaterThan(0)
          expect(stored, `${device.protocol} ${device.imei}`).toEqual(sent)
        }
      }
    } finally {
      await database.stop()
    }
  }, 60_000)
})
