/** Every protocol the gateway speaks, listed explicitly. */
import type { ProtocolDescriptor } from './types.ts'
import { teltonika } from './teltonika/index.ts'

export const PROTOCOL_DESCRIPTORS: readonly ProtocolDescriptor[] = [teltonika]

export function findProtocol(name: string): ProtocolDescriptor | undefined {
  return PROTOCOL_DESCRIPTORS.find((descriptor) => descriptor.name === name)
}
