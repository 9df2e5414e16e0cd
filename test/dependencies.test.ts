/**
 * The parts' dependencies point one way: core/ below everything, the gateway knowing neither the
 * processor nor the dashboard, the processor knowing no dashboard and no protocol (from the gateway it
 * implements the ports the gateway declares), and the browser decoding no protocol bytes.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROTOCOLS } from '../core/record.ts'

const ROOT = join(import.meta.dirname, '..')
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'/g

function sourceFiles(folder: string, { tests = true } = {}): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|svelte)$/.test(file) && (tests || !file.endsWith('.test.ts')))
    .map((file) => join(folder, file))
}

/** Every relative import of the part's files, as a path from the repository root: `[file, imported]`. */
function importsOf(folder: string): [string, string][] {
  return sourceFiles(folder).flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(IMPORT)]
      .map((match) => match[1]!)
      .filter((target) => target.startsWith('.'))
      .map((target): [string, string] => [file, relative(ROOT, join(ROOT, file, '..', target))]),
  )
}

const into = (part: string) => ([, target]: [string, string]) => target.startsWith(`${part}/`)

describe('dependencies', () => {
  it('keeps core/ below every part', () => {
    expect(importsOf('core').filter(([, target]) => !target.startsWith('core/'))).toEqual([])
  })

  it('keeps the gateway from importing the processor or the dashboard', () => {
    expect(importsOf('gateway').filter((edge) => into('processor')(edge) || into('dashboard')(edge))).toEqual([])
  })

  it('keeps the processor from importing the dashboard, and from the gateway only its ports', () => {
    const ports = new Set(['gateway/admission.ts', 'gateway/record-writer.ts'])
    const imports = importsOf('processor')
    expect(imports.filter(into('dashboard'))).toEqual([])
    expect(imports.filter((edge) => into('gateway')(edge) && !ports.has(edge[1]))).toEqual([])
  })

  it('names no protocol and no protocol attribute in the processor or the web app', () => {
    // A protocol's name, or a look into a record's raw attributes (`record.io.charging`, `io['253']`); socket.io is not one.
    const protocolWords = new RegExp(`\\b(${PROTOCOLS.join('|')})\\b|(?<!socket)\\.io\\b|\\bio\\s*\\[`, 'i')
    const files = [...sourceFiles('processor', { tests: false }), ...sourceFiles('dashboard/web/src', { tests: false })]
      // Test support that only picks a protocol as an opaque value for a device.
      .filter((file) => file !== join('processor', 'testing.ts'))
    const found = files.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (protocolWords.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    )
    expect(found).toEqual([])
  })
})
