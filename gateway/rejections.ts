import { PROTOCOL_ERROR_CODES } from './protocols/errors.ts'
import { RECORD_REJECTIONS } from './record-validation.ts'

/** Why a transport refused or closed a connection, or could not answer a message. */
export const TRANSPORT_REJECTIONS = [
  /** The sender's address has as many connections open as it may (CONNECTIONS_PER_ADDRESS). */
  'TOO_MANY_CONNECTIONS',
  'IDLE_TIMEOUT',
  /** A message started and did not complete in time. */
  'SLOW_MESSAGE',
  /** The connection did not identify its device in time. */
  'IDENTIFY_TIMEOUT',
  /** A newer connection identified the same device. */
  'SUPERSEDED',
  /** A bug in the gateway, logged with its stack. */
  'INTERNAL_ERROR',
  /** UDP: a datagram from port 0 cannot be answered. */
  'NO_REPLY_PORT',
  'REPLY_FAILED',
  /** HTTP (OsmAnd): a method other than GET and POST. */
  'METHOD_NOT_ALLOWED',
  /** HTTP: what Node's parser refused, by its error. */
  'CONNECTION_RESET',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'ABORTED',
  'BAD_HTTP',
] as const

/** Why a decoded message was not stored: its device may not send, or the database did not take its records. */
export const ADMISSION_REJECTIONS = ['UNKNOWN_DEVICE', 'PROTOCOL_MISMATCH', 'STORAGE_FAILED'] as const

/** Every reason the gateway counts a rejection under (`GatewayStats.reject`): bad bytes, bad records, the transports', admission's. */
export const REJECTION_REASONS = [...PROTOCOL_ERROR_CODES, ...RECORD_REJECTIONS, ...TRANSPORT_REJECTIONS, ...ADMISSION_REJECTIONS] as const
export type RejectionReason = (typeof REJECTION_REASONS)[number]
