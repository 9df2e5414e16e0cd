import { describe, expect, it } from 'vitest'
import { DeviceConnections, type ConnectionChange } from './connections.ts'

describe('the registry of connected devices', () => {
  it('closes the older session when a newer one identifies, and keeps the device connected through the swap', () => {
    const changes: ConnectionChange[] = []
    const connections = new DeviceConnections((change) => changes.push(change))
    const closedWith: string[] = []
    const older = (reason: string) => void closedWith.push(`older ${reason}`)
    const newer = (reason: string) => void closedWith.push(`newer ${reason}`)
    connections.opened('356307042441013', 'teltonika', older)
    connections.opened('356307042441013', 'teltonika', newer)
    expect(closedWith).toEqual(['older SUPERSEDED'])
    connections.closed('356307042441013', 'teltonika', older)
    expect(changes.map((change) => change.connected), 'still connected by the newer session').toEqual([true])
    connections.closed('356307042441013', 'teltonika', newer)
    expect(changes.map((change) => change.connected)).toEqual([true, false])
  })

  it('lets a later session supersede after the newest one closed, without calling a closed one', () => {
    const connections = new DeviceConnections()
    const closedWith: string[] = []
    const first = (reason: string) => void closedWith.push(`first ${reason}`)
    connections.opened('356307042441013', 'teltonika', first)
    connections.closed('356307042441013', 'teltonika', first)
    connections.opened('356307042441013', 'teltonika', () => closedWith.push('second'))
    expect(closedWith).toEqual([])
  })
})
