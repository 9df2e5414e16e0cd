import type { ProtocolDescriptor } from '../types.ts'
import { decode } from './decode.ts'
import { describeMessage } from './describe.ts'
import { frame } from './frame.ts'

export const queclink: ProtocolDescriptor = {
  name: 'queclink',
  transports: ['tcp', 'udp'],
  defaultPort: 5004,
  frame,
  decode,
  describeMessage,
}
