/** Every protocol the gateway speaks, listed explicitly. */
import type { AnyProtocolDescriptor, HttpProtocolDescriptor } from './types.ts'
import { gt06 } from './gt06/index.ts'
import { osmand } from './osmand/index.ts'
import { queclink } from './queclink/index.ts'
import { teltonika } from './teltonika/index.ts'

export const PROTOCOL_DESCRIPTORS: readonly AnyProtocolDescriptor[] = [teltonika, gt06, queclink, osmand]

export function findProtocol(name: string): AnyProtocolDescriptor | undefined {
  return PROTOCOL_DESCRIPTORS.find((descriptor) => descriptor.name === name)
}

/** A protocol spoken over HTTP requests rather than byte streams and datagrams. */
export function isHttpProtocol(descriptor: AnyProtocolDescriptor): descriptor is HttpProtocolDescriptor {
  return 'decodeRequest' in descriptor
}
