/**
 * Retries `check` until it returns without throwing (an assertion passing, a value found) or `timeoutMs`
 * passes; then the last error is thrown. For asserting what the system does asynchronously without
 * sleeping longer than it needs.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() >= deadline) throw err
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
