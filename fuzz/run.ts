/**
 * `npm run fuzz [-- --inputs 1000000] [-- --requests 100000] [-- --seed N] [-- --target name]`: every
 * protocol's decoder with `--inputs` hostile messages, then the HTTP servers of a running system
 * (the dashboard API and the OsmAnd endpoint) with `--requests` hostile requests each; reports findings.
 * `--target` (repeatable) picks protocols by name and/or `dashboard`, `osmand-http`.
 */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { PROTOCOL_DESCRIPTORS } from '../gateway/protocols/registry.ts'
import { createRandom } from '../simulator/random.ts'
import { fuzzProtocol } from './fuzz.ts'
import { fuzzRunningSystem, HTTP_TARGETS, type HttpTarget } from './http-system.ts'
import { seedsFor } from './seeds.ts'

const HTTP_TARGET_NAMES: Record<string, HttpTarget> = { dashboard: 'dashboard', 'osmand-http': 'osmand' }

const { values } = parseArgs({
  options: {
    inputs: { type: 'string' },
    requests: { type: 'string' },
    seed: { type: 'string' },
    target: { type: 'string', multiple: true },
    protocol: { type: 'string' },
  },
})
const options = z
  .object({
    inputs: z.coerce.number().int().positive().default(1_000_000),
    requests: z.coerce.number().int().positive().default(100_000),
    seed: z.coerce.number().int().default(Date.now() % 2 ** 31),
    target: z.array(z.enum([...PROTOCOL_DESCRIPTORS.map((protocol) => protocol.name), ...Object.keys(HTTP_TARGET_NAMES)] as [string, ...string[]])).optional(),
    protocol: z.string().optional(),
  })
  .parse(values)
const targets = options.target ?? (options.protocol ? [options.protocol] : [...PROTOCOL_DESCRIPTORS.map((protocol) => protocol.name), ...Object.keys(HTTP_TARGET_NAMES)])

let failed = false
for (const protocol of PROTOCOL_DESCRIPTORS.filter((candidate) => targets.includes(candidate.name))) {
  const started = performance.now()
  const report = fuzzProtocol(protocol, seedsFor(protocol.name), options.inputs, createRandom(options.seed))
  const seconds = (performance.now() - started) / 1000
  console.log(`${protocol.name.padEnd(12)} ${report.inputs} inputs in ${seconds.toFixed(1)} s (seed ${options.seed}): ${report.findings.length} findings`)
  for (const finding of report.findings) console.log(`  ${finding.kind}: ${finding.detail.split('\n')[0]}\n    input ${finding.inputHex.slice(0, 200)}`)
  failed ||= report.findings.length > 0
}

const httpTargets = HTTP_TARGETS.filter((target) => targets.some((name) => HTTP_TARGET_NAMES[name] === target))
if (httpTargets.length > 0) {
  const result = await fuzzRunningSystem({
    targets: httpTargets,
    requests: options.requests,
    random: createRandom(options.seed),
    onReport: (report, seconds) => {
      const statuses = Object.entries(report.statuses).map(([status, count]) => `${status === '0' ? 'closed' : status}: ${count}`).join(', ')
      console.log(`${`${report.target} http`.padEnd(12)} ${report.requests} requests in ${seconds.toFixed(1)} s (seed ${options.seed}): ${report.findings.length} findings (${statuses})`)
      for (const finding of report.findings) console.log(`  ${finding.kind}: ${finding.detail}\n    ${finding.request}`)
    },
  })
  console.log(`system after the HTTP targets: ${result.survived ? 'alive, a device still gets its ACK' : 'NOT ALIVE'}`)
  failed ||= !result.survived || result.reports.some((report) => report.findings.length > 0)
}
process.exit(failed ? 1 : 0)
