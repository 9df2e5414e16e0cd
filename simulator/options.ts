/** Simulation settings: one zod schema for the library and the CLI, so both reject the same mistakes. */
import { z } from 'zod'
import { CODEC } from '../gateway/protocols/teltonika/constants.ts'
import { PROTOCOLS } from '../core/record.ts'
import { DEFAULT_IMEI_BASE } from './imei.ts'
import { SIM_PROTOCOLS } from './protocols/index.ts'
import { SIM_EVENT_TYPES } from './record.ts'

/** Codecs the simulator can ask `encodeAvlPacket` for. */
export const CODECS = { '8': CODEC.codec8, '8E': CODEC.codec8Extended, '16': CODEC.codec16 } as const

export const DEFAULT_MAX_RECORDS_PER_PACKET = 50

/** A number, from a number or a numeric string (the CLI). */
const num = () =>
  z.coerce
    .number({
      error: (issue) =>
        issue.code !== 'invalid_type' ? undefined : issue.expected === 'int' ? 'must be a whole number' : 'must be a number',
    })
    .finite()
const seconds = num()

export const simulationSettingsSchema = z
  .object({
    /** Which protocol the devices speak. */
    protocol: z.enum(PROTOCOLS).default('teltonika'),
    /** Default: the protocol's first (tcp, or http for OsmAnd). */
    transport: z.enum(['tcp', 'udp', 'http']).optional(),
    host: z.string().min(1).default('127.0.0.1'),
    /** Default: the protocol's port (Teltonika 5027, GT06 5023, Queclink 5004, OsmAnd 5055). */
    port: num().int().min(1).max(65535).optional(),
    devices: num().int().min(1).max(100_000).default(20),
    /** Simulated seconds during which records are generated. */
    durationSec: seconds.positive().default(60),
    /** Simulated seconds between two records of a device. */
    intervalSec: seconds.positive().default(1),
    /** Live packets carry this many records (at most 255: codec 8 counts in one byte). */
    recordsPerPacket: num().int().min(1).max(255).default(1),
    /** Largest packet when uploading a backlog; default max(50, recordsPerPacket). */
    maxRecordsPerPacket: num().int().min(1).max(255).optional(),
    /** Simulated second at which every device loses coverage, and for how long. */
    coverageLoss: z.object({ startSec: seconds.min(0), durationSec: seconds.positive() }).optional(),
    /**
     * Events reported at simulated second `atSec` (on the first record due then or later), by device
     * `device` (an index) or by every device.
     */
    events: z
      .array(z.object({ atSec: seconds.min(0), type: z.enum(SIM_EVENT_TYPES), device: num().int().min(0).optional() }))
      .default([]),
    /** Device i gets the first 14 digits of this plus i, and a Luhn check digit. */
    imeiBase: z.string().regex(/^\d{15}$/, 'must be 15 digits').default(DEFAULT_IMEI_BASE),
    /** Simulated seconds per real second. */
    rate: num().positive().max(1_000_000).default(1),
    seed: num().int().min(0).max(0xffffffff).optional(),
    /** Fix time of simulated second 0; default: now. */
    startTime: z.coerce.date({ error: 'must be a date and time, e.g. 2026-01-15T08:00:00Z' }).optional(),
    codec: z.union([z.literal(CODEC.codec8), z.literal(CODEC.codec8Extended), z.literal(CODEC.codec16)]).default(CODEC.codec8),
    /** Real milliseconds to wait for a connection, the handshake reply or an ACK. */
    ackTimeoutMs: num().int().positive().max(3_600_000).default(5000),
    /** Real milliseconds allowed after the last record (and the end of coverage loss) to drain the queues. */
    graceMs: num().int().min(0).max(86_400_000).default(20_000),
    backoffMinMs: num().int().positive().max(3_600_000).default(200),
    backoffMaxMs: num().int().positive().max(3_600_000).default(5000),
  })
  .superRefine((s, ctx) => {
    const family = SIM_PROTOCOLS[s.protocol]
    if (s.transport !== undefined && !family.transports.includes(s.transport)) {
      ctx.addIssue({
        code: 'custom',
        path: ['transport'],
        message: `${s.protocol} is simulated over ${family.transports.join(' or ')}, not ${s.transport}`,
      })
    }
    if (s.intervalSec * 1000 < family.fixTimeResolutionMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['intervalSec'],
        message: `${s.protocol} sends fix times in steps of ${family.fixTimeResolutionMs / 1000} s: the interval must be at least that`,
      })
    }
    for (const [i, event] of s.events.entries()) {
      if (!family.events.includes(event.type)) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', i, 'type'],
          message: `${s.protocol} cannot report ${event.type} (it can: ${family.events.join(', ')})`,
        })
      }
      if (event.atSec >= s.durationSec) {
        ctx.addIssue({ code: 'custom', path: ['events', i, 'atSec'], message: `at ${event.atSec} s, after the last record (${s.durationSec} s)` })
      }
      if (event.device !== undefined && event.device >= s.devices) {
        ctx.addIssue({ code: 'custom', path: ['events', i, 'device'], message: `no device ${event.device} among ${s.devices}` })
      }
    }
    if (s.maxRecordsPerPacket !== undefined && s.maxRecordsPerPacket < s.recordsPerPacket) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxRecordsPerPacket'],
        message: `must be at least the records per packet (${s.recordsPerPacket})`,
      })
    }
    if (Number(s.imeiBase.slice(0, 14)) + s.devices - 1 > 99_999_999_999_999) {
      ctx.addIssue({ code: 'custom', path: ['imeiBase'], message: `too large for ${s.devices} devices` })
    }
    if (s.backoffMaxMs < s.backoffMinMs) {
      ctx.addIssue({ code: 'custom', path: ['backoffMaxMs'], message: 'must be at least backoffMinMs' })
    }
  })

  .transform((s) => {
    const family = SIM_PROTOCOLS[s.protocol]
    return { ...s, transport: s.transport ?? family.transports[0], port: s.port ?? family.defaultPort }
  })

export type SimulationSettings = z.input<typeof simulationSettingsSchema>
export type ResolvedSettings = z.output<typeof simulationSettingsSchema>
