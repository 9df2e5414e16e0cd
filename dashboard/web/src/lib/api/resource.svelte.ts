/** One API list or record a page shows: loading, its data, or why it failed; reloaded after writes. */
import * as api from './client.ts'

export class Resource<T> {
  data = $state.raw<T | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)
  /** The failure's HTTP status (0: unreachable, 403: not allowed, 404: not on this server yet). */
  status = $state<number | null>(null)
  #path: () => string
  #request = 0

  /** `path` is read at each load, so a filter can change it. */
  constructor(path: string | (() => string)) {
    this.#path = typeof path === 'string' ? () => path : path
  }

  async load(): Promise<void> {
    const request = ++this.#request
    this.loading = true
    try {
      const data = await api.get<T>(this.#path())
      if (request !== this.#request) return
      this.data = data
      this.error = null
      this.status = null
    } catch (error) {
      if (request !== this.#request) return
      this.error = describe(error)
      this.status = error instanceof api.ApiError ? error.status : null
    } finally {
      if (request === this.#request) this.loading = false
    }
  }
}

/** A route this server does not have yet reads as such, not as a broken page. */
function describe(error: unknown): string {
  if (error instanceof api.ApiError && error.status === 404 && error.code === 'NOT_FOUND') {
    return 'This server does not offer this yet (no such API route).'
  }
  return api.userMessage(error)
}
