/** The protocols the simulator speaks, listed explicitly (as gateway/protocols/registry.ts lists the gateway's). */
import type { Protocol } from '../../core/record.ts'
import { gt06Sim } from './gt06.ts'
import { osmandSim } from './osmand.ts'
import { queclinkSim } from './queclink.ts'
import { teltonikaSim } from './teltonika.ts'
import type { SimProtocolFamily } from './types.ts'

export const SIM_PROTOCOLS: Record<Protocol, SimProtocolFamily> = {
  teltonika: teltonikaSim,
  gt06: gt06Sim,
  queclink: queclinkSim,
  osmand: osmandSim,
}

