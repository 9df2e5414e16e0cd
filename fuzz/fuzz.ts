/**
 * Hostile-input fuzzing of every registered protocol: random bytes, mutations of real device
 * messages, truncations, huge length fields, broken checksums and real streams cut at random read
 * boundaries. A finding is a thrown exception, a message that takes too long, a framer that keeps
 * more than a message's worth of bytes, a split stream framed differently from the whole one, or a
 * malformed decode (records or an ACK beside an error, a record that is not plain data).
 */
import { FrameReader } from '../gateway/frame-reader.ts'
import type { AnyProtocolDescriptor, DecodeContext, Decoded, HttpProtocolDescriptor, ProtocolDescriptor, Session } from '../gateway/protocols/types.ts'
import { intBetween, randomBytes, type Random } from '../simulator/random.ts'

export interface FuzzSeed {
  bytes: Buffer
  /** For HTTP protocols: how this starting message was sent. */
  method?: string
  contentType?: string
}

export interface FuzzFinding {
  protocol: string
  kind: 'crash' | 'slow' | 'unbounded' | 'split-mismatch' | 'malformed'
  detail: string
  inputHex: string
}

export interface FuzzReport {
  protocol: string
  inputs: number
  findings: FuzzFinding[]
}

const MAX_FRAME_BYTES = 64 * 1024
const SLOW_MS = 250
const IDENTIFIED_IMEI = '356307042440013'

export interface FuzzOptions {
  /** An input taking longer than this is a finding; tests on a shared machine turn it off (Infinity). */
  slowMs?: number
}

export function fuzzProtocol(protocol: AnyProtocolDescriptor, seeds: FuzzSeed[], inputs: number, random: Random, options: FuzzOptions = {}): FuzzReport {
  const slowMs = options.slowMs ?? SLOW_MS
  const findings: FuzzFinding[] = []
  const run = 'decodeRequest' in protocol ? fuzzHttpInput : fuzzStreamInput
  for (let i = 0; i < inputs && findings.length < 20; i++) {
    const input = makeInput(seeds, random)
    const started = performance.now()
    try {
      const finding = run(protocol as never, input, random)
      if (finding) findings.push({ protocol: protocol.name, inputHex: input.bytes.toString('hex'), ...finding })
    } catch (err) {
      findings.push({ protocol: protocol.name, kind: 'crash', detail: String((err as Error)?.stack ?? err), inputHex: input.bytes.toString('hex') })
    }
    const elapsed = performance.now() - started
    if (elapsed > slowMs) findings.push({ protocol: protocol.name, kind: 'slow', detail: `${elapsed.toFixed(0)} ms`, inputHex: input.bytes.toString('hex') })
  }
  return { protocol: protocol.name, inputs, findings }
}

type Finding = Omit<FuzzFinding, 'protocol' | 'inputHex'> | undefined

const context = (): DecodeContext => ({ now: new Date(), crc: 'strict' })
const LENIENT: DecodeContext = { now: new Date(), crc: 'lenient' }

/** Feeds the input as a TCP stream cut at random read boundaries, then decodes every frame. */
function fuzzStreamInput(protocol: ProtocolDescriptor, input: FuzzSeed, random: Random): Finding {
  const whole = protocol.frame(input.bytes, MAX_FRAME_BYTES)
  const reader = new FrameReader(protocol.frame, MAX_FRAME_BYTES)
  const frames: Buffer[] = []
  let offset = 0
  while (offset < input.bytes.length) {
    const chunk = input.bytes.subarray(offset, offset + intBetween(random, 1, 64))
    offset += chunk.length
    const framed = reader.read(chunk)
    frames.push(...framed.frames)
    if (reader.pendingBytes > MAX_FRAME_BYTES + chunk.length) return { kind: 'unbounded', detail: `kept ${reader.pendingBytes} bytes` }
    if (framed.error) break
  }
  if (!whole.error && frames.length !== whole.frames.length) {
    return { kind: 'split-mismatch', detail: `${frames.length} frames when split, ${whole.frames.length} whole` }
  }
  const identified: Session = { transport: 'tcp', imei: IDENTIFIED_IMEI }
  for (const message of [...whole.frames, input.bytes]) {
    const decodes = [
      protocol.decode(message, identified, random() < 0.5 ? context() : LENIENT),
      protocol.decode(message, { transport: 'tcp' }, context()),
      ...(protocol.transports.includes('udp') ? [protocol.decode(message, { transport: 'udp' }, context())] : []),
    ]
    // The packet log describes every message a watched device sends, broken ones included.
    protocol.describeMessage(message, 'tcp')
    if (protocol.transports.includes('udp')) protocol.describeMessage(message, 'udp')
    for (const decoded of decodes) {
      const problem = malformation(decoded)
      if (problem) return { kind: 'malformed', detail: problem }
    }
  }
  return undefined
}

/** What is wrong with a decode's shape, if anything: the gateway stores and answers what it returns as it is. */
function malformation(decoded: Decoded): string | undefined {
  if (decoded.error && decoded.records.length > 0) return `${decoded.error.code} with ${decoded.records.length} records`
  if (decoded.error && decoded.ack !== undefined) return `${decoded.error.code} with an ACK`
  for (const record of decoded.records) {
    if (Number.isNaN(Date.parse(record.fixTime))) return `fixTime ${JSON.stringify(record.fixTime)}`
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === 'number' && !Number.isFinite(value)) return `${key} ${value}`
    }
    try {
      JSON.stringify(record)
    } catch (err) {
      return `a record that is not plain data: ${String(err)}`
    }
  }
  return undefined
}

function fuzzHttpInput(protocol: HttpProtocolDescriptor, input: FuzzSeed, random: Random): Finding {
  const text = input.bytes.toString('latin1')
  const asTarget = text.startsWith('/') ? text : `/?${text}`
  protocol.decodeRequest({ method: 'GET', target: asTarget, contentType: '', body: Buffer.alloc(0) }, context())
  const contentType = input.contentType ?? (random() < 0.5 ? 'application/json' : 'application/x-www-form-urlencoded')
  protocol.decodeRequest({ method: 'POST', target: '/', contentType, body: input.bytes }, context())
  return undefined
}

/** One hostile input: random bytes, or a real message mutated, cut, lengthened or glued to another. */
function makeInput(seeds: FuzzSeed[], random: Random): FuzzSeed {
  const seed = seeds[intBetween(random, 0, seeds.length - 1)]!
  const bytes = Buffer.from(seed.bytes)
  switch (intBetween(random, 0, 6)) {
    case 0:
      return { bytes: randomBytes(random, intBetween(random, 0, 512)) }
    case 1: // flip a few bytes anywhere
      for (let n = intBetween(random, 1, 8); n > 0 && bytes.length > 0; n--) bytes[intBetween(random, 0, bytes.length - 1)] = intBetween(random, 0, 255)
      return { ...seed, bytes }
    case 2: // truncated
      return { ...seed, bytes: bytes.subarray(0, intBetween(random, 0, bytes.length)) }
    case 3: // a huge length field: saturate bytes near the start, where length fields live
      for (let at = intBetween(random, 0, 4), n = 0; n < 4 && at < bytes.length; at++, n++) bytes[at] = 0xff
      return { ...seed, bytes }
    case 4: // broken checksum or terminator: damage the tail
      if (bytes.length > 0) {
        const at = Math.max(0, bytes.length - intBetween(random, 1, 4))
        bytes[at] = bytes[at]! ^ 0x5a
      }
      return { ...seed, bytes }
    case 5: // several real messages glued, with garbage between some
      return { ...seed, bytes: Buffer.concat([bytes, random() < 0.3 ? randomBytes(random, 3) : Buffer.alloc(0), seeds[intBetween(random, 0, seeds.length - 1)]!.bytes, bytes]) }
    default: // insert or delete a run of bytes
      return { ...seed, bytes: spliceRandom(bytes, random) }
  }
}

function spliceRandom(bytes: Buffer, random: Random): Buffer {
  const at = intBetween(random, 0, bytes.length)
  if (random() < 0.5) return Buffer.concat([bytes.subarray(0, at), randomBytes(random, intBetween(random, 1, 16)), bytes.subarray(at)])
  return Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + intBetween(random, 1, 16)))])
}
