import type { MessageKind } from '../../core/message-kind.ts'
import type { DeviceRecord, Protocol } from '../../core/record.ts'
import type { Split } from '../frame-reader.ts'
import type { ProtocolError } from './errors.ts'

export type Transport = 'tcp' | 'udp' | 'http'

/** Per-connection state a decoder may read. The transport owns it and updates it in one place. */
export interface Session {
  transport: Transport
  /** Set once the device has identified itself and was accepted. */
  imei?: string
  /** Minutes east of UTC the device's clock runs at, when its identification says (a GT06 login); otherwise UTC. */
  clockOffsetMinutes?: number
}

export interface DecodeContext {
  /** Gateway clock when the message arrived (becomes `receivedAt`). */
  now: Date
  /** `strict` rejects a message whose checksum does not match; `lenient` decodes it anyway. */
  crc: 'strict' | 'lenient'
}

export interface Decoded {
  records: DeviceRecord[]
  /** Reply to send once `records` are durable (at once when there are none). */
  ack?: Uint8Array
  /**
   * The message identified the device. `reject` is the reply for a refused device, if the protocol has one;
   * `clockOffsetMinutes` is the time zone its clock runs in, for the session to keep.
   */
  identity?: { imei: string; reject?: Uint8Array; clockOffsetMinutes?: number }
  error?: ProtocolError
}

/** A protocol's `frame` result: its complete messages, the incomplete tail, or bytes it cannot read. */
export type Framed = Split<Buffer>

/** A protocol spoken over TCP byte streams and/or UDP datagrams. */
export interface ProtocolDescriptor {
  name: Protocol
  transports: readonly ('tcp' | 'udp')[]
  defaultPort: number
  /** Splits a TCP byte stream into messages. `maxFrameBytes` is enforced before a message is buffered whole. */
  frame(buffer: Buffer, maxFrameBytes: number): Framed
  decode(message: Buffer, session: Session, context: DecodeContext): Decoded
  /** What kind of message a frame is, read from its header alone (it may be one `decode` refuses). */
  describeMessage(message: Buffer, transport: 'tcp' | 'udp'): MessageKind
}

/** One HTTP request as the HTTP transport hands it to a protocol (the body already read, within limits). */
export interface HttpRequestMessage {
  method: string
  /** Path and query string, e.g. `/?id=123&lat=...`. */
  target: string
  contentType: string
  body: Buffer
}

/** What to answer: the status and body once `records` are durable (a rejected request gets its error's status). */
export interface HttpDecoded extends Decoded {
  status: number
  body?: string
}

/** A protocol spoken over HTTP requests (phone apps); every request carries its device identity. */
export interface HttpProtocolDescriptor {
  name: Protocol
  transports: readonly ['http']
  defaultPort: number
  decodeRequest(request: HttpRequestMessage, context: DecodeContext): HttpDecoded
  describeRequest(request: Pick<HttpRequestMessage, 'method'>): MessageKind
}

export type AnyProtocolDescriptor = ProtocolDescriptor | HttpProtocolDescriptor
