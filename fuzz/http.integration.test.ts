import { describe, expect, it } from 'vitest'
import { createRandom } from '../simulator/random.ts'
import { fuzzRunningSystem } from './http-system.ts'

describe('seeded fuzzing of the HTTP servers (the short version of npm run fuzz)', () => {
  it('answers 1,500 hostile requests to the dashboard API and 1,500 to the OsmAnd endpoint without a 5xx, and stays up', async () => {
    const result = await fuzzRunningSystem({ targets: ['dashboard', 'osmand'], requests: 1500, random: createRandom(20261206) })
    for (const report of result.reports) {
      expect(report.findings, report.target).toEqual([])
      expect(report.requests).toBe(1500)
    }
    // Most requests reach the routes: the fuzzer is not just being refused at the door.
    const dashboard = result.reports.find((report) => report.target === 'dashboard')!
    expect((dashboard.statuses[200] ?? 0) + (dashboard.statuses[201] ?? 0)).toBeGreaterThan(50)
    expect(result.survived).toBe(true)
  }, 600_000)
})
