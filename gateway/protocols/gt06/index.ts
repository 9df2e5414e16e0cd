import type { ProtocolDescriptor } from '../types.ts'
import { decode } from './decode.ts'
import { describeMessage } from './describe.ts'
import { frame } from './frame.ts'

export const gt06: ProtocolDescriptor = {
  name: 'gt06',
  transports: ['tcp'],
  defaultPort: 5023,
  frame,
  decode,
  describeMessage,
}
