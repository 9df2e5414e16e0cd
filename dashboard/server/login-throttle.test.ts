import { describe, expect, it } from 'vitest'
import { ApiError } from './http.ts'
import { ACCOUNT_LIMITS, LoginThrottle } from './login-throttle.ts'

/** A throttle on a hand-moved clock. */
function throttle(limits = { account: ACCOUNT_LIMITS, address: { ...ACCOUNT_LIMITS, freeFailures: 20 } }) {
  const clock = { now: 1_000_000 }
  return { clock, throttle: new LoginThrottle(limits, () => clock.now) }
}

/** The `Retry-After` seconds of a refused check, or 0 when the try is heard. */
function retryAfter(throttle: LoginThrottle, account: string, address: string): number {
  try {
    throttle.check(account, address)
    return 0
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 429) throw err
    return Number(err.headers['Retry-After'])
  }
}

describe('login throttling', () => {
  it('lets five failures of an account through, then doubles the wait with each further failure', () => {
    const { clock, throttle: t } = throttle()
    const waits: number[] = []
    for (let i = 0; i < 9; i++) {
      const wait = retryAfter(t, 'dana@example.com', `10.0.0.${i}`)
      waits.push(wait)
      clock.now += wait * 1000
      t.failed('dana@example.com', `10.0.0.${i}`)
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8])
  })

  it('counts an account whatever the case and spacing of the email', () => {
    const { throttle: t } = throttle()
    for (let i = 0; i < 5; i++) t.failed(i % 2 ? ' Dana@Example.com' : 'dana@example.com', `10.0.0.${i}`)
    expect(retryAfter(t, 'DANA@example.com ', '10.0.1.1')).toBe(1)
  })

  it('caps the wait at 15 minutes', () => {
    const { clock, throttle: t } = throttle()
    for (let i = 0; i < 40; i++) {
      clock.now += 60 * 60_000 - 1
      t.failed('dana@example.com', `10.0.${i}.1`)
    }
    expect(retryAfter(t, 'dana@example.com', '10.9.9.9')).toBe(15 * 60)
  })

  it('starts an account afresh after a success, but not the address', () => {
    const { clock, throttle: t } = throttle()
    for (let i = 0; i < 5; i++) t.failed('dana@example.com', '10.0.0.1')
    clock.now += 1000
    t.succeeded('dana@example.com')
    t.failed('dana@example.com', '10.0.0.1')
    expect(retryAfter(t, 'dana@example.com', '10.0.0.2')).toBe(0)
    for (let i = 0; i < 14; i++) t.failed(`user${i}@example.com`, '10.0.0.1')
    expect(retryAfter(t, 'someone@example.com', '10.0.0.1')).toBe(1)
  })

  it('throttles an address guessing at twenty different accounts', () => {
    const { throttle: t } = throttle()
    for (let i = 0; i < 19; i++) t.failed(`user${i}@example.com`, '192.0.2.7')
    expect(retryAfter(t, 'another@example.com', '192.0.2.7')).toBe(0)
    t.failed('user19@example.com', '192.0.2.7')
    expect(retryAfter(t, 'another@example.com', '192.0.2.7')).toBe(1)
    expect(retryAfter(t, 'another@example.com', '192.0.2.8')).toBe(0)
  })

  it('forgets failures an hour after the last one', () => {
    const { clock, throttle: t } = throttle()
    for (let i = 0; i < 8; i++) t.failed('dana@example.com', `10.0.0.${i}`)
    clock.now += 60 * 60_000 + 1
    t.failed('dana@example.com', '10.0.0.9')
    expect(retryAfter(t, 'dana@example.com', '10.0.1.1')).toBe(0)
  })

  it('keeps at most maxTracked keys, dropping the least recently failed', () => {
    const { throttle: t } = throttle({ account: { ...ACCOUNT_LIMITS, maxTracked: 3, freeFailures: 1 }, address: { ...ACCOUNT_LIMITS, maxTracked: 3 } })
    for (const account of ['a', 'b', 'c', 'd']) t.failed(account, account)
    expect(t.tracked()).toEqual({ accounts: 3, addresses: 3 })
    expect(retryAfter(t, 'a', 'x')).toBe(0)
    expect(retryAfter(t, 'd', 'x')).toBe(1)
  })
})
