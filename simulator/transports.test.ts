/**
 * Loopback runs over UDP and HTTP against tiny fake servers that answer with the gateway's own decoders
 * and misbehave once: a lost datagram and a 503 (the gateway's answer when a write fails) must each
 * lead to the records being sent again, and every record ends up acknowledged once.
 */
import dgram from 'node:dgram'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeRequest } from '../gateway/protocols/osmand/decode.ts'
import { decode } from '../gateway/protocols/teltonika/decode.ts'
import type { DeviceRecord } from '../core/record.ts'
import { runSimulation } from './run.ts'

const context = () => ({ now: new Date(), crc: 'strict' as const })
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** A Teltonika UDP server that ignores the `lose`-th datagram (1-based) and ACKs the others. */
async function udpServer(lose: number): Promise<{ port: number; stored: DeviceRecord[] }> {
  const socket = dgram.createSocket('udp4')
  const stored: DeviceRecord[] = []
  let datagrams = 0
  socket.on('message', (message, from) => {
    if (++datagrams === lose) return
    const decoded = decode(message, { transport: 'udp' }, context())
    expect(decoded.error).toBeUndefined()
    stored.push(...decoded.records)
    socket.send(decoded.ack!, from.port, from.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  closers.push(() => new Promise((resolve) => socket.close(() => resolve())))
  return { port: socket.address().port, stored }
}

/** An OsmAnd server that answers the `fail`-th request (1-based) with 503, the others as the gateway would. */
async function httpServer(fail: number): Promise<{ port: number; stored: DeviceRecord[]; requests: string[] }> {
  const stored: DeviceRecord[] = []
  const requests: string[] = []
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      requests.push(request.headers['content-type'] ?? 'query')
      if (requests.length === fail) {
        response.writeHead(503).end('not stored, retry later')
        return
      }
      const decoded = decodeRequest(
        { method: request.method!, target: request.url!, contentType: request.headers['content-type'] ?? '', body: Buffer.concat(chunks) },
        context(),
      )
      stored.push(...decoded.records)
      response.writeHead(decoded.status).end(decoded.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => new Promise((resolve) => server.close(() => resolve())))
  return { port: (server.address() as AddressInfo).port, stored, requests }
}

const keys = (records: Array<{ imei: string; fixTime: string }>) => new Set(records.map((r) => `${r.imei} ${r.fixTime}`))

describe('simulating devices over UDP and HTTP', () => {
  it('sends a Teltonika datagram again when its ACK does not come, and every record is acknowledged once', async () => {
    const server = await udpServer(3)
    const summary = await runSimulation({
      transport: 'udp', port: server.port, devices: 2, durationSec: 6, rate: 10, seed: 31, ackTimeoutMs: 300, backoffMinMs: 50, graceMs: 3000,
    })
    expect(summary).toMatchObject({ fleets: [{ transport: 'udp' }], recordsGenerated: 12, recordsAcked: 12, recordsNeverAcked: 0 })
    expect(summary.errorsByKind.ackTimeout).toBe(1)
    expect(summary.recordsResent).toBe(1)
    expect(keys(server.stored)).toEqual(keys(summary.perDevice.flatMap((d) => d.ackedRecords)))
  }, 10_000)

  it('sends OsmAnd records again after a 503, and uploads the backlog of a coverage gap as one JSON request', async () => {
    const server = await httpServer(2)
    const summary = await runSimulation({
      protocol: 'osmand', port: server.port, devices: 1, durationSec: 12, rate: 10, seed: 32, coverageLoss: { startSec: 5, durationSec: 4 },
      backoffMinMs: 50, graceMs: 3000,
    })
    expect(summary).toMatchObject({ fleets: [{ protocol: 'osmand', transport: 'http' }], recordsGenerated: 12, recordsAcked: 12, recordsNeverAcked: 0 })
    expect(summary.errorsByKind.ackMismatch).toBe(1)
    expect(summary.perDevice[0]!.lastError).toMatch(/expected http:200, got http:503/)
    expect(keys(summary.perDevice[0]!.ackedRecords)).toEqual(keys(server.stored))
    expect(server.requests.filter((type) => type === 'application/json')).toHaveLength(1)
    expect(summary.perDevice[0]!.ackedRecords.filter((r) => r.history)).toHaveLength(4)
  }, 10_000)
})
