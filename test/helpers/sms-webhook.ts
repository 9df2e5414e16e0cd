import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedSms {
  to: string
  text: string
}

export interface SmsWebhook {
  url: string
  /** Texts answered 2xx. */
  received: ReceivedSms[]
  /** Every request, including those answered with an error. */
  requests: number
  /** Answer the next `count` requests with this status instead of 200. */
  failNext(count: number, status: number): void
  close(): Promise<void>
}

/** A local HTTP server standing in for an SMS provider's webhook: takes `POST { to, text }`. */
export async function startSmsWebhook(): Promise<SmsWebhook> {
  const received: ReceivedSms[] = []
  const failures: number[] = []
  const state = { requests: 0 }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      state.requests++
      const failure = failures.shift()
      if (failure) return void res.writeHead(failure).end()
      if (req.method !== 'POST' || !String(req.headers['content-type']).includes('json')) return void res.writeHead(400).end()
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedSms)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"queued":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/sms`,
    received,
    get requests() {
      return state.requests
    },
    failNext(count, status) {
      for (let i = 0; i < count; i++) failures.push(status)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
