import type { Logger } from '../../logger.ts'

/** A failure that trying again would only repeat (a rejected address, a webhook answering 400). */
export class PermanentFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export interface RetryPolicy {
  /** Waits before the 2nd, 3rd... attempt; a message is tried `delaysMs.length + 1` times at most. */
  delaysMs: number[]
  /** Messages being sent at once. */
  concurrency: number
  /** Messages queued, being sent or waiting for a retry; more are dropped (and counted). */
  maxPending: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { delaysMs: [1_000, 5_000, 30_000], concurrency: 4, maxPending: 10_000 }

/** Counters of one notification channel since start. */
export interface ChannelStats {
  enabled: boolean
  sent: number
  /** Given up: a permanent failure, or every attempt failed. */
  failed: number
  /** Attempts that failed and were scheduled again. */
  retries: number
  /** Not queued because `maxPending` messages were already waiting. */
  dropped: number
  /** Messages a rule asked for while the channel is off (its URL is not set). */
  skipped: number
  pending: number
}

interface Job<M> {
  message: M
  label: string
  attempt: number
}

/**
 * Sends one channel's messages in the background, a few at a time, each retried with backoff. A
 * failure is logged and counted; nothing here throws to the caller or makes it wait.
 */
export class DeliveryQueue<M> {
  readonly #queue: Job<M>[] = []
  readonly #timers = new Set<NodeJS.Timeout>()
  #running = 0
  #closed = false
  readonly #stats: Omit<ChannelStats, 'pending' | 'enabled'> = { sent: 0, failed: 0, retries: 0, dropped: 0, skipped: 0 }

  constructor(
    private readonly channel: string,
    private readonly send: ((message: M) => Promise<void>) | undefined,
    private readonly log: Logger,
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  get enabled(): boolean {
    return this.send !== undefined
  }

  /** Queues a message; `label` says in the logs what it was about (alert id, rule id, recipient). */
  enqueue(message: M, label: string): void {
    if (this.#closed) return
    if (!this.send) return void this.#stats.skipped++
    if (this.#pending() >= this.policy.maxPending) {
      this.#stats.dropped++
      this.log.error({ channel: this.channel, label, pending: this.#pending() }, 'notification dropped: too many waiting')
      return
    }
    this.#queue.push({ message, label, attempt: 1 })
    this.#pump()
  }

  stats(): ChannelStats {
    return { enabled: this.enabled, ...this.#stats, pending: this.#pending() }
  }

  /** Stops retrying; messages not yet sent are abandoned. */
  close(): void {
    this.#closed = true
    this.#queue.length = 0
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  #pending(): number {
    return this.#queue.length + this.#running + this.#timers.size
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.policy.concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift()!
      this.#running++
      void this.#attempt(job).finally(() => {
        this.#running--
        this.#pump()
      })
    }
  }

  async #attempt(job: Job<M>): Promise<void> {
    try {
      await this.send!(job.message)
      this.#stats.sent++
    } catch (err) {
      const delay = this.policy.delaysMs[job.attempt - 1]
      const context = { channel: this.channel, label: job.label, attempt: job.attempt, err }
      if (err instanceof PermanentFailure || delay === undefined || this.#closed) {
        this.#stats.failed++
        this.log.error(context, 'notification failed; giving up')
        return
      }
      this.#stats.retries++
      this.log.warn({ ...context, retryInMs: delay }, 'notification failed; will retry')
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        this.#queue.push({ ...job, attempt: job.attempt + 1 })
        this.#pump()
      }, delay)
      timer.unref()
      this.#timers.add(timer)
    }
  }
}
