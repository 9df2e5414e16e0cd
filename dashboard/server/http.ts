import type { HttpRequest, HttpResponse, TemplatedApp } from '@trufflesuite/uws-js-unofficial'
import { z } from 'zod'
import { isDatabaseUnreachable } from '../../db/health.ts'
import type { Logger } from '../../logger.ts'
import { API_ERRORS, type ApiErrorCode } from '../shared/api-errors.ts'
import { crossOriginRefusal, isHttps, type RequestHeaders, type WebSecurity } from './web-security.ts'

/** An error the API answers as `{ error: { code, message } }` with its code's HTTP status (and any headers, e.g. `Retry-After`). */
export class ApiError extends Error {
  readonly status: number

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
    this.status = API_ERRORS[code]
  }

  /** The answer's status and body. */
  response(): { status: number; body: { error: { code: ApiErrorCode; message: string } } } {
    return { status: this.status, body: { error: { code: this.code, message: this.message } } }
  }
}

/** What is known of a request before its body is read. */
export interface RequestHead {
  params: Record<string, string>
  query: URLSearchParams
  cookies: Record<string, string>
  /** The client's address: the peer's, or behind a trusted proxy the one it forwarded. */
  remote: string
  /** The browser reached the dashboard over https (a session cookie it gets is `Secure`). */
  https: boolean
}

export interface ApiRequest extends RequestHead {
  body: unknown
}

export interface ApiResponse {
  status?: number
  body?: unknown
  setCookie?: string
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>

export interface RouteOptions<Context> {
  /**
   * Runs before the body is parsed; throws to refuse (401, 403, 429). A stranger's body thus costs
   * nothing but its bytes, up to `maxBodyBytes`: JSON parsing is for requests that may go on.
   */
  authorize(head: RequestHead): Promise<Context>
  maxBodyBytes: number
}

/** What every route shares: the dashboard's origin and headers, and the log. */
export interface HttpContext {
  security: WebSecurity
  log: Logger
}

/** The body limit of signed-in routes; `POST /api/positions/missing` sends 10,000 records in it. */
export const MAX_BODY_BYTES = 1024 * 1024
/** The login form, the one body read before anyone is signed in, is small. */
export const MAX_LOGIN_BODY_BYTES = 4 * 1024
/** Deeper JSON is refused before parsing: no API body nests more than a few levels. */
export const MAX_JSON_DEPTH = 32

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 204: '204 No Content', 400: '400 Bad Request', 401: '401 Unauthorized',
  403: '403 Forbidden', 404: '404 Not Found', 409: '409 Conflict', 413: '413 Payload Too Large',
  415: '415 Unsupported Media Type', 422: '422 Unprocessable Entity', 429: '429 Too Many Requests', 500: '500 Internal Server Error',
  503: '503 Service Unavailable',
}

export function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Unknown`
}

export function writeSecurityHeaders(res: HttpResponse, security: WebSecurity): void {
  for (const [name, value] of security.headers) res.writeHeader(name, value)
}

type Method = 'get' | 'post' | 'put' | 'del'

/**
 * Registers a JSON route on the uWS app. The request's headers are read synchronously (uWS rule) and
 * checked first: path escapes, the origin, and for writes the content type. Then `authorize` runs while
 * the body arrives, and only an authorized body is parsed (depth-checked) and handed to the handler.
 */
export function route<Context>(
  app: TemplatedApp,
  method: Method,
  pattern: string,
  options: RouteOptions<Context>,
  handler: (request: ApiRequest, context: Context) => Promise<ApiResponse>,
  { security, log }: HttpContext,
): void {
  const paramNames = pattern.split('/').filter((part) => part.startsWith(':')).map((part) => part.slice(1))
  const writes = method !== 'get'
  app[method](pattern, (res: HttpResponse, req: HttpRequest) => {
    const where = { method: req.getMethod().toUpperCase(), url: req.getUrl() }
    const headers: RequestHeaders = {
      host: req.getHeader('host'),
      origin: req.getHeader('origin'),
      secFetchSite: req.getHeader('sec-fetch-site'),
      forwardedProto: req.getHeader('x-forwarded-proto'),
    }
    const contentType = req.getHeader('content-type')
    const rawParams = paramNames.map((_, index) => req.getParameter(index) ?? '')
    const query = new URLSearchParams(req.getQuery() ?? '')
    const cookies = parseCookies(req.getHeader('cookie'))
    const peer = Buffer.from(res.getRemoteAddressAsText()).toString()
    const remote = security.trustProxy ? forwardedFor(req.getHeader('x-forwarded-for')) ?? peer : peer

    let finished = false
    res.onAborted(() => {
      finished = true
    })
    const respond = (response: ApiResponse, extraHeaders: Readonly<Record<string, string>> = {}) => {
      if (finished) return
      // Serialized first: a body that cannot be must fail before anything is written.
      const json = response.body === undefined ? undefined : JSON.stringify(response.body)
      finished = true
      res.cork(() => {
        res.writeStatus(statusLine(response.status ?? 200))
        writeSecurityHeaders(res, security)
        for (const [name, value] of Object.entries(extraHeaders)) res.writeHeader(name, value)
        if (response.setCookie) res.writeHeader('Set-Cookie', response.setCookie)
        res.writeHeader('Cache-Control', 'no-store')
        if (json === undefined) return void res.end()
        res.writeHeader('Content-Type', 'application/json')
        res.end(json)
      })
    }
    const fail = (err: unknown) => respond(errorResponse(err, log, where), err instanceof ApiError ? err.headers : {})

    let head: RequestHead
    try {
      const params = Object.fromEntries(paramNames.map((name, index) => [name, decodeParam(name, rawParams[index]!)]))
      refuseNul(Object.fromEntries(query), '', 'query')
      refuseCrossOrigin(security, headers)
      if (writes) refuseNonJson(contentType)
      head = { params, query, cookies, remote, https: isHttps(security, headers) }
    } catch (err) {
      return fail(err)
    }

    // The body streams in while `authorize` runs; too large a body is refused as soon as it is.
    const raw = method === 'post' || method === 'put' ? readBody(res, options.maxBodyBytes) : Promise.resolve(Buffer.alloc(0))
    raw.catch(fail)
    const run = async () => {
      const context = await options.authorize(head)
      const bytes = await raw
      if (finished) return
      const body = bytes.length === 0 ? undefined : parseJson(bytes, contentType)
      refuseNul(body, '')
      respond(await handler({ ...head, body }, context))
    }
    run().catch(fail)
  })
}

/** A percent-decoded path parameter; a broken escape (`/api/vehicles/%`) is a 400 naming the parameter. */
function decodeParam(name: string, raw: string): string {
  const decoded = safeDecode(raw)
  if (decoded === null) throw new ApiError('BAD_REQUEST', `${name}: not a valid URL escape ("${raw.slice(0, 40)}")`)
  refuseNul(decoded, name)
  return decoded
}

/** `decodeURIComponent`, or null for text that is not a valid escape (it throws `URIError` on `%`, `%zz`, `%ff`). */
export function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text)
  } catch {
    return null
  }
}

/**
 * An API request from a browser must come from the dashboard's own pages. Writes matter most: a page
 * elsewhere can send a "simple" form or `text/plain` POST with the user's cookies. Reads are held to it
 * too, since some have effects (asking for a device's packets starts logging them).
 */
function refuseCrossOrigin(security: WebSecurity, headers: RequestHeaders): void {
  const refusal = crossOriginRefusal(security, headers)
  if (refusal) throw new ApiError('CROSS_ORIGIN', `Refused: ${refusal}`)
}

/** A write says its body is JSON, which no page elsewhere can send without a preflight this server does not answer. */
function refuseNonJson(contentType: string): void {
  if (contentType !== '' && !isJsonMediaType(contentType)) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Send JSON (Content-Type: application/json), not ${contentType.slice(0, 100)}`)
  }
}

/** `application/json`, optionally with `charset=utf-8`: the media type parsed, not searched for "json". */
export function isJsonMediaType(header: string): boolean {
  const [type, ...parameters] = header.split(';')
  if (type!.trim().toLowerCase() !== 'application/json') return false
  return parameters.every((parameter) => {
    const eq = parameter.indexOf('=')
    const name = parameter.slice(0, eq).trim().toLowerCase()
    const value = parameter.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase()
    return eq > 0 && (name !== 'charset' || value === 'utf-8' || value === 'utf8')
  })
}

/** The address a trusted proxy appended to `X-Forwarded-For` (the right-most: those before it are the client's say). */
function forwardedFor(header: string): string | undefined {
  const last = header.split(',').at(-1)?.trim()
  return last ? last : undefined
}

function readBody(res: HttpResponse, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    res.onData((chunk, isLast) => {
      if (refused) return
      size += chunk.byteLength
      if (size > maxBytes) {
        refused = true
        return reject(new ApiError('TOO_LARGE', `Request body is too large (at most ${maxBytes} bytes here)`))
      }
      chunks.push(Buffer.from(chunk.slice(0)))
      if (isLast) resolve(Buffer.concat(chunks))
    })
  })
}

function parseJson(raw: Buffer, contentType: string): unknown {
  // A body needs its type said: the check of a present type ran before; this is the absent one.
  if (contentType === '') throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json)')
  if (jsonDepthExceeds(raw, MAX_JSON_DEPTH)) throw new ApiError('BAD_JSON', `Request body nests deeper than ${MAX_JSON_DEPTH} levels`)
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new ApiError('BAD_JSON', 'Request body is not valid JSON')
  }
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const [OPEN_ARRAY, OPEN_OBJECT, CLOSE_ARRAY, CLOSE_OBJECT] = [0x5b, 0x7b, 0x5d, 0x7d]

/**
 * Whether JSON text nests arrays and objects deeper than `max`, by one pass over the bytes counting
 * brackets outside strings (strings are skipped with the native `indexOf`; UTF-8 continuation bytes never
 * equal these ASCII ones). Invalid JSON may pass here; `JSON.parse` refuses it after, nesting known shallow.
 */
export function jsonDepthExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte === QUOTE) {
      i = closingQuote(bytes, i)
      if (i === -1) return false
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > max) return true
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--
  }
  return false
}

/** The index of the quote closing the string opened at `open` (one not escaped by an odd run of backslashes), or -1. */
function closingQuote(bytes: Uint8Array, open: number): number {
  let at = open
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1)
    if (at === -1) return -1
    let backslashes = 0
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return at
  }
}

/**
 * PostgreSQL cannot store NUL in text, and no field of the API means one: a NUL anywhere in a path,
 * query or body (values or keys) is a 400 naming where, before any schema or query sees it.
 */
function refuseNul(value: unknown, path: string, root = 'body'): void {
  const where = path === '' ? root : path
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new ApiError('BAD_REQUEST', `${where}: text cannot contain NUL characters`)
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => refuseNul(item, path === '' ? String(index) : `${path}.${index}`, root))
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\0')) throw new ApiError('BAD_REQUEST', `${where}: a field name cannot contain NUL characters`)
      refuseNul(item, path === '' ? key : `${path}.${key}`, root)
    }
  }
}

function errorResponse(err: unknown, log: Logger, where: { method: string; url: string }): ApiResponse {
  if (err instanceof ApiError) {
    log.debug({ ...where, status: err.status, code: err.code, reason: err.message }, 'api request refused')
    return err.response()
  }
  if (err instanceof z.ZodError) {
    const message = err.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')
    log.debug({ ...where, status: 400, reason: message }, 'api request refused')
    return new ApiError('BAD_REQUEST', message).response()
  }
  if (isDatabaseUnreachable(err)) {
    log.warn({ ...where, reason: (err as Error).message }, 'api request failed: database unavailable')
    return new ApiError('DATABASE_UNAVAILABLE', 'The database is unavailable; try again in a moment').response()
  }
  const sqlState = pgDataException(err)
  if (sqlState) {
    // A value the schemas let through and the database refused: the client's input, and a gap in validation worth fixing.
    log.warn({ ...where, sqlState, reason: (err as Error).message }, 'database refused a request value')
    return new ApiError('BAD_REQUEST', 'A value in the request is out of range or malformed').response()
  }
  log.error({ ...where, err }, 'api handler failed')
  return new ApiError('INTERNAL', 'Something went wrong on the server').response()
}

/** PostgreSQL's class 22 (data exception: invalid text, datetime out of range, NUL in text...): bad input, not a server fault. */
function pgDataException(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
  return code?.length === 5 && code.startsWith('22') ? code : undefined
}

/** The request's cookies; one whose value is not a valid URL escape is left out, as if not sent. */
export function parseCookies(header: string): Record<string, string> {
  const cookies: Record<string, string> = {}
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const value = safeDecode(part.slice(eq + 1).trim())
    if (value !== null) cookies[part.slice(0, eq).trim()] = value
  }
  return cookies
}
