import type { HttpRequest, HttpResponse, TemplatedApp } from '@trufflesuite/uws-js-unofficial'
import { z } from 'zod'
import type { Logger } from '../../logger.ts'

/** An error the API answers as `{ error: { code, message } }` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface ApiRequest {
  params: Record<string, string>
  query: URLSearchParams
  cookies: Record<string, string>
  body: unknown
  remote: string
}

export interface ApiResponse {
  status?: number
  body?: unknown
  setCookie?: string
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>

const MAX_BODY_BYTES = 1024 * 1024
const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 204: '204 No Content', 400: '400 Bad Request', 401: '401 Unauthorized',
  403: '403 Forbidden', 404: '404 Not Found', 409: '409 Conflict', 413: '413 Payload Too Large',
  415: '415 Unsupported Media Type', 422: '422 Unprocessable Entity', 500: '500 Internal Server Error',
}

export function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Unknown`
}

/** Registers a JSON route on the uWS app: reads what it needs from the request synchronously (uWS rule), then awaits. */
export function route(app: TemplatedApp, method: 'get' | 'post' | 'put' | 'del', pattern: string, handler: ApiHandler, log: Logger): void {
  const paramNames = pattern.split('/').filter((part) => part.startsWith(':')).map((part) => part.slice(1))
  app[method](pattern, (res: HttpResponse, req: HttpRequest) => {
    const params = Object.fromEntries(paramNames.map((name, index) => [name, decodeURIComponent(req.getParameter(index) ?? '')]))
    const query = new URLSearchParams(req.getQuery() ?? '')
    const cookies = parseCookies(req.getHeader('cookie'))
    const contentType = req.getHeader('content-type')
    const remote = Buffer.from(res.getRemoteAddressAsText()).toString()
    let aborted = false
    res.onAborted(() => {
      aborted = true
    })
    const respond = (response: ApiResponse) => {
      if (aborted) return
      res.cork(() => {
        res.writeStatus(statusLine(response.status ?? 200))
        if (response.setCookie) res.writeHeader('Set-Cookie', response.setCookie)
        res.writeHeader('Cache-Control', 'no-store')
        if (response.body === undefined) return void res.end()
        res.writeHeader('Content-Type', 'application/json')
        res.end(JSON.stringify(response.body))
      })
    }
    const run = async () => {
      const raw = method === 'get' || method === 'del' ? undefined : await readBody(res)
      if (aborted) return
      const body = raw === undefined || raw.length === 0 ? undefined : parseJson(raw, contentType)
      respond(await handler({ params, query, cookies, body, remote }))
    }
    run().catch((err: unknown) => respond(errorResponse(err, log)))
  })
}

function errorResponse(err: unknown, log: Logger): ApiResponse {
  if (err instanceof ApiError) return { status: err.status, body: { error: { code: err.code, message: err.message } } }
  if (err instanceof z.ZodError) {
    const message = err.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')
    return { status: 400, body: { error: { code: 'BAD_REQUEST', message } } }
  }
  log.error({ err }, 'api handler failed')
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Something went wrong on the server' } } }
}

function readBody(res: HttpResponse): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    res.onData((chunk, isLast) => {
      size += chunk.byteLength
      if (size > MAX_BODY_BYTES) return reject(new ApiError(413, 'TOO_LARGE', 'Request body is too large'))
      chunks.push(Buffer.from(chunk.slice(0)))
      if (isLast) resolve(Buffer.concat(chunks))
    })
  })
}

function parseJson(raw: Buffer, contentType: string): unknown {
  if (!contentType.includes('json')) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json)')
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new ApiError(400, 'BAD_JSON', 'Request body is not valid JSON')
  }
}

export function parseCookies(header: string): Record<string, string> {
  const cookies: Record<string, string> = {}
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim())
  }
  return cookies
}
