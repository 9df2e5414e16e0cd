/** Concox GT06 family wire constants (docs/protocols.md, GT06). */
import type { RecordEvent } from '../../../core/record.ts'

/** Start bits: `78 78` is followed by a 1-byte length, `79 79` by a 2-byte length. */
export const SHORT_HEADER = 0x78
export const LONG_HEADER = 0x79
/** Every message ends with CR LF. */
export const TERMINATOR = Buffer.from([0x0d, 0x0a])
/** Information serial number and CRC-ITU, in that order, just before the terminator. */
export const SERIAL_BYTES = 2
export const CRC_BYTES = 2
/** The length field counts protocol number, content, serial number and CRC. */
export const LENGTH_OVERHEAD = 1 + SERIAL_BYTES + CRC_BYTES

/**
 * When the length field says the message ends where there is no `0D 0A`, the frame may end at a
 * terminator at most this many bytes either side (off-by-one length bytes from clones).
 */
export const LENGTH_SLACK = 4
/** A message with a zero length field (Wi-Fi) ends at the first `0D 0A`; it is never longer than this. */
export const MAX_VARIABLE_FRAME_BYTES = 1024

/** Protocol numbers (the byte after the length field). */
export const MESSAGE = {
  /** 0x01: login with the IMEI; every GT06 model. */
  login: 0x01,
  /** 0x10: GPS only; GT06 (early firmware). */
  gps: 0x10,
  /** 0x11: GPS and a cell with 2-byte MNC and 4-byte cell id; GT06 clones. */
  gpsCellWide: 0x11,
  /** 0x12: GPS and cell ("GPS+LBS"); GT06/GT06N/TR06, optional 4-byte odometer. */
  gpsCell: 0x12,
  /** 0x13: status/heartbeat with the terminal-info byte; GT06/GT06N/GT02 and most clones. */
  status: 0x13,
  /** 0x15: a command's text answer; GT06N. */
  commandReply: 0x15,
  /** 0x16: GPS, cell and status (alarm packet); GT06/GT06N, SEEWORLD clones (4-byte cell id). */
  gpsCellStatus: 0x16,
  /** 0x17: Wi-Fi and cells, zero length field, no CRC; GT06 Wi-Fi models. */
  wifi: 0x17,
  /** 0x19: cell and status without GPS (alarm packet); GT06N. */
  cellStatus: 0x19,
  /** 0x21: a command's text answer in the long form; Concox 4G models. */
  commandReplyLong: 0x21,
  /** 0x22: GPS and cell with ACC, upload mode and re-upload flag; Concox GT06E/GT800/JM-VL01. */
  gpsCellUpload: 0x22,
  /** 0x23: heartbeat with a 2-byte battery voltage; Concox GK310. */
  heartbeat: 0x23,
  /** 0x26: GPS, cell and status (alarm packet, GT06E family). */
  gpsCellStatusAlarm: 0x26,
  /** 0x27: 0x26 with a geofence number; Concox GT06E/GT800. */
  gpsCellStatusFence: 0x27,
  /** 0x2D: like 0x22; Concox clones. */
  gpsCellUploadAlt: 0x2d,
  /** 0x37: like 0x22 followed by modules (odometer, power, accuracy); Concox JM-VL02. */
  gpsCellUploadModules: 0x37,
  /** 0x69: Wi-Fi and cells, zero length field, no CRC; Concox GT06 Wi-Fi models. */
  wifiAlt: 0x69,
  /** 0x8A: the device asks for the time; Concox GK310. */
  timeRequest: 0x8a,
  /** 0x94: information transfer (ICCID, ADC...), long form; Concox 4G models. No reply. */
  information: 0x94,
  /** 0x95: alarm with an event code; Jimi JC100/JC400 dashcams. */
  dashcamAlarm: 0x95,
  /** 0xF1: device status, a time and TLV items, long form; Concox 4G models. */
  extendedStatus: 0xf1,
} as const

/**
 * GPS block (18 bytes): time (6), GPS info length / satellites (1), latitude (4), longitude (4),
 * speed (1), course word (2). Coordinates are unsigned minutes x 30000, i.e. degrees x 1,800,000. */
export const COORDINATE_UNITS_PER_DEGREE = 1_800_000

/** Bits of the course/status word (the low 10 bits are the course in degrees). */
export const COURSE_MASK = 0x03ff
export const COURSE_NORTH = 1 << 10
export const COURSE_WEST = 1 << 11
export const COURSE_POSITIONED = 1 << 12
/** Some clones put ACC in bit 15, flagged by bit 14. */
export const COURSE_HAS_ACC = 1 << 14
export const COURSE_ACC = 1 << 15

/** Cell block: MCC (2; top bit set means a 2-byte MNC), MNC (1), LAC (2), cell id (3). */
export const CELL_BYTES = 8
export const MCC_WIDE_MNC = 0x8000

/** Terminal-info byte (`decodeStatus`). Bits 3-5 hold an alarm. */
export const TERMINAL = {
  armed: 1 << 0,
  acc: 1 << 1,
  charging: 1 << 2,
  blocked: 1 << 7,
  alarmShift: 3,
  alarmMask: 0x07,
} as const

/** Status block of 0x13/0x16/0x19/0x26: terminal info, voltage level, GSM signal, alarm, language. */
export const STATUS_BLOCK_BYTES = 5
/** Voltage level is 0-6 on GT06; SEEWORLD clones send 7-100 as a percentage. */
export const VOLTAGE_LEVEL_MAX = 6

/** Events in terminal-info bits 3-5. 6 (geofence) has no RecordEvent; 7 is "removal", i.e. tampering. */
export const TERMINAL_ALARMS: ReadonlyMap<number, RecordEvent> = new Map<number, RecordEvent>([
  [1, 'vibration'],
  [2, 'powerCut'],
  [3, 'lowBattery'],
  [4, 'sos'],
  [7, 'tampering'],
])

/**
 * Alarm codes of the status block (`decodeAlarm`), in the common (non-LW, non-VL)
 * meaning. Codes whose meaning depends on the model (0x18, 0x28, 0x29, 0x30) and codes without a
 * RecordEvent (fences, overspeed, door, power off) are kept only as the raw `alarm` io value.
 */
export const ALARM_CODES: ReadonlyMap<number, RecordEvent> = new Map<number, RecordEvent>([
  [0x01, 'sos'],
  [0x02, 'powerCut'],
  [0x03, 'vibration'],
  [0x09, 'vibration'],
  [0x0c, 'tampering'],
  [0x0e, 'lowBattery'],
  [0x0f, 'lowBattery'],
  [0x13, 'tampering'],
  [0x19, 'lowBattery'],
  [0x1a, 'harshBraking'],
  [0x1b, 'harshCornering'],
  [0x25, 'tampering'],
  [0x26, 'harshAcceleration'],
  [0x27, 'harshBraking'],
  [0x2a, 'harshCornering'],
  [0x2b, 'harshCornering'],
  [0x2c, 'accident'],
  [0x2e, 'harshCornering'],
])

/** Event codes of the 0x95 dashcam alarm. 0x01 is SOS only in the long form. */
export const DASHCAM_EVENTS: ReadonlyMap<number, RecordEvent> = new Map<number, RecordEvent>([
  [0x80, 'vibration'],
  [0x88, 'powerCut'],
  [0x90, 'harshAcceleration'],
  [0x91, 'harshBraking'],
  [0x92, 'harshCornering'],
  [0x93, 'accident'],
])
export const DASHCAM_SOS = 0x01
/** A 0x95 content of at most this many bytes is the short form: a time and the event code. */
export const DASHCAM_SHORT_BYTES = 7
/** JC400 long form starts with this marker and a version byte. */
export const DASHCAM_JC400_MARKER = 0xffff

/** 0x37 module ids. */
export const MODULE = { power: 0x0027, odometer: 0x002e, accuracy: 0x003b } as const
/** 0xF1 item ids. */
export const STATUS_ITEM = { externalPower: 0x0005 } as const

/** Login content: BCD IMEI (8), then optionally a model id (2) and a time-zone word (2). */
export const LOGIN_IMEI_BYTES = 8
export const IMEI_PATTERN = /^\d{15}$/
/** Time-zone word: bits 15-4 hold the offset as a decimal hhmm, bit 3 set means west of UTC. */
export const TIME_ZONE_WEST = 1 << 3

/** Language byte the encoder puts after the alarm code: 0x02 is English. */
export const LANGUAGE_ENGLISH = 0x02
