/** Wakes every waiter at the next `notify()`: the simulator's one primitive for "something changed". */
export class Notifier {
  #waiters: Array<() => void> = []

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  notify(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }
}

/** Resolves after `ms`, or at once when `interrupted()` is true at a notification of `notifier`. */
export async function sleep(ms: number, notifier: Notifier, interrupted: () => boolean): Promise<void> {
  let elapsed = false
  let timer: NodeJS.Timeout | undefined
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      elapsed = true
      resolve()
    }, ms)
  })
  try {
    while (!elapsed && !interrupted()) await Promise.race([done, notifier.wait()])
  } finally {
    clearTimeout(timer)
  }
}
