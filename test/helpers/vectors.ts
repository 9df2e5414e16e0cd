import { readFileSync } from 'node:fs'

/** One real device message from ../shared/protocols/vectors.json (see its README for the fields). */
export interface Vector {
  id: string
  protocol: string
  transport: 'tcp' | 'udp' | 'http'
  kind: string
  hex?: string
  text?: string
  httpMethod?: string
  contentType?: string
  expect: Record<string, unknown>
}

const VECTORS_URL = new URL('../../../shared/protocols/vectors.json', import.meta.url)

export function loadVectors(protocol?: string): Vector[] {
  const all = JSON.parse(readFileSync(VECTORS_URL, 'utf8')) as Vector[]
  return protocol === undefined ? all : all.filter((vector) => vector.protocol === protocol)
}

/** The message bytes as a device sends them. */
export function vectorBytes(vector: Vector): Buffer {
  return vector.hex !== undefined ? Buffer.from(vector.hex, 'hex') : Buffer.from(vector.text ?? '', 'utf8')
}
