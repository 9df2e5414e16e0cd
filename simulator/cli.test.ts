import { describe, expect, it } from 'vitest'
import { formatSummary, parseCli, summaryJson } from './cli.ts'
import type { SimulationSummary } from './run.ts'

describe('simulate command line', () => {
  it('reads the documented options into simulation options', () => {
    const parsed = parseCli(
      '--host 10.0.0.5 --port 6000 --devices 5 --duration 120 --interval 2 --records-per-packet 3 --coverage-loss 20:30 --imei-base 356307042440000 --rate 10 --json --seed 7'.split(
        ' ',
      ),
    )
    expect(parsed).toMatchObject({
      json: true,
      options: {
        host: '10.0.0.5',
        port: 6000,
        devices: 5,
        durationSec: 120,
        intervalSec: 2,
        recordsPerPacket: 3,
        coverageLoss: { startSec: 20, durationSec: 30 },
        imeiBase: '356307042440000',
        rate: 10,
        seed: 7,
        codec: 0x08,
        ackTimeoutMs: 5000,
      },
    })
  })

  it('takes the start of simulated time as an ISO time', () => {
    expect(parseCli(['--start', '2026-01-15T08:00:00Z'])).toMatchObject({
      options: { startTime: new Date(Date.UTC(2026, 0, 15, 8)) },
    })
  })

  it('defaults to 20 devices for 60 s against 127.0.0.1:5027', () => {
    expect(parseCli([])).toMatchObject({
      json: false,
      options: { host: '127.0.0.1', port: 5027, devices: 20, durationSec: 60, intervalSec: 1, recordsPerPacket: 1, rate: 1 },
    })
  })

  it('reads the protocol, transport and event schedule', () => {
    const parsed = parseCli(['--transport', 'udp', '--event', '30:powerCut', '--event', '45.5:powerRestored:2', '--devices', '3'])
    expect(parsed).toMatchObject({
      options: {
        protocol: 'teltonika',
        transport: 'udp',
        port: 5027,
        events: [
          { atSec: 30, type: 'powerCut' },
          { atSec: 45.5, type: 'powerRestored', device: 2 },
        ],
      },
    })
  })

  it.each([
    ['teltonika', 5027, 'tcp'],
    ['gt06', 5023, 'tcp'],
    ['queclink', 5004, 'tcp'],
    ['osmand', 5055, 'http'],
  ])('defaults --protocol %s to port %d over %s', (protocol, port, transport) => {
    expect(parseCli(['--protocol', protocol])).toMatchObject({ options: { protocol, port, transport } })
    expect(parseCli(['--protocol', protocol, '--port', '7000'])).toMatchObject({ options: { port: 7000 } })
  })

  it.each([
    [['--protocol', 'nmea'], /--protocol/],
    [['--protocol', 'gt06', '--transport', 'udp'], /--transport: gt06 is simulated over tcp, not udp/],
    [['--protocol', 'osmand', '--transport', 'tcp'], /--transport: osmand is simulated over http, not tcp/],
    [['--protocol', 'queclink', '--interval', '0.5'], /--interval: queclink sends fix times in steps of 1 s/],
    [['--event', '60:sos', '--protocol', 'osmand'], /--event: at 60 s, after the last record/],
    [['--transport', 'http'], /--transport: teltonika is simulated over tcp or udp, not http/],
    [['--event', '30'], /--event: expected/],
    [['--event', '30:meltdown'], /--event/],
    [['--event', '30:sos'], /--event: teltonika cannot report sos/],
    [['--event', '30:powerCut:5', '--devices', '5'], /--event: no device 5 among 5/],
    [['--port', 'abc'], /--port/],
    [['--port', '70000'], /--port/],
    [['--devices', '0'], /--devices/],
    [['--duration', '-5'], /--duration/],
    [['--records-per-packet', '300'], /--records-per-packet/],
    [['--coverage-loss', '20-30'], /--coverage-loss/],
    [['--imei-base', '12345'], /--imei-base: must be 15 digits/],
    [['--rate', '0'], /--rate/],
    [['--codec', '12'], /--codec/],
    [['--start', 'yesterday'], /--start/],
    [['--bogus'], /bogus/],
    [['--imei-offset', '5'], /--imei-offset: only with --scenario/],
    [['--scenario', 'chaos', '--imei-offset', '1.5'], /--imei-offset: must be a whole number/],
    [['--scenario', 'chaos', '--protocol', 'gt06'], /--protocol: the scenario sets it/],
    [['--scenario', 'no-such-scenario'], /--scenario: no scenario no-such-scenario \(bundled: .*chaos/],
  ])('rejects %j with an error naming the option', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message)
  })

  it('prints the summary as a table or one JSON line without per-record lists', () => {
    const summary: SimulationSummary = {
      fleets: [
        { name: 'teltonika', protocol: 'teltonika', transport: 'tcp', host: '127.0.0.1', port: 5027, devices: 1, intervalSec: 1, recordsGenerated: 1, recordsAcked: 1, recordsNeverAcked: 0 },
      ],
      devices: 1,
      seed: 1,
      rate: 1,
      durationSec: 1,
      startTime: '2026-01-01T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:01.000Z',
      realDurationMs: 1000,
      aborted: false,
      recordsGenerated: 1,
      recordsSent: 2,
      recordsAcked: 1,
      recordsResent: 1,
      recordsNeverAcked: 0,
      packetsSent: 2,
      packetsAcked: 1,
      connections: 2,
      acksIgnored: 0,
      garbageBytes: 0,
      errors: 1,
      errorsByKind: { connectFailed: 0, refused: 0, badHandshakeReply: 0, handshakeTimeout: 0, ackTimeout: 1, ackMismatch: 0, connectionLost: 0 },
      ackLatencyMs: { count: 1, p50: 1.5, p95: 1.5, p99: 1.5, max: 1.5 },
      perDevice: [
        {
          imei: '356307042440006',
          fleet: 'teltonika',
          protocol: 'teltonika',
          route: 'vilnius-centre-loop',
          generated: 1,
          sent: 2,
          acked: 1,
          resent: 1,
          neverAcked: 0,
          packetsSent: 2,
          packetsAcked: 1,
          connections: 2,
          acksIgnored: 0,
          garbageBytes: 0,
          errors: 1,
          errorsByKind: { connectFailed: 0, refused: 0, badHandshakeReply: 0, handshakeTimeout: 0, ackTimeout: 1, ackMismatch: 0, connectionLost: 0 },
          ackedRecords: [{ imei: '356307042440006', fixTime: '2026-01-01T00:00:00.000Z', latitude: 54.7, longitude: 25.3, speedKmh: 40, ignition: true, history: false }],
          looseIgnition: [],
          silencesMs: [],
        },
      ],
    }
    expect(formatSummary(summary)).toMatch(/errors\s+1 \(ackTimeout 1\)/)
    expect(formatSummary(summary)).toMatch(/ack latency ms\s+p50 1\.5/)
    const line = summaryJson(summary)
    expect(line).not.toContain('\n')
    expect(JSON.parse(line).perDevice[0]).not.toHaveProperty('ackedRecords')
    expect(JSON.parse(line).recordsNeverAcked).toBe(0)
  })
})
