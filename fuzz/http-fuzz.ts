/**
 * Hostile-request fuzzing of a running Fleetwire's HTTP servers: the dashboard API and the OsmAnd
 * endpoint. Requests are made of random methods, paths with broken percent-escapes, NUL bytes and
 * odd Unicode, random cookies and headers, and bodies mutated from valid ones (out-of-range dates,
 * huge numbers, deep nesting, wrong types). A finding is any 5xx answer, or the server no longer
 * answering its liveness check; a request the server refuses to parse (closing the socket) is not.
 *
 * Most requests go through Node's HTTP client on keep-alive sockets; the ones Node's client would
 * refuse to send (control characters, spaces or raw bytes in the target or a header) go as raw bytes
 * on a socket of their own.
 */
import http from 'node:http'
import net from 'node:net'
import { intBetween, pick, randomBytes, type Random } from '../simulator/random.ts'

export interface HttpFuzzRequest {
  method: string
  target: string
  headers: Record<string, string>
  body?: Buffer
}

export interface HttpFuzzFinding {
  kind: 'server-error' | 'not-alive'
  detail: string
  request: string
}

export interface HttpFuzzReport {
  target: string
  requests: number
  /** How many answers of each status; 0 counts requests the server closed without an answer. */
  statuses: Record<number, number>
  findings: HttpFuzzFinding[]
}

export interface HttpFuzzOptions {
  host: string
  port: number
  requests: number
  random: Random
  /** Requests in flight at once. */
  concurrency?: number
  /** Makes the next request; the target's own generator. */
  generate: (random: Random) => HttpFuzzRequest
  /** Answers true while the server is healthy; asked every `checkEvery` requests and at the end. */
  alive: () => Promise<boolean>
  checkEvery?: number
  name: string
}

/**
 * How long a raw request waits for the status line. A server may wait for the rest of a request it
 * cannot delimit (a body it does not read, a broken header) until its own idle timeout; that is the
 * sender's problem, not a finding, and the liveness checks catch a server that stopped answering.
 */
const RAW_ANSWER_WAIT_MS = 2000

/** Node's client refuses these in a request target or a header value; such requests go raw. */
const UNSENDABLE_TARGET = /[^\u0021-\u00ff]/
const UNSENDABLE_HEADER = /[^\t\u0020-\u007e\u0080-\u00ff]/

export async function fuzzHttp(options: HttpFuzzOptions): Promise<HttpFuzzReport> {
  const { random, generate } = options
  const concurrency = options.concurrency ?? 16
  const checkEvery = options.checkEvery ?? 2000
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const report: HttpFuzzReport = { target: options.name, requests: 0, statuses: {}, findings: [] }
  let next = 0
  const worker = async () => {
    while (next < options.requests && report.findings.length < 20) {
      const index = next++
      const request = generate(random)
      const status = await send(options.host, options.port, request, agent)
      report.requests++
      report.statuses[status] = (report.statuses[status] ?? 0) + 1
      if (status >= 500) report.findings.push({ kind: 'server-error', detail: `answered ${status}`, request: describe(request) })
      if ((index + 1) % checkEvery === 0 && !(await options.alive())) {
        report.findings.push({ kind: 'not-alive', detail: `liveness check failed after request ${index + 1}`, request: describe(request) })
        break
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  if (!(await options.alive())) report.findings.push({ kind: 'not-alive', detail: 'liveness check failed at the end', request: '' })
  agent.destroy()
  return report
}

/** Sends one request; resolves with its status, or 0 when the server closed the connection without answering. */
export function send(host: string, port: number, request: HttpFuzzRequest, agent: http.Agent): Promise<number> {
  // uWS reads no body for methods that have none: the bytes of one would poison a kept-alive connection
  // for the requests after it, so such a request goes on a socket of its own.
  const bodyWithoutMeaning = request.body !== undefined && !['POST', 'PUT', 'PATCH'].includes(request.method)
  const raw = bodyWithoutMeaning || UNSENDABLE_TARGET.test(request.target) || Object.entries(request.headers).some(([name, value]) => UNSENDABLE_HEADER.test(value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
  return raw ? sendRaw(host, port, request) : sendWithClient(host, port, request, agent)
}

function sendWithClient(host: string, port: number, request: HttpFuzzRequest, agent: http.Agent): Promise<number> {
  return new Promise((resolve) => {
    const outgoing = http.request({ host, port, method: request.method, path: request.target, headers: request.headers, agent }, (response) => {
      response.resume()
      response.once('end', () => resolve(response.statusCode ?? 0))
      response.once('error', () => resolve(response.statusCode ?? 0))
    })
    outgoing.once('error', () => resolve(0))
    outgoing.end(request.body)
  })
}

function sendRaw(host: string, port: number, request: HttpFuzzRequest): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host)
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      // The status line is all we need.
      if (Buffer.concat(chunks).includes('\r\n')) socket.destroy()
    })
    socket.once('error', () => undefined)
    socket.setTimeout(RAW_ANSWER_WAIT_MS, () => socket.destroy())
    socket.once('close', () => {
      const line = Buffer.concat(chunks).toString('latin1').split('\r\n')[0] ?? ''
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(line)
      resolve(status ? Number(status[1]) : 0)
    })
    const headers = Object.entries({ ...request.headers, connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`).join('')
    const length = request.body ? `content-length: ${request.body.length}\r\n` : ''
    socket.end(Buffer.concat([Buffer.from(`${request.method} ${request.target} HTTP/1.1\r\nhost: ${host}:${port}\r\n${headers}${length}\r\n`, 'latin1'), request.body ?? Buffer.alloc(0)]))
  })
}

function describe(request: HttpFuzzRequest): string {
  const body = request.body ? ` body ${JSON.stringify(request.body.toString('latin1').slice(0, 300))}` : ''
  return `${request.method} ${JSON.stringify(request.target.slice(0, 300))} headers ${JSON.stringify(request.headers).slice(0, 300)}${body}`
}

// ——— the pieces hostile requests are made of ———

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'get', 'PROPFIND']

/** Path segments and values that broke servers before: broken escapes, NUL, overlong UTF-8, traversal, huge numbers. */
const HOSTILE_TEXT = [
  '%', '%%', '%zz', '%E0%A4%A', '%C0%AE%C0%AE', '%00', '%FF%FE', '%ud800', '..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e',
  '-1', '0', '1', '2', '9007199254740993', '1e308', 'NaN', 'null', 'undefined', '[]', '{}', '😀', 'é', '\u0000', ' ',
  '356307042441013', '35630704244101', 'a'.repeat(2000), '<script>', "'; DROP TABLE users; --",
]

/** Values a JSON field may be replaced with. */
const HOSTILE_VALUES: unknown[] = [
  null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 1.5, '', ' ', '\u0000', 'a\u0000b', '\u202e', '😀', 'x'.repeat(70_000),
  '-010000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '10000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '2026-02-30',
  'not a date', [], [null], [1, 2, 3], {}, { kind: 'all' }, { kind: 'selected', vehicleIds: [1e20] }, '%', '%00',
]

export function hostileText(random: Random): string {
  switch (intBetween(random, 0, 3)) {
    case 0:
      return pick(random, HOSTILE_TEXT)
    case 1:
      // Percent-escaped random bytes: often not UTF-8 at all.
      return [...randomBytes(random, intBetween(random, 1, 8))].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')
    case 2:
      return randomBytes(random, intBetween(random, 1, 12)).toString('latin1')
    default:
      return String(intBetween(random, -5, 50))
  }
}

export function hostileValue(random: Random): unknown {
  return random() < 0.7 ? pick(random, HOSTILE_VALUES) : hostileText(random)
}

/** `[[[…]]]` nested `depth` deep. */
export function deeplyNested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}

/** A body for a route: a valid one mutated (fields replaced, dropped or added), or junk. */
export function mutateBody(random: Random, valid: Record<string, unknown> | undefined): Buffer | undefined {
  const roll = random()
  if (roll < 0.05) return undefined
  if (roll < 0.12) return randomBytes(random, intBetween(random, 0, 256))
  if (roll < 0.15) return Buffer.from(deeplyNested(intBetween(random, 10, 100_000)))
  if (roll < 0.2) return Buffer.from(JSON.stringify(hostileValue(random)))
  const body: Record<string, unknown> = structuredClone(valid ?? {})
  const keys = Object.keys(body)
  for (let n = intBetween(random, 1, 3); n > 0; n--) {
    const action = random()
    if (keys.length > 0 && action < 0.6) body[pick(random, keys)] = hostileValue(random)
    else if (keys.length > 0 && action < 0.8) delete body[pick(random, keys)]
    else body[hostileText(random)] = hostileValue(random)
  }
  let text = JSON.stringify(body)
  if (random() < 0.05) text = text.slice(0, intBetween(random, 0, text.length))
  return Buffer.from(text)
}

export function hostileHeaders(random: Random, base: Record<string, string>): Record<string, string> {
  const headers = { ...base }
  const roll = () => random() < 0.15
  if (roll()) headers['content-type'] = pick(random, ['text/plain; x=json', 'application/json; charset=utf-16', 'application/jsonp', 'multipart/form-data; boundary=x', '', 'application/json\u0000', hostileText(random)])
  if (roll()) headers.origin = pick(random, ['http://evil.example', 'null', 'http://127.0.0.1:1', hostileText(random)])
  if (roll()) headers['sec-fetch-site'] = pick(random, ['cross-site', 'same-site', 'same-origin', 'none', hostileText(random)])
  if (roll()) headers['x-forwarded-proto'] = pick(random, ['https', 'http', hostileText(random)])
  if (roll()) headers.accept = hostileText(random)
  if (roll()) headers[`x-${intBetween(random, 0, 99)}`] = hostileText(random)
  if (roll()) headers.cookie = `${headers.cookie ?? ''}; theme=${hostileText(random)}`
  return headers
}
