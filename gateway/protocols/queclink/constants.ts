/** Queclink @Track wire constants (docs/protocols.md, Queclink). */
import type { RecordEvent } from '../../../core/record.ts'

/** Every ASCII sentence a device sends starts with one of these, followed by `GTxxx`. */
export const TEXT_PREFIXES = ['+RESP:', '+BUFF:', '+ACK:'] as const
export type TextPrefix = (typeof TEXT_PREFIXES)[number]

/** `+RESP`: real-time report; `+BUFF`: replayed from the device's memory after a coverage gap; `+ACK`: answer to a command. */
export const HEADER = { realTime: '+RESP', buffered: '+BUFF', commandAck: '+ACK' } as const

/** Ends an ASCII sentence; Traccar also cuts at a NUL when a device sends one instead. */
export const TERMINATOR = 0x24 // '$'
export const NUL = 0x00

/**
 * Binary-mode headers (GV/GL series configured for binary reports; Traccar `Gl200FrameDecoder`) and
 * where each keeps its frame length: offset and width in bytes. `+ACK` is binary only when no `:`
 * follows it. Fleetwire frames these (so the stream stays in step) but does not decode them.
 */
export const BINARY_HEADERS: ReadonlyMap<string, { lengthAt: number; lengthBytes: 1 | 2 }> = new Map([
  ['+RSP', { lengthAt: 9, lengthBytes: 2 }], // position reports
  ['+BSP', { lengthAt: 9, lengthBytes: 2 }], // buffered position reports
  ['+EVT', { lengthAt: 9, lengthBytes: 2 }], // event reports
  ['+BVT', { lengthAt: 9, lengthBytes: 2 }], // buffered event reports
  ['+INF', { lengthAt: 7, lengthBytes: 2 }], // information reports
  ['+BNF', { lengthAt: 7, lengthBytes: 2 }], // buffered information reports
  ['+HBD', { lengthAt: 5, lengthBytes: 1 }], // heartbeat
  ['+CRD', { lengthAt: 6, lengthBytes: 2 }], // crash data
  ['+BRD', { lengthAt: 6, lengthBytes: 2 }], // buffered crash data
  ['+ACK', { lengthAt: 6, lengthBytes: 1 }], // command acknowledgement
])
/** Newer binary frames (GV58LAU and later): `+` then 0x00, the frame length in bytes 2-3. */
export const NEW_BINARY = { lengthAt: 2, lengthBytes: 2 } as const
/** Fewest bytes that can say whether a message is binary and how long it is. */
export const BINARY_HEADER_BYTES = 4

/** Device IMEI, or a 14-hex-digit MEID (CDMA models). */
export const IMEI_PATTERN = /^(?:\d{15}|[0-9A-Fa-f]{14})$/
/** Protocol version: 6 hex digits (2 of model, 4 of version) or 10 (GV58LAU and later); empty on a few reports. */
export const PROTOCOL_VERSION_PATTERN = /^[0-9A-Za-z]{0,16}$/
/** Count number: 4 hex digits, the last field; the device matches its +SACK on it. */
export const COUNT_NUMBER_PATTERN = /^[0-9A-Fa-f]{4}$/
/** Coordinates are decimal degrees with exactly 6 decimals; longitude comes first. */
export const COORDINATE_PATTERN = /^-?\d{1,3}\.\d{6}$/

/** Fields of one location block, in order. The last is reserved, an odometer (km) or an append mask. */
export const BLOCK = {
  accuracy: 0,
  speed: 1,
  course: 2,
  altitude: 3,
  longitude: 4,
  latitude: 5,
  time: 6,
  mcc: 7,
  mnc: 8,
  lac: 9,
  cellId: 10,
  extra: 11,
} as const
export const BLOCK_FIELDS = 12
/** Bits of the position append mask (GV310LAU, GV58LAU...): each announces one more field after it. */
export const APPEND_MASK = { satellites: 0x01, triggerType: 0x02, jammingState: 0x10 } as const

/** How the fields of a report are laid out around its location block(s). */
export interface ReportLayout {
  /** Fields between the IMEI and the first location block (device name included). */
  header: number
  /** `counted`: the field before the first block says how many blocks follow (GTFRI family). */
  blocks: 'counted' | 'one' | 'none'
  /** What follows the last block, before send time and count number. */
  trailer: 'fri' | 'eri' | 'ignition' | 'mileage' | 'none'
}

/** Layouts of the GV300/GL300 families (Queclink @Track documents; field order confirmed on the vectors). */
export const REPORT_LAYOUTS: Readonly<Record<string, ReportLayout>> = {
  // name, external power (mV) or report id, report type, number
  GTFRI: { header: 4, blocks: 'counted', trailer: 'fri' }, // fixed-interval report
  GTGEO: { header: 4, blocks: 'counted', trailer: 'fri' }, // geofence
  GTRTL: { header: 4, blocks: 'counted', trailer: 'fri' }, // real-time location on request
  GTDOG: { header: 4, blocks: 'counted', trailer: 'fri' }, // protocol watchdog reboot
  // name, ERI mask, external power (mV), report type, number
  GTERI: { header: 5, blocks: 'counted', trailer: 'eri' }, // fixed report with extended information
  // name, duration of the previous ignition state
  GTIGN: { header: 2, blocks: 'one', trailer: 'ignition' }, // ignition on
  GTIGF: { header: 2, blocks: 'one', trailer: 'ignition' }, // ignition off
  GTVGN: { header: 2, blocks: 'one', trailer: 'ignition' }, // virtual ignition on
  GTVGF: { header: 2, blocks: 'one', trailer: 'ignition' }, // virtual ignition off
  // name, reserved, report type, number (always 1)
  GTSOS: { header: 4, blocks: 'one', trailer: 'mileage' }, // SOS button
  GTHBM: { header: 4, blocks: 'one', trailer: 'mileage' }, // harsh behaviour
  GTSPD: { header: 4, blocks: 'one', trailer: 'mileage' }, // speed alarm
  // name
  GTMPN: { header: 1, blocks: 'one', trailer: 'none' }, // main power connected
  GTMPF: { header: 1, blocks: 'one', trailer: 'none' }, // main power disconnected
  GTEPN: { header: 1, blocks: 'one', trailer: 'none' }, // external power connected
  GTEPF: { header: 1, blocks: 'one', trailer: 'none' }, // external power disconnected
  // name, backup battery voltage (V)
  GTBPL: { header: 2, blocks: 'one', trailer: 'none' }, // backup battery low
  // name, motion state (STATE_CODES)
  GTSTT: { header: 2, blocks: 'one', trailer: 'none' }, // motion state changed
  // name
  GTPNA: { header: 1, blocks: 'none', trailer: 'none' }, // device powered on
  GTPFA: { header: 1, blocks: 'none', trailer: 'none' }, // device powered off (not an external power cut)
}
/**
 * Other `GTxxx` reports are read like Traccar's `decodeBasic`: the first pair of coordinates anchors
 * one location block. Without coordinates they yield a record only when they carry an event.
 */
export const GENERIC_LAYOUT: ReportLayout = { header: 4, blocks: 'one', trailer: 'none' }

/** Models whose layout differs, keyed by the first two digits of the protocol version. */
export const MODEL_QUIRKS: Readonly<Record<string, { model: string; extraHeader?: Partial<Record<string, number>>; blockExtraIsSignal?: true }>> = {
  // CV200: reserved and report type before the ignition duration.
  BD: { model: 'CV200', extraHeader: { GTIGN: 2, GTIGF: 2, GTVGN: 2, GTVGF: 2 } },
  // GT501 ("Bolt"): two more header fields in GTFRI; the block's last field is the CSQ RSSI.
  '42': { model: 'GT501', extraHeader: { GTFRI: 2 }, blockExtraIsSignal: true },
}

/**
 * Events a report type means by itself. GTHBM's depends on its report type. GTPNA (powered on) and GTDOG
 * (watchdog reboot) say the device restarted; GTPFA (switching itself off) has none of ours.
 */
export const REPORT_EVENTS: Readonly<Record<string, RecordEvent>> = {
  GTSOS: 'sos',
  GTMPF: 'powerCut',
  GTEPF: 'powerCut',
  GTMPN: 'powerRestored',
  GTEPN: 'powerRestored',
  GTIGN: 'ignitionOn',
  GTVGN: 'ignitionOn',
  GTIGF: 'ignitionOff',
  GTVGF: 'ignitionOff',
  GTBPL: 'lowBattery',
  GTJDR: 'jamming',
  GTJDS: 'jamming',
  GTTOW: 'towing',
  GTPNA: 'deviceReset',
  GTDOG: 'deviceReset',
}

/** The ignition state an ignition report announces. */
export const REPORT_IGNITION: Readonly<Record<string, boolean>> = { GTIGN: true, GTVGN: true, GTIGF: false, GTVGF: false }

/** GTHBM report type: the low nibble is the behaviour, the high nibble the speed band. */
export const HARSH_CODES: ReadonlyMap<number, RecordEvent> = new Map<number, RecordEvent>([
  [0, 'harshBraking'],
  [1, 'harshAcceleration'],
  [2, 'harshCornering'],
  [3, 'harshBraking'],
  [4, 'harshAcceleration'],
])
export const HARSH_NIBBLE = { braking: 0, acceleration: 1, cornering: 2 } as const

/**
 * Motion state: the first byte of the FRI/ERI device status, and the state of GTSTT/GTINF.
 * 0x1_: ignition off, 0x2_: ignition on, 0x4_: no ignition sensing; low nibble 1 rest, 2 motion, 6/A (fake) tow.
 */
export const STATE_CODES: ReadonlyMap<number, { ignition?: boolean; motion: boolean }> = new Map([
  [0x11, { ignition: false, motion: false }],
  [0x12, { ignition: false, motion: true }],
  [0x16, { ignition: false, motion: true }],
  [0x1a, { ignition: false, motion: true }],
  [0x21, { ignition: true, motion: false }],
  [0x22, { ignition: true, motion: true }],
  [0x41, { motion: false }],
  [0x42, { motion: true }],
])

/** Protocol version the simulator's devices announce: GV300 family (model digits 06). */
export const SIMULATED_PROTOCOL_VERSION = '060402'
