/**
 * The commissioning checklist an installer watches after wiring a device: each item turns green once live
 * data proves it. Observations accumulate from the packets seen (the recent ones loaded when the page opens,
 * then each live one) and from the device's live summaries (the map's feed, which also covers a server
 * without the packet log); evaluation against the clock is separate so "packets arriving" can lapse.
 */
import type { AlertThresholds, DeviceSummary, Packet } from '../../../../shared/contract.ts'
import { packetRecords, type PacketRecord } from './packets.ts'

export const CHECK_KEYS = ['packets', 'gps', 'power', 'ignitionOn', 'ignitionOff', 'movement', 'time'] as const
export type CheckKey = (typeof CHECK_KEYS)[number]

export const PACKETS_WITHIN_MS = 2 * 60_000
export const MIN_SATELLITES = 4
export const MAX_CLOCK_SKEW_MS = 60_000

/** The processor's own thresholds the checklist judges by (`GET /api/settings/thresholds`), so both agree. */
export type ChecklistThresholds = Pick<AlertThresholds, 'movingSpeedKmh' | 'supplyPresentV'>

export interface Observations {
  /** Gateway time of the newest packet accepted (not refused), ms. */
  lastPacketAt: number | null
  /** The newest record with coordinates (by fix time): was its fix valid, with how many satellites. */
  latestFix: { at: number; valid: boolean; satellites: number | undefined } | null
  /** The newest external voltage reported, and the fix time of the record that reported it. */
  latestExternalV: number | null
  latestExternalAt: number | null
  ignitionOnSeen: boolean
  ignitionOffSeen: boolean
  /** The highest speed seen, km/h, and whether a motion flag said moving. */
  topSpeedKmh: number | null
  motionSeen: boolean
  /** |fixTime − receivedAt| of the newest live (not buffered) valid record, ms, and that record's fix time. */
  clockSkewMs: number | null
  clockSkewAt: number | null
}

export const NO_OBSERVATIONS: Observations = {
  lastPacketAt: null,
  latestFix: null,
  latestExternalV: null,
  latestExternalAt: null,
  ignitionOnSeen: false,
  ignitionOffSeen: false,
  topSpeedKmh: null,
  motionSeen: false,
  clockSkewMs: null,
  clockSkewAt: null,
}

/** Observations after one more packet. Order does not matter: the newest fix, voltage and clock reading win. */
export function observe(previous: Observations, packet: Packet): Observations {
  if (packet.error) return previous
  const next: Observations = { ...previous }
  const at = Date.parse(packet.time)
  if (!Number.isNaN(at) && (next.lastPacketAt === null || at > next.lastPacketAt)) next.lastPacketAt = at
  for (const record of packetRecords(packet)) observeRecord(next, record, at)
  return next
}

function observeRecord(next: Observations, record: PacketRecord, packetAt: number): void {
  const at = record.fixTime ? Date.parse(record.fixTime) : packetAt
  if (record.latitude !== undefined && record.longitude !== undefined && (next.latestFix === null || at >= next.latestFix.at)) {
    next.latestFix = { at, valid: record.valid === true, satellites: record.satellites }
  }
  if (record.externalVoltageV !== undefined && (next.latestExternalAt === null || at >= next.latestExternalAt)) {
    next.latestExternalV = record.externalVoltageV
    next.latestExternalAt = at
  }
  if (record.ignition === true || record.events.includes('ignitionOn')) next.ignitionOnSeen = true
  if (record.ignition === false || record.events.includes('ignitionOff')) next.ignitionOffSeen = true
  if (record.speedKmh !== undefined) next.topSpeedKmh = Math.max(next.topSpeedKmh ?? 0, record.speedKmh)
  if (record.motion === true) next.motionSeen = true
  if (!record.buffered && record.valid === true && record.fixTime && (next.clockSkewAt === null || at >= next.clockSkewAt)) {
    const received = record.receivedAt ? Date.parse(record.receivedAt) : packetAt
    if (!Number.isNaN(received) && !Number.isNaN(at)) {
      next.clockSkewMs = Math.abs(at - received)
      next.clockSkewAt = at
    }
  }
}

/**
 * Observations after a live summary of the device (socket `vehicle`). It says less than a packet: validity
 * only when the server sends it (else a fix with enough satellites counts), and nothing about the clock.
 * A summary never overrides what a newer packet said.
 */
export function observeSummary(previous: Observations, device: DeviceSummary): Observations {
  const next: Observations = { ...previous }
  const seen = device.lastSeen === null ? Number.NaN : Date.parse(device.lastSeen)
  if (!Number.isNaN(seen) && (next.lastPacketAt === null || seen > next.lastPacketAt)) next.lastPacketAt = seen
  const position = device.position
  if (position === null) return next
  const at = Date.parse(position.fixTime)
  if (Number.isNaN(at)) return next
  if (next.latestFix === null || at > next.latestFix.at) {
    next.latestFix = { at, valid: position.valid, satellites: position.satellites }
  }
  if (position.externalVoltageV !== undefined && (next.latestExternalAt === null || at > next.latestExternalAt)) {
    next.latestExternalV = position.externalVoltageV
    next.latestExternalAt = at
  }
  if (position.ignition === true) next.ignitionOnSeen = true
  if (position.ignition === false) next.ignitionOffSeen = true
  if (position.speedKmh !== undefined) next.topSpeedKmh = Math.max(next.topSpeedKmh ?? 0, position.speedKmh)
  return next
}

export type CheckState = 'pending' | 'ok'

export interface CheckItem {
  key: CheckKey
  label: string
  state: CheckState
  /** What was seen, or what we are waiting for. */
  detail: string
}

/** The checklist as of `now`. */
export function evaluate(o: Observations, now: number, thresholds: ChecklistThresholds): CheckItem[] {
  const { movingSpeedKmh, supplyPresentV } = thresholds
  const sinceLast = o.lastPacketAt === null ? null : now - o.lastPacketAt
  const fix = o.latestFix
  const speed = o.topSpeedKmh
  return [
    item('packets', 'Packets arriving', sinceLast !== null && sinceLast <= PACKETS_WITHIN_MS,
      sinceLast === null ? 'Waiting for the first packet' : `Last packet ${Math.max(0, Math.round(sinceLast / 1000))} s ago`),
    item('gps', `GPS fix with ${MIN_SATELLITES}+ satellites`, fix !== null && fix.valid && (fix.satellites ?? 0) >= MIN_SATELLITES,
      fix === null ? 'No position reported yet' : `${fix.valid ? 'Valid' : 'No valid'} fix, ${fix.satellites ?? '?'} satellites`),
    item('power', `External power (${supplyPresentV} V or more)`, o.latestExternalV !== null && o.latestExternalV >= supplyPresentV,
      o.latestExternalV === null ? 'No external voltage reported yet' : `${o.latestExternalV.toFixed(1)} V`),
    item('ignitionOn', 'Ignition seen on', o.ignitionOnSeen, o.ignitionOnSeen ? 'Seen' : 'Turn the key on'),
    item('ignitionOff', 'Ignition seen off', o.ignitionOffSeen, o.ignitionOffSeen ? 'Seen' : 'Turn the key off'),
    item('movement', 'Movement seen', o.motionSeen || (speed ?? 0) >= movingSpeedKmh,
      o.motionSeen || (speed ?? 0) >= movingSpeedKmh ? `Seen${speed !== null ? `, up to ${Math.round(speed)} km/h` : ''}` : `Drive at ${movingSpeedKmh} km/h or more`),
    item('time', 'Device clock in sync', o.clockSkewMs !== null && o.clockSkewMs < MAX_CLOCK_SKEW_MS,
      o.clockSkewMs === null ? 'Waiting for a live GPS fix' : `Off by ${Math.round(o.clockSkewMs / 1000)} s`),
  ]
}

function item(key: CheckKey, label: string, ok: boolean, detail: string): CheckItem {
  return { key, label, state: ok ? 'ok' : 'pending', detail }
}
