import { describe, expect, it } from 'vitest'
import type { StoredPosition } from '../../../../shared/contract.ts'
import { extendTrail, hasBufferedStretch, localMidnight, splitTrail, trailPointCount } from './trail.ts'

let second = 0
function at(latitude: number, longitude: number, buffered = false, valid = true): StoredPosition {
  second += 1
  const fixTime = new Date(Date.UTC(2026, 10, 22, 8, 0, second)).toISOString()
  return { fixTime, receivedAt: fixTime, latitude, longitude, buffered, valid }
}

describe('splitTrail', () => {
  it('keeps an all-live day as one live segment', () => {
    expect(splitTrail([at(1, 1), at(1, 2), at(1, 3)])).toEqual([{ kind: 'live', points: [[1, 1], [1, 2], [1, 3]] }])
  })

  it('draws buffered history from where coverage was lost to where live data resumed', () => {
    const segments = splitTrail([at(1, 1), at(1, 2), at(2, 2, true), at(3, 3, true), at(4, 4), at(4, 5)])
    expect(segments).toEqual([
      { kind: 'live', points: [[1, 1], [1, 2]] },
      { kind: 'buffered', points: [[1, 2], [2, 2], [3, 3], [4, 4]] },
      { kind: 'live', points: [[4, 4], [4, 5]] },
    ])
    expect(hasBufferedStretch(segments)).toBe(true)
  })

  it('leaves out records without coordinates or a valid fix', () => {
    const noCoordinates: StoredPosition = { fixTime: '2026-11-22T08:00:00Z', receivedAt: '2026-11-22T08:00:00Z', buffered: false, valid: false }
    expect(splitTrail([at(1, 1), noCoordinates, at(0, 0, false, false), at(1, 2)])).toEqual([{ kind: 'live', points: [[1, 1], [1, 2]] }])
  })

  it('drops repeated points of a parked vehicle', () => {
    expect(splitTrail([at(1, 1), at(1, 1), at(1, 1), at(1, 2)])).toEqual([{ kind: 'live', points: [[1, 1], [1, 2]] }])
  })

  it('starts with buffered history when the day began out of coverage', () => {
    expect(splitTrail([at(1, 1, true), at(1, 2, true), at(1, 3), at(1, 4)])).toEqual([
      { kind: 'buffered', points: [[1, 1], [1, 2], [1, 3]] },
      { kind: 'live', points: [[1, 3], [1, 4]] },
    ])
  })

  it('is empty for an empty day and keeps a lone point', () => {
    expect(splitTrail([])).toEqual([])
    expect(splitTrail([at(1, 1)])).toEqual([{ kind: 'live', points: [[1, 1]] }])
  })
})

describe('extendTrail', () => {
  it('appends a live position to the live end without changing the given trail', () => {
    const trail = splitTrail([at(1, 1), at(1, 2)])
    const extended = extendTrail(trail, { latitude: 1, longitude: 3 })
    expect(extended).toEqual([{ kind: 'live', points: [[1, 1], [1, 2], [1, 3]] }])
    expect(trailPointCount(trail)).toBe(2)
  })

  it('starts a live segment after a buffered end, from its last point', () => {
    const trail = splitTrail([at(1, 1, true), at(1, 2, true)])
    expect(extendTrail(trail, { latitude: 1, longitude: 3 }).at(-1)).toEqual({ kind: 'live', points: [[1, 2], [1, 3]] })
  })

  it('ignores the same position again and starts an empty trail', () => {
    const trail = splitTrail([at(1, 1), at(1, 2)])
    expect(extendTrail(trail, { latitude: 1, longitude: 2 })).toEqual(trail)
    expect(extendTrail([], { latitude: 5, longitude: 6 })).toEqual([{ kind: 'live', points: [[5, 6]] }])
  })
})

describe('localMidnight', () => {
  it('is the start of the local day', () => {
    const midnight = localMidnight(new Date(2026, 10, 22, 15, 30, 12))
    expect(midnight).toEqual(new Date(2026, 10, 22))
  })
})
