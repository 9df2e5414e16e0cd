import type { DeviceRecord } from '../../core/record.ts'

/** A plausible live Teltonika record; override what the test is about. */
export function makeRecord(overrides: Partial<DeviceRecord> & { fixTime: string }): DeviceRecord {
  return {
    imei: '356307042441013',
    protocol: 'teltonika',
    receivedAt: overrides.fixTime,
    buffered: false,
    valid: true,
    latitude: 54.6872,
    longitude: 25.2797,
    speedKmh: 42,
    course: 90,
    satellites: 11,
    ignition: true,
    events: [],
    io: {},
    ...overrides,
  }
}
