/** One figure of `npm run bench`: ours beside a baseline or peer measured in the same run. */
export interface BenchResult {
  name: string
  value: number
  unit: string
  baseline: string
  baselineValue: number
  ratio: number
}
