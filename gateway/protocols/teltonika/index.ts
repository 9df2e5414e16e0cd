import type { ProtocolDescriptor } from '../types.ts'
import { decode } from './decode.ts'
import { describeMessage } from './describe.ts'
import { frame } from './frame.ts'

export const teltonika: ProtocolDescriptor = {
  name: 'teltonika',
  transports: ['tcp', 'udp'],
  defaultPort: 5027,
  frame,
  decode,
  describeMessage,
}
