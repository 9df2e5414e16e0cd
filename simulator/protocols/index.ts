/** The protocols the simulator speaks, listed explicitly (as gateway/protocols/registry.ts lists the gateway's). */
import type { Protocol } from '../../gateway/record.ts'
import { gt06Sim } from './gt06.ts'
import { teltonikaSim } from './teltonika.ts'
import type { SimProtocolFamily } from './types.ts'

export const SIM_PROTOCOLS: Partial<Record<Protocol, SimProtocolFamily>> = {
  teltonika: teltonikaSim,
  gt06: gt06Sim,
}

export function findSimProtocol(name: string): SimProtocolFamily | undefined {
  return Object.hasOwn(SIM_PROTOCOLS, name) ? SIM_PROTOCOLS[name as Protocol] : undefined
}
