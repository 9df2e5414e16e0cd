import { describe, expect, it } from 'vitest'
import type { DeviceSummary, LivePosition, Packet } from '../../../../shared/contract.ts'
import { evaluate, NO_OBSERVATIONS, observe, observeSummary, type CheckKey, type Observations } from './checklist.ts'

const start = Date.parse('2026-11-22T08:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()
/** As the server sends them from the processor's settings. */
const thresholds = { movingSpeedKmh: 5, supplyPresentV: 9 }

function packet(atMs: number, records: Array<Record<string, unknown>>, extra: Partial<Packet> = {}): Packet {
  return { imei: '356307042440007', protocol: 'teltonika', transport: 'tcp', time: iso(atMs), kind: { type: '0x08', label: 'Codec 8' }, raw: { hex: '00' }, records, ...extra }
}

function record(atMs: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { fixTime: iso(atMs), receivedAt: iso(atMs), buffered: false, valid: true, latitude: 54.68, longitude: 25.27, events: [], ...fields }
}

function states(observations: Observations, now: number): Record<CheckKey, string> {
  return Object.fromEntries(evaluate(observations, now, thresholds).map((item) => [item.key, item.state])) as Record<CheckKey, string>
}

function seen(...packets: Packet[]): Observations {
  return packets.reduce(observe, NO_OBSERVATIONS)
}

describe('commissioning checklist', () => {
  it('judges power and movement by the thresholds the processor runs with', () => {
    const o = seen(packet(start, [record(start, { externalVoltageV: 11.5, speedKmh: 7 })]))
    const at = (given: typeof thresholds) => Object.fromEntries(evaluate(o, start, given).map((item) => [item.key, item]))
    expect(at(thresholds)).toMatchObject({ power: { state: 'ok' }, movement: { state: 'ok' } })
    expect(at({ movingSpeedKmh: 8, supplyPresentV: 12 })).toMatchObject({
      power: { state: 'pending', label: 'External power (12 V or more)' },
      movement: { state: 'pending' },
    })
  })

  it('starts with every item pending, in the order installers work through them', () => {
    const items = evaluate(NO_OBSERVATIONS, start, thresholds)
    expect(items.map((item) => item.key)).toEqual(['packets', 'gps', 'power', 'ignitionOn', 'ignitionOff', 'movement', 'time'])
    expect(items.every((item) => item.state === 'pending')).toBe(true)
  })

  it('turns every item green for a device that does everything', () => {
    const o = seen(
      packet(start, [record(start, { ignition: true, satellites: 9, externalVoltageV: 13.9, speedKmh: 0 })]),
      packet(start + 5000, [record(start + 5000, { ignition: true, satellites: 9, externalVoltageV: 13.9, speedKmh: 32 })]),
      packet(start + 10_000, [record(start + 10_000, { ignition: false, satellites: 8, externalVoltageV: 12.4, speedKmh: 0 })]),
    )
    expect(Object.values(states(o, start + 11_000)).every((state) => state === 'ok')).toBe(true)
  })

  it('counts packets as arriving only while the newest is under two minutes old', () => {
    const o = seen(packet(start, []))
    expect(states(o, start + 119_000).packets).toBe('ok')
    expect(states(o, start + 121_000).packets).toBe('pending')
  })

  it('ignores refused packets: a bad checksum proves nothing', () => {
    const o = seen(packet(start, [], { error: { code: 'BAD_CRC' } }))
    expect(o).toEqual(NO_OBSERVATIONS)
  })

  it('needs a valid fix with at least four satellites in the newest position', () => {
    expect(states(seen(packet(start, [record(start, { satellites: 3 })])), start).gps).toBe('pending')
    expect(states(seen(packet(start, [record(start, { satellites: 7, valid: false })])), start).gps).toBe('pending')
    expect(states(seen(packet(start, [record(start, { satellites: 4 })])), start).gps).toBe('ok')
    const lost = seen(packet(start, [record(start, { satellites: 9 })]), packet(start + 1000, [record(start + 1000, { satellites: 0, valid: false })]))
    expect(states(lost, start + 1000).gps).toBe('pending')
  })

  it('needs external power of 9 V or more in the newest voltage reported', () => {
    expect(states(seen(packet(start, [record(start, { externalVoltageV: 8.9 })])), start).power).toBe('pending')
    expect(states(seen(packet(start, [record(start, { externalVoltageV: 9 })])), start).power).toBe('ok')
    const cut = seen(packet(start, [record(start, { externalVoltageV: 12 })]), packet(start + 1, [record(start + 1, { externalVoltageV: 0 })]))
    expect(states(cut, start).power).toBe('pending')
  })

  it('sees ignition on and off from the ignition flag or from ignition events, and keeps them seen', () => {
    const o = seen(packet(start, [record(start, { events: ['ignitionOn'] })]), packet(start + 1, [record(start + 1, { ignition: false })]))
    expect(states(o, start).ignitionOn).toBe('ok')
    expect(states(o, start).ignitionOff).toBe('ok')
    expect(states(seen(packet(start, [record(start, {})])), start).ignitionOn).toBe('pending')
  })

  it('sees movement from a speed of 5 km/h or a motion flag', () => {
    expect(states(seen(packet(start, [record(start, { speedKmh: 4 })])), start).movement).toBe('pending')
    expect(states(seen(packet(start, [record(start, { speedKmh: 5 })])), start).movement).toBe('ok')
    expect(states(seen(packet(start, [record(start, { motion: true })])), start).movement).toBe('ok')
  })

  it('checks the device clock only on live valid records, within 60 seconds of arrival', () => {
    const late = seen(packet(start, [record(start, { fixTime: iso(start - 61_000) })]))
    expect(states(late, start).time).toBe('pending')
    const history = seen(packet(start, [record(start, { fixTime: iso(start - 3_600_000), buffered: true })]))
    expect(states(history, start).time).toBe('pending')
    const synced = seen(packet(start, [record(start, { fixTime: iso(start - 2000) })]))
    expect(states(synced, start).time).toBe('ok')
  })

  it('uses the packet time when a record carries no arrival time', () => {
    const o = seen(packet(start, [{ fixTime: iso(start - 1000), valid: true, latitude: 1, longitude: 2, events: [] }]))
    expect(o.clockSkewMs).toBe(1000)
  })

  it('explains what each item saw or waits for', () => {
    const o = seen(packet(start, [record(start, { satellites: 9, externalVoltageV: 13.94, speedKmh: 42 })]))
    const details = Object.fromEntries(evaluate(o, start + 30_000, thresholds).map((item) => [item.key, item.detail]))
    expect(details).toMatchObject({
      packets: 'Last packet 30 s ago',
      gps: 'Valid fix, 9 satellites',
      power: '13.9 V',
      ignitionOn: 'Turn the key on',
      movement: 'Seen, up to 42 km/h',
      time: 'Off by 0 s',
    })
  })
})

describe('checklist from live summaries', () => {
  function summary(atMs: number, position: Partial<LivePosition> | null): DeviceSummary {
    return {
      imei: '356307042440007',
      protocol: 'teltonika',
      vehicleId: null,
      name: 'Van',
      connected: true,
      lastSeen: iso(atMs),
      status: 'moving',
      position: position && { fixTime: iso(atMs), latitude: 54.68, longitude: 25.27, valid: true, ...position },
    }
  }

  it('proves packets, GPS, power, ignition and movement from the map feed, but not the clock', () => {
    const o = [
      summary(start, { satellites: 9, externalVoltageV: 13.8, ignition: true, speedKmh: 30 }),
      summary(start + 1000, { satellites: 9, externalVoltageV: 13.8, ignition: false, speedKmh: 0 }),
    ].reduce(observeSummary, NO_OBSERVATIONS)
    expect(states(o, start + 2000)).toEqual({
      packets: 'ok',
      gps: 'ok',
      power: 'ok',
      ignitionOn: 'ok',
      ignitionOff: 'ok',
      movement: 'ok',
      time: 'pending',
    })
  })

  it('needs a valid fix with enough satellites in the live position too', () => {
    expect(states(observeSummary(NO_OBSERVATIONS, summary(start, { satellites: 3 })), start).gps).toBe('pending')
    expect(states(observeSummary(NO_OBSERVATIONS, summary(start, { satellites: 9, valid: false })), start).gps).toBe('pending')
    expect(states(observeSummary(NO_OBSERVATIONS, summary(start, { satellites: 9 })), start).gps).toBe('ok')
  })

  it('does not let an older summary override what a newer packet said', () => {
    const fromPacket = seen(packet(start + 5000, [record(start + 5000, { satellites: 0, valid: false, externalVoltageV: 0 })]))
    const o = observeSummary(fromPacket, summary(start, { satellites: 9, externalVoltageV: 13 }))
    expect(states(o, start + 5000)).toMatchObject({ gps: 'pending', power: 'pending' })
    expect(o.lastPacketAt).toBe(start + 5000)
  })

  it('keeps the newest fix by fix time when history arrives after live data', () => {
    const o = seen(
      packet(start, [record(start, { satellites: 9 })]),
      packet(start + 1000, [record(start - 3_600_000, { satellites: 0, valid: false, buffered: true })]),
    )
    expect(states(o, start + 1000).gps).toBe('ok')
  })
})
