/**
 * The `decode` command (ARCHITECTURE.md, "The decode command"): feeds messages in order through one
 * session, as a connection would, and prints one JSON line per record, ACK, HTTP response or error.
 *
 *   npm run --silent decode -- --protocol teltonika --transport tcp --hex 000f3335... --hex 00000000... [--crc lenient]
 *   npm run --silent decode -- --protocol osmand --transport http --text '/?id=123456&lat=60&lon=30'
 *
 * Over HTTP every message is one request: a JSON body when it starts with `{` or `[` (POST,
 * application/json), otherwise the request target of a GET.
 */
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { fromHex, isHex, toHex } from './lib/hex.ts'
import { FrameReader } from './frame-reader.ts'
import { type ProtocolError, protocolError } from './protocols/errors.ts'
import { PROTOCOL_DESCRIPTORS, findProtocol, isHttpProtocol } from './protocols/registry.ts'
import type { AnyProtocolDescriptor, Decoded, HttpDecoded, HttpProtocolDescriptor, HttpRequestMessage, Session, Transport } from './protocols/types.ts'
import type { DeviceRecord } from '../core/record.ts'

const PROTOCOL_NAMES = PROTOCOL_DESCRIPTORS.map((descriptor) => descriptor.name).join('|')
const USAGE = `usage: npm run --silent decode -- --protocol ${PROTOCOL_NAMES} --transport tcp|udp|http (--hex <hex> | --text <text>) [...more, in order] [--crc lenient]`

/** Generous: the command is for looking at messages, not for guarding a server. */
const MAX_FRAME_BYTES = 1024 * 1024

export type Output =
  | ({ type: 'record' } & DeviceRecord)
  | { type: 'ack'; hex: string }
  | { type: 'response'; status: number; body: string }
  | { type: 'error'; code: string; message: string }

export interface DecodeRequest {
  protocol: AnyProtocolDescriptor
  transport: Transport
  crc: 'strict' | 'lenient'
  messages: Buffer[]
}

const requestSchema = z
  .object({
    protocol: z.string().transform((name, ctx) => {
      const descriptor = findProtocol(name)
      if (!descriptor) ctx.addIssue({ code: 'custom', message: `unknown protocol "${name}"` })
      return descriptor ?? z.NEVER
    }),
    transport: z.enum(['tcp', 'udp', 'http']),
    crc: z.enum(['strict', 'lenient']).default('strict'),
    messages: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('hex'), value: z.string().refine(isHex, 'must be hex digits in pairs') }),
          z.object({ kind: z.literal('text'), value: z.string() }),
        ]),
      )
      .min(1, 'give at least one --hex or --text message'),
  })
  .refine((request) => (request.protocol.transports as readonly string[]).includes(request.transport), {
    message: 'the protocol does not use this transport',
    path: ['transport'],
  })
  .transform(
    (request): DecodeRequest => ({
      ...request,
      messages: request.messages.map((message) =>
        message.kind === 'hex' ? fromHex(message.value) : Buffer.from(message.value, 'utf8'),
      ),
    }),
  )

/** The request the arguments describe, or why they do not describe one. */
export function parseRequest(argv: string[]): { request: DecodeRequest } | { problem: string } {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        protocol: { type: 'string' },
        transport: { type: 'string' },
        hex: { type: 'string', multiple: true },
        text: { type: 'string', multiple: true },
        crc: { type: 'string' },
      },
      tokens: true,
    })
  } catch (error) {
    return { problem: (error as Error).message }
  }
  const messages = parsed.tokens.flatMap((token) =>
    token.kind === 'option' && (token.name === 'hex' || token.name === 'text') ? [{ kind: token.name, value: token.value }] : [],
  )
  const result = requestSchema.safeParse({ ...parsed.values, messages })
  return result.success ? { request: result.data } : { problem: z.prettifyError(result.error) }
}

/** Feeds the messages through one session; over TCP they are one byte stream, split by the protocol's framer. */
export function decodeMessages({ protocol, transport, crc, messages }: DecodeRequest, clock = () => new Date()): Output[] {
  if (isHttpProtocol(protocol)) return messages.flatMap((message) => decodeHttpMessage(protocol, message, crc, clock()))
  const session: Session = { transport }
  const outputs: Output[] = []
  const decodeOne = (message: Buffer): void => {
    const decoded = protocol.decode(message, session, { now: clock(), crc })
    if (decoded.identity) {
      session.imei = decoded.identity.imei
      session.clockOffsetMinutes = decoded.identity.clockOffsetMinutes
    }
    outputs.push(...outputsOf(decoded))
  }
  if (transport !== 'tcp') {
    messages.forEach(decodeOne)
    return outputs
  }
  const reader = new FrameReader(protocol.frame, MAX_FRAME_BYTES)
  for (const bytes of messages) {
    const framed = reader.read(bytes)
    framed.frames.forEach(decodeOne)
    // A gateway closes the connection here, so nothing after it is read.
    if (framed.error) return [...outputs, errorOutput(framed.error)]
  }
  if (reader.pendingBytes > 0) {
    outputs.push(errorOutput(protocolError('TRUNCATED', `the input ends inside a message: ${toHex(reader.pending)}`)))
  }
  return outputs
}

/** One request: a JSON body (POST) when the text starts with `{` or `[`, otherwise a GET request target. */
function decodeHttpMessage(protocol: HttpProtocolDescriptor, message: Buffer, crc: DecodeRequest['crc'], now: Date): Output[] {
  const text = message.toString('utf8').trim()
  const request: HttpRequestMessage =
    text.startsWith('{') || text.startsWith('[')
      ? { method: 'POST', target: '/', contentType: 'application/json', body: message }
      : { method: 'GET', target: text, contentType: '', body: Buffer.alloc(0) }
  const decoded: HttpDecoded = protocol.decodeRequest(request, { now, crc })
  const outputs: Output[] = decoded.records.map((record) => ({ type: 'record', ...record }))
  outputs.push({ type: 'response', status: decoded.status, body: decoded.body ?? '' })
  if (decoded.error) outputs.push(errorOutput(decoded.error))
  return outputs
}

function outputsOf(decoded: Decoded): Output[] {
  const outputs: Output[] = decoded.records.map((record) => ({ type: 'record', ...record }))
  if (decoded.ack) outputs.push({ type: 'ack', hex: toHex(decoded.ack) })
  if (decoded.error) outputs.push(errorOutput(decoded.error))
  return outputs
}

function errorOutput({ code, message }: ProtocolError): Output {
  return { type: 'error', code, message }
}

function main(argv: string[]): number {
  const parsed = parseRequest(argv)
  if ('problem' in parsed) {
    process.stderr.write(`${parsed.problem}\n${USAGE}\n`)
    return 2
  }
  for (const output of decodeMessages(parsed.request)) process.stdout.write(`${JSON.stringify(output)}\n`)
  return 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2))
