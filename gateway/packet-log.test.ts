import { describe, expect, it } from 'vitest'
import { PacketLog, type PacketEntry } from './packet-log.ts'

const entry = (imei: string, n: number): PacketEntry => ({
  imei, protocol: 'teltonika', transport: 'tcp', time: new Date(n * 1000).toISOString(), kind: { type: '0x08', label: 'Codec 8' }, raw: { hex: n.toString(16) }, records: [],
})

describe('packet log', () => {
  it('keeps the newest messages of a watched device, newest first, within a fixed ring', () => {
    const log = new PacketLog(3)
    log.watch('a')
    for (let n = 1; n <= 5; n++) log.record(entry('a', n))
    expect(log.recent('a').map((packet) => packet.raw.hex)).toEqual(['5', '4', '3'])
    expect(log.recent('a', 1).map((packet) => packet.raw.hex)).toEqual(['5'])
  })

  it('keeps nothing for devices nobody watches', () => {
    const log = new PacketLog()
    const heard: string[] = []
    log.subscribe((packet) => heard.push(packet.imei))
    log.record(entry('b', 1))
    expect(log.recent('b')).toEqual([])
    expect(heard).toEqual([])
  })

  it('stops logging an hour after the last look, and tells listeners until they unsubscribe', () => {
    let now = 0
    const log = new PacketLog(10, () => now)
    const heard: string[] = []
    const unsubscribe = log.subscribe((packet) => heard.push(String(packet.raw.hex)))
    log.watch('a')
    log.record(entry('a', 1))
    now = 60 * 60_000 + 1
    log.record(entry('a', 2))
    expect(log.recent('a')).toEqual([])
    log.watch('a')
    unsubscribe()
    log.record(entry('a', 3))
    expect(heard).toEqual(['1'])
    expect(log.recent('a').map((packet) => packet.raw.hex)).toEqual(['3'])
  })
})
