/** Stable codes for bad input. Bad bytes are data, not exceptions. */
export const PROTOCOL_ERROR_CODES = [
  'BAD_CHECKSUM',
  'FRAME_TOO_LONG',
  'BAD_FRAME',
  'TRUNCATED',
  'UNKNOWN_TYPE',
  'BAD_IMEI',
  'NOT_IDENTIFIED',
  'MALFORMED',
] as const
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number]

export interface ProtocolError {
  code: ProtocolErrorCode
  message: string
}

export function protocolError(code: ProtocolErrorCode, message: string): ProtocolError {
  return { code, message }
}
