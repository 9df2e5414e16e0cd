/**
 * Slows password guessing down, per account and per client address, in memory: a few failures are free,
 * then each failure doubles the wait before the next try is heard (429 with `Retry-After`). A success
 * clears the account's count. Counts are forgotten an hour after their last failure, and at most
 * `maxTracked` keys are kept per kind (the least recently failed go first), so guessing at random
 * accounts or from many addresses cannot grow memory. Shared by every login (the dashboard, field apps).
 */
import { ApiError } from './http.ts'

export interface ThrottleLimits {
  /** Failures before the first wait. */
  freeFailures: number
  /** The first wait; each further failure doubles it, up to `maxDelayMs`. */
  firstDelayMs: number
  maxDelayMs: number
  /** A key with no failure for this long starts afresh. */
  forgetAfterMs: number
  maxTracked: number
}

export const ACCOUNT_LIMITS: ThrottleLimits = { freeFailures: 5, firstDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000, maxTracked: 10_000 }
export const ADDRESS_LIMITS: ThrottleLimits = { ...ACCOUNT_LIMITS, freeFailures: 20 }

interface Failures {
  count: number
  lastAt: number
  blockedUntil: number
}

/** Failure counts of one kind of key (accounts, or addresses). */
class FailureCounts {
  readonly #entries = new Map<string, Failures>()

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number,
  ) {}

  /** How long `key` must wait before its next try is heard; 0 for now. */
  waitMs(key: string): number {
    const entry = this.#current(key)
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0
  }

  fail(key: string): void {
    const now = this.now()
    const count = (this.#current(key)?.count ?? 0) + 1
    const over = count - this.limits.freeFailures
    const delay = over < 0 ? 0 : Math.min(this.limits.maxDelayMs, this.limits.firstDelayMs * 2 ** Math.min(over, 30))
    // Re-inserted so the map's order is least recently failed first: the one evicted when full.
    this.#entries.delete(key)
    if (this.#entries.size >= this.limits.maxTracked) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(key, { count, lastAt: now, blockedUntil: now + delay })
  }

  clear(key: string): void {
    this.#entries.delete(key)
  }

  get size(): number {
    return this.#entries.size
  }

  #current(key: string): Failures | undefined {
    const entry = this.#entries.get(key)
    if (entry && this.now() - entry.lastAt > this.limits.forgetAfterMs) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }
}

export class LoginThrottle {
  readonly #accounts: FailureCounts
  readonly #addresses: FailureCounts

  constructor(limits: { account: ThrottleLimits; address: ThrottleLimits } = { account: ACCOUNT_LIMITS, address: ADDRESS_LIMITS }, now: () => number = Date.now) {
    this.#accounts = new FailureCounts(limits.account, now)
    this.#addresses = new FailureCounts(limits.address, now)
  }

  /** Throws 429 with `Retry-After` (whole seconds) while this account or this address must wait; checked before the password. */
  check(account: string, address: string): void {
    const waitMs = Math.max(this.#accounts.waitMs(keyOf(account)), this.#addresses.waitMs(address))
    if (waitMs === 0) return
    const seconds = Math.ceil(waitMs / 1000)
    throw new ApiError('TOO_MANY_ATTEMPTS', `Too many failed logins; try again in ${seconds} s`, { 'Retry-After': String(seconds) })
  }

  failed(account: string, address: string): void {
    this.#accounts.fail(keyOf(account))
    this.#addresses.fail(address)
  }

  /** The account's count starts afresh; the address keeps its count (one address may guess at many accounts). */
  succeeded(account: string): void {
    this.#accounts.clear(keyOf(account))
  }

  /** How many accounts and addresses are tracked (bounded by `maxTracked`). */
  tracked(): { accounts: number; addresses: number } {
    return { accounts: this.#accounts.size, addresses: this.#addresses.size }
  }
}

/** Emails are compared as the login compares them. */
const keyOf = (account: string) => account.trim().toLowerCase()
