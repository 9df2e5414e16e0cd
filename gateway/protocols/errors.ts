import { OutOfBounds } from '../lib/cursor.ts'
import type { Decoded } from './types.ts'

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

/** Carries a protocol error out of nested decoding code; `decodeSafely` turns it back into data. */
export class ProtocolFailure extends Error {
  constructor(readonly error: ProtocolError) {
    super(error.message)
    this.name = 'ProtocolFailure'
  }
}

/** Stops decoding a message that is bad input. */
export function fail(code: ProtocolErrorCode, message: string): never {
  throw new ProtocolFailure(protocolError(code, message))
}

/**
 * Runs a decoder body and turns bad input into a result: `fail(...)` becomes its error, reading past
 * the end of the message becomes `TRUNCATED`. Anything else is a bug and propagates.
 */
export function decodeSafely(body: () => Decoded): Decoded {
  try {
    return body()
  } catch (error) {
    if (error instanceof ProtocolFailure) return { records: [], error: error.error }
    if (error instanceof OutOfBounds) return { records: [], error: protocolError('TRUNCATED', error.message) }
    throw error
  }
}
