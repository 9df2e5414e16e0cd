import type { HttpProtocolDescriptor } from '../types.ts'
import { decodeRequest } from './decode.ts'
import { describeRequest } from './describe.ts'

export const osmand: HttpProtocolDescriptor = {
  name: 'osmand',
  transports: ['http'],
  defaultPort: 5055,
  decodeRequest,
  describeRequest,
}
