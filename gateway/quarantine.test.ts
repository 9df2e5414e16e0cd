import { describe, expect, it } from 'vitest'
import { Quarantine, type QuarantinedRecord } from './quarantine.ts'

const entry = (imei: string, n: number, raw: Record<string, unknown> = { hex: 'ff' }): QuarantinedRecord => ({
  imei, protocol: 'teltonika', transport: 'tcp', time: new Date(n).toISOString(), code: 'FIX_TIME_OUT_OF_RANGE', field: 'fixTime', message: `#${n}`, fixTime: '', raw,
})

describe('the quarantine of refused records', () => {
  it('keeps the last entries of each device, newest first', () => {
    const quarantine = new Quarantine(3, 100)
    for (let n = 1; n <= 5; n++) quarantine.add(entry('a', n))
    expect(quarantine.recent('a').map((e) => e.message)).toEqual(['#5', '#4', '#3'])
    expect(quarantine.recent('b')).toEqual([])
    expect(quarantine.size).toBe(3)
  })

  it('past its total, takes from the device quarantined least recently, not from the one flooding it', () => {
    const quarantine = new Quarantine(10, 4)
    quarantine.add(entry('quiet', 1))
    quarantine.add(entry('quiet', 2))
    for (let n = 3; n <= 12; n++) quarantine.add(entry('flood', n))
    expect(quarantine.size).toBe(4)
    expect(quarantine.recent('quiet')).toEqual([])
    expect(quarantine.recent('flood').map((e) => e.message)).toEqual(['#12', '#11', '#10', '#9'])
  })

  it('clips a long raw message so 20,000 entries stay small', () => {
    const quarantine = new Quarantine()
    quarantine.add(entry('a', 1, { hex: 'ab'.repeat(64 * 1024) }))
    expect(String(quarantine.recent('a')[0]!.raw.hex).length).toBeLessThan(2100)
  })
})
