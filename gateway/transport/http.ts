/**
 * Listens for an HTTP protocol (OsmAnd: phone apps). Every request is a whole message carrying its
 * device id; it is decoded, its records awaited durable (settleDecoded, shared with TCP and UDP), and
 * only then answered with the protocol's success status. A failed write answers 503, so the app keeps
 * the location and retries.
 *
 * Limits: GET and POST only (405); a body larger than `maxMessageBytes` is refused with 413 as soon as
 * its declared length or its bytes so far exceed the limit, never buffered whole; headers and the whole
 * request must arrive within a bounded time (slowloris), idle keep-alive sockets are closed.
 */
import http from 'node:http'
import type net from 'node:net'
import type { Logger } from '../../logger.ts'
import type { HttpDecoded, HttpProtocolDescriptor, Session } from '../protocols/types.ts'
import type { RejectionReason } from '../rejections.ts'
import { settleDecoded, type GatewayContext } from './handle-message.ts'
import { LazyLog } from './lazy-log.ts'
import { listen } from './listen.ts'

export interface HttpListener {
  port: number
  /** Stops listening and drops the open connections (apps resend what was not answered 200). */
  close(): Promise<void>
}

/** Longest time one request may take to arrive, headers and body (a slow sender holds no socket for long). */
const MAX_REQUEST_MS = 30_000
const MAX_HEADER_BYTES = 16 * 1024
const MAX_HEADERS = 64
/** How much of a rejected request goes to the log. */
const LOGGED_CHARS = 2048

type Answer = { status: number; body: string; headers?: Record<string, string> }

export async function listenHttp(
  protocol: HttpProtocolDescriptor,
  host: string,
  port: number,
  context: GatewayContext,
  rootLog: Logger,
): Promise<HttpListener> {
  const stats = context.stats.for(protocol.name)
  const requestTimeout = Math.min(MAX_REQUEST_MS, context.idleTimeoutMs)
  const server = http.createServer({
    requestTimeout,
    headersTimeout: requestTimeout,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, requestTimeout / 4)),
    maxHeaderSize: MAX_HEADER_BYTES,
    requireHostHeader: false,
    noDelay: true,
  })
  server.keepAliveTimeout = context.idleTimeoutMs
  server.maxHeadersCount = MAX_HEADERS
  // Socket inactivity, between and inside requests (the timeouts above bound a request's total time).
  server.timeout = context.idleTimeoutMs
  const reject = (reason: RejectionReason) => context.stats.reject(protocol.name, reason)
  const countBytes = byteCounter(stats)
  const answered = new WeakSet<net.Socket>()

  server.on('connection', (socket: net.Socket) => {
    const limit = context.connectionsPerAddress
    const release = limit ? limit.open(socket.remoteAddress) : () => {}
    if (!release) {
      reject('TOO_MANY_CONNECTIONS')
      return void socket.destroy()
    }
    stats.connections++
    stats.openConnections++
    socket.once('close', () => {
      stats.openConnections--
      countBytes(socket)
      release()
    })
  })

  const serve = (request: http.IncomingMessage, response: http.ServerResponse, expectsContinue: boolean) => {
    const remote = `${request.socket.remoteAddress}:${request.socket.remotePort}`
    const log = new LazyLog(rootLog, () => ({ protocol: protocol.name, remote }))
    response.once('finish', () => {
      answered.add(request.socket)
      countBytes(request.socket)
    })
    serveRequest(request, response, expectsContinue, log).catch((err) => {
      log.error({ err }, 'http request handler failed')
      reject('INTERNAL_ERROR')
      if (!response.headersSent) answer(response, { status: 500, body: 'internal error' })
      else response.destroy()
    })
  }

  const serveRequest = async (request: http.IncomingMessage, response: http.ServerResponse, expectsContinue: boolean, log: LazyLog) => {
    const method = request.method ?? ''
    if (method !== 'GET' && method !== 'POST') {
      return refuse(request, response, 'METHOD_NOT_ALLOWED', { status: 405, body: 'only GET and POST', headers: { allow: 'GET, POST' } }, log)
    }
    const declared = Number(request.headers['content-length'] ?? 0)
    if (declared > context.maxMessageBytes) return refuse(request, response, 'FRAME_TOO_LONG', tooLarge(context.maxMessageBytes), log)
    if (expectsContinue) response.writeContinue()
    const body = await readBody(request, context.maxMessageBytes)
    if (body === 'tooLarge') return refuse(request, response, 'FRAME_TOO_LONG', tooLarge(context.maxMessageBytes), log)
    // The client went away or the request timed out; the socket's error was counted where it was seen.
    if (body === 'aborted') return log.debug('request aborted')

    stats.messages++
    const target = request.url ?? '/'
    log.debug({ method, target, body: clip(body.toString('utf8')) }, 'in')
    const decoded = protocol.decodeRequest(
      { method, target, contentType: request.headers['content-type'] ?? '', body },
      { now: new Date(), crc: context.crc },
    )
    if (decoded.identity) log.identified(decoded.identity.imei)
    const session: Session = { transport: 'http' }
    const input = () => ({ method, target: clip(target), body: clip(body.toString('utf8')) })
    const kind = () => protocol.describeRequest({ method })
    const settled = await settleDecoded({ protocol: protocol.name, decoded, session, input, kind }, context, log)
    const reply = settled.ok ? fromDecoded(decoded) : failureAnswer(settled.reason, decoded)
    log.debug({ status: reply.status }, 'out')
    answer(response, reply)
  }

  /** Answers a request whose body will not be read whole; the socket closes after the answer. */
  const refuse = (request: http.IncomingMessage, response: http.ServerResponse, reason: RejectionReason, reply: Answer, log: LazyLog) => {
    reject(reason)
    log.warn({ reason, method: clip(request.method ?? ''), target: clip(request.url ?? '') }, 'request refused')
    answer(response, { ...reply, headers: { ...reply.headers, connection: 'close' } })
  }

  server.on('request', (request, response) => serve(request, response, false))
  server.on('checkContinue', (request, response) => serve(request, response, true))
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    const reason = clientErrorReason(err)
    reject(reason)
    rootLog.debug({ err, protocol: protocol.name, reason }, 'http client error')
    if (socket.writable && reason !== 'CONNECTION_RESET' && reason !== 'ABORTED') {
      const status = reason === 'REQUEST_TIMEOUT' ? '408 Request Timeout' : reason === 'HEADERS_TOO_LARGE' ? '431 Request Header Fields Too Large' : '400 Bad Request'
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    socket.destroySoon()
  })
  server.on('timeout', (socket: net.Socket) => {
    // A keep-alive socket that has been answered and goes quiet is closed as a matter of course.
    if (!answered.has(socket)) reject('IDLE_TIMEOUT')
    socket.destroy()
  })
  server.on('error', (err) => rootLog.error({ err, protocol: protocol.name }, 'http server error'))

  const boundPort = await listen(server, host, port)
  return {
    port: boundPort,
    close: async () => {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections()
      await closed
    },
  }
}

/** The protocol's answer once the records are durable (or its refusal of bad input). */
function fromDecoded(decoded: HttpDecoded): Answer {
  return { status: decoded.status, body: decoded.body ?? '' }
}

function failureAnswer(reason: RejectionReason, decoded: HttpDecoded): Answer {
  if (reason === 'STORAGE_FAILED') return { status: 503, body: 'not stored, retry later', headers: { 'retry-after': '10' } }
  if (reason === 'UNKNOWN_DEVICE') return { status: 403, body: 'unknown device' }
  if (reason === 'PROTOCOL_MISMATCH') return { status: 403, body: 'this id is registered with another protocol' }
  return fromDecoded(decoded)
}

function tooLarge(limit: number): Answer {
  return { status: 413, body: `the request body is larger than ${limit} bytes` }
}

function answer(response: http.ServerResponse, { status, body, headers }: Answer): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  })
  response.end(body)
}

/** The body, or why there is none: over the limit (reading stops there), or the client went away. */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | 'tooLarge' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) return void chunks.push(chunk)
      request.off('data', onData)
      chunks.length = 0
      resolve('tooLarge')
    }
    request.on('data', onData)
    request.once('end', () => resolve(Buffer.concat(chunks, size)))
    request.once('error', () => resolve('aborted'))
    request.once('close', () => resolve('aborted'))
  })
}

function clientErrorReason(err: NodeJS.ErrnoException): RejectionReason {
  if (err.code === 'ECONNRESET') return 'CONNECTION_RESET'
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'REQUEST_TIMEOUT'
  if (err.code === 'HPE_HEADER_OVERFLOW') return 'HEADERS_TOO_LARGE'
  if (err.code === 'HPE_INVALID_EOF_STATE') return 'ABORTED'
  return 'BAD_HTTP'
}

/** Counts a socket's traffic since it was last counted. */
function byteCounter(stats: { bytesIn: number; bytesOut: number }): (socket: net.Socket) => void {
  const counted = new WeakMap<net.Socket, { read: number; written: number }>()
  return (socket) => {
    const before = counted.get(socket) ?? { read: 0, written: 0 }
    const now = { read: socket.bytesRead, written: socket.bytesWritten }
    stats.bytesIn += now.read - before.read
    stats.bytesOut += now.written - before.written
    counted.set(socket, now)
  }
}

function clip(text: string): string {
  return text.length > LOGGED_CHARS ? `${text.slice(0, LOGGED_CHARS)}...` : text
}
