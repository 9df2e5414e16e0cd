import { describe, expect, it } from 'vitest'
import { PROTOCOL_DESCRIPTORS, findProtocol } from './registry.ts'
import { teltonika } from './teltonika/index.ts'

describe('protocol registry', () => {
  it('finds a listed protocol by name', () => {
    expect(findProtocol('teltonika')).toBe(teltonika)
  })

  it('finds nothing for a name it does not list', () => {
    expect(findProtocol('nmea')).toBeUndefined()
  })

  it('lists each protocol once, each on its own default port', () => {
    const names = PROTOCOL_DESCRIPTORS.map((descriptor) => descriptor.name)
    expect(new Set(names).size).toBe(names.length)
    const ports = PROTOCOL_DESCRIPTORS.map((descriptor) => descriptor.defaultPort)
    expect(new Set(ports).size).toBe(ports.length)
  })
})
