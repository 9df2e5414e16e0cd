import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  from: string
  /** Envelope recipients. */
  to: string[]
  /** Decoded Subject header. */
  subject: string
  /** Decoded plain-text body. */
  text: string
  headers: Record<string, string>
}

export interface SmtpSink {
  port: number
  url: string
  received: ReceivedMail[]
  /** Answer the next `count` messages with this SMTP reply (e.g. 451 try later, 550 no such user). */
  failNext(count: number, code: number, message: string): void
  close(): Promise<void>
}

/** A real SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = []
  const failures: { code: number; message: string }[] = []
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const failure = failures.shift()
        if (failure) return callback(Object.assign(new Error(failure.message), { responseCode: failure.code }))
        const envelope = session.envelope
        received.push({
          ...parseMessage(Buffer.concat(chunks).toString('latin1')),
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((address) => address.address),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    failNext(count, code, message) {
      for (let i = 0; i < count; i++) failures.push({ code, message })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Just enough MIME for a single-part text message: unfolded headers, RFC 2047 words, quoted-printable or base64. */
function parseMessage(raw: string): Omit<ReceivedMail, 'from' | 'to'> {
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const headers: Record<string, string> = {}
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const body = raw.slice(split + 4)
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase()
  const bytes =
    encoding === 'base64' ? Buffer.from(body, 'base64') : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : Buffer.from(body, 'latin1')
  return { subject: decodeWords(headers.subject ?? ''), text: bytes.toString('utf8').replace(/\r\n/g, '\n'), headers }
}

function decodeQuotedPrintable(text: string): Buffer {
  const unwrapped = text.replace(/=\r\n/g, '')
  const bytes: number[] = []
  for (let i = 0; i < unwrapped.length; i++) {
    if (unwrapped[i] === '=' && /^[0-9A-F]{2}$/i.test(unwrapped.slice(i + 1, i + 3))) {
      bytes.push(parseInt(unwrapped.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(unwrapped.charCodeAt(i))
  }
  return Buffer.from(bytes)
}

function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_match, _charset: string, kind: string, text: string) =>
      (kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text.replace(/_/g, ' '))).toString('utf8'),
    )
}
