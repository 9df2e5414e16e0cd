import { PermanentFailure } from './delivery-queue.ts'

export interface SmsMessage {
  /** E.164 phone number. */
  to: string
  text: string
}

/**
 * POSTs `{ to, text }` as JSON to the webhook. Any 2xx is delivered; 408, 429 and 5xx (and network
 * errors, timeouts) are worth another try; any other answer is permanent.
 */
export function webhookSmsSender(url: string, timeoutMs = 10_000): (message: SmsMessage) => Promise<void> {
  return async ({ to, text }) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to, text }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    await response.arrayBuffer().catch(() => undefined)
    if (response.ok) return
    const message = `SMS webhook answered ${response.status}`
    if (response.status === 408 || response.status === 429 || response.status >= 500) throw new Error(message)
    throw new PermanentFailure(message)
  }
}

/** The webhook's origin without any path, query or credentials (for logs). */
export function webhookEndpoint(url: string): string {
  return new URL(url).origin
}
