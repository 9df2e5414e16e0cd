import { describe, expect, it } from 'vitest'
import { SIM_PROTOCOLS } from './protocols/index.ts'
import { type Scenario, bundledScenarios, loadScenario, parseScenario, planScenario, selectDevices, shareDevices } from './scenario.ts'

const base = {
  name: 'test',
  durationSec: 100,
  fleets: [
    { name: 'vans', protocol: 'teltonika', count: 10, intervalSec: 2 },
    { name: 'phones', protocol: 'osmand', count: 5 },
  ],
}
const scenario = (extra: Record<string, unknown> = {}): Scenario => parseScenario({ ...base, ...extra })

describe('scenario files', () => {
  it.each(bundledScenarios())('bundled scenario %s is valid and plans every device', (name) => {
    const s = loadScenario(name)
    expect(s.name).toBe(name)
    expect(s.description.length).toBeGreaterThan(40)
    const { plan, skipped } = planScenario(s)
    expect(skipped).toEqual([])
    expect(plan.devices).toHaveLength(s.fleets.reduce((n, f) => n + f.count, 0))
    expect(new Set(plan.devices.map((d) => d.imei)).size).toBe(plan.devices.length)
  })

  it('bundles the scenarios testers ask for', () => {
    expect(bundledScenarios()).toEqual(
      expect.arrayContaining(['city-day', 'coverage-loss', 'power-cut', 'harsh-driving', 'installer-commissioning', 'loose-ignition', 'no-update', 'chaos']),
    )
  })

  it.each([
    [{ durationSec: -1 }, /durationSec: must be positive/],
    [{ fleets: [] }, /fleets: a scenario needs at least one fleet/],
    [{ fleets: [{ protocol: 'nmea' }] }, /fleets\.0\.protocol/],
    [{ fleets: [{ protocol: 'gt06', transport: 'udp' }] }, /fleets\.0\.transport: gt06 is simulated over tcp, not udp/],
    [{ fleets: [{ protocol: 'queclink', intervalSec: 0.5 }] }, /fleets\.0\.intervalSec: queclink sends fix times in steps of 1 s/],
    [{ fleets: [{ protocol: 'gt06', routes: ['nowhere'] }] }, /fleets\.0\.routes\.0: no route nowhere/],
    [{ fleets: [{ protocol: 'gt06' }, { protocol: 'gt06' }] }, /fleets\.1\.name: another fleet is called gt06/],
    [{ events: [{ type: 'meltdown', at: 1 }] }, /events\.0\.type/],
    [{ events: [{ type: 'sos', at: 10, fleet: 'vans' }] }, /events\.0\.type: vans: teltonika cannot report sos/],
    [{ events: [{ type: 'looseIgnition', at: 10, durationSec: 60 }] }, /events\.0\.type: phones: osmand does not report the ignition/],
    [{ events: [{ type: 'slowTrickle', at: 10, durationSec: 5 }] }, /events\.0\.type: phones: a slow trickle needs a TCP stream, not http/],
    [{ events: [{ type: 'powerCut', at: 150 }] }, /events\.0\.at: at 150 s, after the last record/],
    [{ events: [{ type: 'powerCut', at: 'soon' }] }, /events\.0\.at: must be seconds or a share of the duration/],
    [{ events: [{ type: 'powerCut', at: 5, fleet: 'trucks' }] }, /events\.0\.fleet: no fleet trucks \(fleets: vans, phones\)/],
    [{ events: [{ type: 'powerCut', at: 5, fleet: 'phones', devices: [7] }] }, /events\.0\.devices: phones has no device 7/],
    [{ events: [{ type: 'coverageLoss', at: 5 }] }, /events\.0\.durationSec/],
    [{ events: [{ type: 'clockSkew', at: 5, offsetSec: -30 }] }, /events\.0\.offsetSec: a clock set back during the run/],
    [{ events: [{ type: 'garbage', at: 5, bytes: 0 }] }, /events\.0\.bytes/],
    [{ extra: true }, /extra/],
  ])('rejects %j naming the bad field', (patch, message) => {
    expect(() => parseScenario({ ...base, ...patch })).toThrow(message)
  })

  it('plans each event as device actions on the chosen devices, a stretch ending where the run does if it must come back', () => {
    const { plan } = planScenario(
      scenario({
        events: [
          { type: 'coverageLoss', at: '50%', durationSec: 80, fleet: 'vans', devices: [1] },
          { type: 'powerCut', at: 10, durationSec: 20, fleet: 'vans', devices: { first: 2 } },
          { type: 'powerCut', at: 90, durationSec: 20, fleet: 'vans', devices: [3] },
          { type: 'harshBraking', at: 40, devices: { every: 4, offset: 1 } },
          { type: 'duplicateResend', at: 5, count: 2, fleet: 'phones', devices: [0] },
        ],
      }),
    )
    const vans = plan.devices.filter((d) => d.fleet === 0)
    expect(vans[1]!.actions).toEqual([
      { atSec: 10, kind: 'switch', action: 'powerCut', on: true },
      { atSec: 30, kind: 'switch', action: 'powerCut', on: false },
      { atSec: 40, kind: 'event', event: 'harshBraking' },
      { atSec: 50, kind: 'switch', action: 'coverageLost', on: true },
      { atSec: 100, kind: 'switch', action: 'coverageLost', on: false },
    ])
    // A cut that outlasts the run simply stays cut.
    expect(vans[3]!.actions).toEqual([{ atSec: 90, kind: 'switch', action: 'powerCut', on: true }])
    expect(vans[5]!.actions).toEqual([{ atSec: 40, kind: 'event', event: 'harshBraking' }])
    const phones = plan.devices.filter((d) => d.fleet === 1)
    expect(phones[0]!.actions).toEqual([{ atSec: 5, kind: 'ignoreAcks', count: 2 }])
    expect(phones[1]!.actions).toEqual([{ atSec: 40, kind: 'event', event: 'harshBraking' }])
    expect(phones.map((d) => d.imei)).not.toContain(vans[0]!.imei)
  })

  it('scales the fleets to --devices in proportion, rescales shares of the duration and skips what falls outside', () => {
    const s = scenario({
      events: [
        { type: 'harshBraking', at: '50%' },
        { type: 'sos', at: 80, fleet: 'phones' },
        { type: 'powerCut', at: 5, fleet: 'phones', devices: [4] },
      ],
    })
    const { plan, skipped } = planScenario(s, { devices: 3, durationSec: 60 })
    expect(plan.fleets.map((f) => f.name)).toEqual(['vans', 'phones'])
    expect(plan.devices.map((d) => d.fleet)).toEqual([0, 0, 1])
    expect(plan.devices[0]!.actions[0]).toEqual({ atSec: 30, kind: 'event', event: 'harshBraking' })
    expect(skipped).toEqual([
      'events.1 (sos at 80 s): after the last record (60 s)',
      'events.2 (powerCut) on phones: only 1 devices',
    ])
  })

  it('moves every IMEI by --imei-offset, so a rerun drives other devices', () => {
    const first = planScenario(scenario()).plan.devices.map((d) => d.imei)
    const moved = planScenario(scenario(), { imeiOffset: 1000 }).plan.devices.map((d) => d.imei)
    expect(moved.map((imei) => Number(imei.slice(0, 14)))).toEqual(first.map((imei) => Number(imei.slice(0, 14)) + 1000))
  })

  it('takes each fleet its port from the API, or one --port for a scenario of one protocol', () => {
    const { plan } = planScenario(scenario(), { ports: { teltonika: { tcp: 6027, udp: 6027 }, osmand: { http: 6055 } }, host: '10.1.1.1' })
    expect(plan.fleets.map((f) => [f.host, f.port, f.transport])).toEqual([
      ['10.1.1.1', 6027, 'tcp'],
      ['10.1.1.1', 6055, 'http'],
    ])
    expect(planScenario(scenario()).plan.fleets.map((f) => f.port)).toEqual([SIM_PROTOCOLS.teltonika.defaultPort, SIM_PROTOCOLS.osmand.defaultPort])
    expect(() => planScenario(scenario(), { port: 7000 })).toThrow(/--port sets one port, but test speaks teltonika, osmand/)
  })

  it('shares devices among fleets by largest remainder, one at least each', () => {
    expect(shareDevices([80, 20, 40, 30, 30], 2000)).toEqual([800, 200, 400, 300, 300])
    expect(shareDevices([1, 1, 1], 10).reduce((a, b) => a + b)).toBe(10)
    expect(shareDevices([100, 1], 2)).toEqual([1, 1])
    expect(() => shareDevices([1, 1, 1], 2)).toThrow(/3 fleets/)
  })

  it('selects devices: all, listed, the first n, every n-th from an offset', () => {
    expect(selectDevices('all', 3)).toEqual([0, 1, 2])
    expect(selectDevices([0, 5], 3)).toEqual([0])
    expect(selectDevices({ first: 2 }, 5)).toEqual([0, 1])
    expect(selectDevices({ every: 4, offset: 1 }, 10)).toEqual([1, 5, 9])
    expect(selectDevices({ every: 4, offset: 11 }, 10)).toEqual([])
  })
})
