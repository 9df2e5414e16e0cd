/** Teltonika wire constants (docs/protocols.md, Teltonika). */

/** Codec id: the first byte of an AVL data field. */
export const CODEC = {
  /** 0x07: GH3000 and other older trackers; masks, float coordinates, seconds since 2007. */
  gh3000: 0x07,
  /** 0x08: "Codec 8", FMB/FMC/FMM families; 1-byte IO ids and counts. */
  codec8: 0x08,
  /** 0x8E: "Codec 8 Extended", FMB/FMC/FMM families; 2-byte IO ids and counts, variable-length IO group. */
  codec8Extended: 0x8e,
  /** 0x10: "Codec 16", FMB6xx / FM6xxx families; 2-byte IO ids, 1-byte counts, generation type. */
  codec16: 0x10,
  /** 0x0C: "Codec 12", GPRS commands and the device's text responses. */
  codec12: 0x0c,
  /** 0x0D: "Codec 13", command responses carrying a timestamp. */
  codec13: 0x0d,
} as const

/** How the IO block of a codec 8 / 8E / 16 record is laid out. */
export interface IoLayout {
  /** Width of the event IO id and of every IO id. */
  idBytes: 1 | 2
  /** Width of the total IO count and of every group count. */
  countBytes: 1 | 2
  /** A 1-byte generation type follows the event IO id (codec 16). */
  generationType: boolean
  /** A group of (id, 2-byte length, bytes) elements follows the 8-byte group (codec 8E). */
  variableLengthGroup: boolean
}

export const IO_LAYOUTS: ReadonlyMap<number, IoLayout> = new Map([
  [CODEC.codec8, { idBytes: 1, countBytes: 1, generationType: false, variableLengthGroup: false }],
  [CODEC.codec8Extended, { idBytes: 2, countBytes: 2, generationType: false, variableLengthGroup: true }],
  [CODEC.codec16, { idBytes: 2, countBytes: 1, generationType: true, variableLengthGroup: false }],
])

/** Value widths of the fixed-size IO groups, in wire order. */
export const IO_GROUP_WIDTHS = [1, 2, 4, 8] as const
export type IoWidth = (typeof IO_GROUP_WIDTHS)[number]

/** Codec 16 generation types (why the device produced the record). */
export const GENERATION_TYPE = { onChange: 5, periodic: 7 } as const

/** IO element ids that matter to Fleetwire (FMB numbering). */
export const IO = {
  digitalInput1: 1,
  iccid1: 11,
  iccid2: 14,
  totalOdometerM: 16,
  axisX: 17,
  axisY: 18,
  axisZ: 19,
  gsmSignal: 21,
  speedKmh: 24,
  externalVoltageMv: 66,
  batteryVoltageMv: 67,
  iButton: 78,
  ignition: 239,
  movement: 240,
  gsmOperator: 241,
  towing: 246,
  crash: 247,
  jamming: 249,
  unplug: 252,
  greenDrivingType: 253,
  /** The green-driving event's value: g x 100 for acceleration and braking, an angle for cornering. */
  greenDrivingValue: 254,
} as const

/** Values of io253 (green driving type). */
export const GREEN_DRIVING = { acceleration: 1, braking: 2, cornering: 3 } as const

/** A lone 0xFF byte on TCP is a keep-alive ping. */
export const PING = 0xff
/** Reply to the IMEI handshake. */
export const IMEI_ACCEPTED = 0x01
export const IMEI_REJECTED = 0x00
/** An IMEI is 15 ASCII digits. */
export const IMEI_PATTERN = /^\d{15}$/

/** TCP AVL packet: 4 zero bytes and a 4-byte data length before the data, a 4-byte CRC field after it. */
export const AVL_HEADER_BYTES = 8
export const AVL_CRC_BYTES = 4
/** Smallest AVL data field: codec id, record count, record count. */
export const AVL_MIN_DATA_BYTES = 3

/** UDP: the byte after the packet id ("not usable" in the documentation, always 0x01), echoed in the ACK. */
export const UDP_PACKET_TYPE = 0x01
/** UDP ACK: 2-byte length (always 5), packet id, packet type, AVL packet id, accepted record count. */
export const UDP_ACK_BODY_BYTES = 5

/** Codec 7 time: the low 30 bits count seconds from 2007-01-01T00:00:00Z. */
export const GH3000_EPOCH_SECONDS = 1_167_609_600
export const GH3000_TIME_MASK = 0x3fffffff
/** Codec 7 global mask: which blocks follow the time. There is no 8-byte IO group in codec 7. */
export const GH3000_BLOCKS = { gps: 0x01, io1: 0x02, io2: 0x04, io4: 0x08 } as const
/** Codec 7 GPS mask: which fields the GPS block holds, in this order. */
export const GH3000_GPS_FIELDS = {
  coordinates: 0x01,
  altitude: 0x02,
  course: 0x04,
  speed: 0x08,
  satellites: 0x10,
  cell: 0x20,
  signalQuality: 0x40,
  operator: 0x80,
} as const
