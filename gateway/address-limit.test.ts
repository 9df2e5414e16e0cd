import { describe, expect, it } from 'vitest'
import { ConnectionsPerAddress, isAddressOrSubnet } from './address-limit.ts'

describe('the cap on connections per address', () => {
  it('refuses the connection past the cap and admits one again once another closes', () => {
    const limit = new ConnectionsPerAddress(2, [])
    const first = limit.open('203.0.113.5')!
    expect(limit.open('203.0.113.5')).toBeTypeOf('function')
    expect(limit.open('203.0.113.5')).toBeUndefined()
    expect(limit.open('::ffff:203.0.113.5'), 'the same host over a dual-stack listener').toBeUndefined()
    expect(limit.open('203.0.113.6')).toBeTypeOf('function')
    first()
    first()
    expect(limit.open('203.0.113.5')).toBeTypeOf('function')
    expect(limit.open('203.0.113.5')).toBeUndefined()
  })

  it('does not count exempt addresses and subnets', () => {
    const limit = new ConnectionsPerAddress(1, ['127.0.0.0/8', '::1'])
    for (let n = 0; n < 5; n++) {
      expect(limit.open('127.0.0.1')).toBeTypeOf('function')
      expect(limit.open(`127.0.0.${n + 2}`)).toBeTypeOf('function')
      expect(limit.open('::1')).toBeTypeOf('function')
    }
  })

  it('reads addresses and subnets, and nothing else', () => {
    expect(['127.0.0.0/8', '::1', '10.0.0.1', 'fd00::/8'].every(isAddressOrSubnet)).toBe(true)
    expect(['localhost', '10.0.0.0/33', '10.0.0.0/8/1', '10.0.0.0/x', ''].some(isAddressOrSubnet)).toBe(false)
  })
})
