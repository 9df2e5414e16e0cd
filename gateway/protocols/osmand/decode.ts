/**
 * Decodes one OsmAnd HTTP request into records and the answer (docs/protocols.md, OsmAnd). Pure: no
 * I/O, and the clock comes from the context.
 *
 * - GET or POST. `application/json` (or `+json`) bodies are the JSON form; an empty body, or an
 *   `application/x-www-form-urlencoded` / `text/plain` / untyped one, is the query form, its parameters
 *   read from the target's query string followed by the body.
 * - Success: 200 with an empty body. Bad input: 400 (415 for another media type, 405 for another
 *   method) with the reason as the body, no records.
 */
import { fail, type ProtocolError, ProtocolFailure, protocolError } from '../errors.ts'
import type { DecodeContext, HttpDecoded, HttpRequestMessage } from '../types.ts'
import { DEVICE_ID_RULE, HTTP_STATUS } from './constants.ts'
import { type Fix, toDeviceRecord } from './fix.ts'
import { decodeJson } from './json.ts'
import { decodeQuery } from './query.ts'
import { deviceId } from './values.ts'

const FORM_TYPES = ['', 'application/x-www-form-urlencoded', 'text/plain']

export function decodeRequest(request: HttpRequestMessage, context: DecodeContext): HttpDecoded {
  if (request.method !== 'GET' && request.method !== 'POST') {
    return refusal(HTTP_STATUS.methodNotAllowed, protocolError('UNKNOWN_TYPE', `method ${request.method.slice(0, 16)} is not GET or POST`))
  }
  const mediaType = request.contentType.split(';')[0]!.trim().toLowerCase()
  const json = mediaType === 'application/json' || mediaType.endsWith('+json')
  if (!json && request.body.length > 0 && !FORM_TYPES.includes(mediaType)) {
    return refusal(HTTP_STATUS.unsupportedMediaType, protocolError('UNKNOWN_TYPE', `a ${mediaType.slice(0, 80)} body is neither JSON nor form parameters`))
  }
  try {
    const params = targetParams(request.target)
    const { id, fixes } = json ? decodeJson(request.body, targetId(params)) : decodeForm(params, request.body)
    if (id === undefined) return refusal(HTTP_STATUS.badRequest, protocolError('NOT_IDENTIFIED', 'no device id: send id (or deviceid, device_id)'))
    const receivedAt = context.now.toISOString()
    return {
      status: HTTP_STATUS.ok,
      body: '',
      identity: { imei: id },
      records: fixes.map((fix) => toDeviceRecord(fix, id, receivedAt)),
    }
  } catch (error) {
    if (error instanceof ProtocolFailure) return refusal(HTTP_STATUS.badRequest, error.error)
    throw error
  }
}

function decodeForm(params: URLSearchParams, body: Buffer): { id: string | undefined; fixes: Fix[] } {
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.append(key, value)
  const { id, fix } = decodeQuery(params)
  return { id, fixes: [fix] }
}

/** The query string of a request target (origin form `/path?query` or absolute form); never throws. */
function targetParams(target: string): URLSearchParams {
  const query = target.indexOf('?')
  return new URLSearchParams(query < 0 ? '' : target.slice(query + 1).split('#')[0])
}

/** A JSON client may name its device in the URL it posts to (`/?id=...`). */
function targetId(params: URLSearchParams): string | undefined {
  const raw = params.get('id') || params.get('deviceid')
  if (!raw) return undefined
  const parsed = deviceId.safeParse(raw)
  if (!parsed.success) fail('BAD_IMEI', `id: ${DEVICE_ID_RULE}`)
  return parsed.data
}

function refusal(status: number, error: ProtocolError): HttpDecoded {
  return { status, body: error.message, records: [], error }
}
