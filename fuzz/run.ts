/** `npm run fuzz [-- --inputs 1000000] [-- --seed N] [-- --protocol name]`: every protocol, reports findings. */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { PROTOCOL_DESCRIPTORS } from '../gateway/protocols/registry.ts'
import { createRandom } from '../simulator/random.ts'
import { fuzzProtocol } from './fuzz.ts'
import { seedsFor } from './seeds.ts'

const { values } = parseArgs({ options: { inputs: { type: 'string' }, seed: { type: 'string' }, protocol: { type: 'string' } } })
const options = z
  .object({ inputs: z.coerce.number().int().positive().default(1_000_000), seed: z.coerce.number().int().default(Date.now() % 2 ** 31), protocol: z.string().optional() })
  .parse(values)

let failed = false
for (const protocol of PROTOCOL_DESCRIPTORS.filter((candidate) => !options.protocol || candidate.name === options.protocol)) {
  const started = performance.now()
  const report = fuzzProtocol(protocol, seedsFor(protocol.name), options.inputs, createRandom(options.seed))
  const seconds = (performance.now() - started) / 1000
  console.log(`${protocol.name.padEnd(10)} ${report.inputs} inputs in ${seconds.toFixed(1)} s (seed ${options.seed}): ${report.findings.length} findings`)
  for (const finding of report.findings) console.log(`  ${finding.kind}: ${finding.detail.split('\n')[0]}\n    input ${finding.inputHex.slice(0, 200)}`)
  failed ||= report.findings.length > 0
}
process.exit(failed ? 1 : 0)
