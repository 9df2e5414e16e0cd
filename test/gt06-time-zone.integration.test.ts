/**
 * A GT06 device whose login gives a time zone sends its location times in that local time: the real
 * gateway stores them as the UTC instants they are.
 */
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StoredPosition } from '../dashboard/shared/contract.ts'
import { encodeLocation, encodeLogin, readServerAck } from '../gateway/protocols/gt06/encode.ts'
import { apiClient, type ApiCall } from './helpers/api-client.ts'
import { eventually } from './helpers/eventually.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'

describe('GT06 login time zone', () => {
  let system: RunningSystem
  let api: ApiCall
  beforeAll(async () => {
    system = await startSystem()
    api = apiClient(system.baseUrl, await login(system.baseUrl))
  }, 120_000)
  afterAll(() => system?.stop())

  it('stores the fixes of a device that logged in at UTC+08:00 at their UTC instant', async () => {
    const imei = '356307042470031'
    const socket = net.connect(system.ports.gt06!, '127.0.0.1')
    try {
      const acks: number[] = []
      socket.on('data', (chunk) => {
        const ack = readServerAck(chunk)
        if (ack) acks.push(ack.serial)
      })
      await new Promise((resolve) => socket.once('connect', resolve))
      socket.write(encodeLogin(imei, 1, { timeZoneOffsetMinutes: 480 }))
      await eventually(() => expect(acks).toContain(1))

      const fixTime = Date.now() - (Date.now() % 1000) - 60_000
      const deviceClock = fixTime + 8 * 3_600_000
      socket.write(encodeLocation({ timeMs: deviceClock, latitude: 54.68, longitude: 25.28, speedKmh: 30, course: 90, satellites: 9 }, 2))
      // The ACK follows the durable write.
      await eventually(() => expect(acks).toContain(2))

      const stored = await api<StoredPosition[]>('GET', `/api/devices/${imei}/positions`)
      expect(stored.body.map((position) => position.fixTime)).toEqual([new Date(fixTime).toISOString()])
    } finally {
      socket.destroy()
    }
  }, 30_000)
})
