/** One API list or record a page shows: loading, its data, or why it failed; reloaded after writes. */
import * as api from './client.ts'

export class Resource<T> {
  data = $state.raw<T | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)
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
    } catch (error) {
      if (request !== this.#request) return
      this.error = api.userMessage(error)
    } finally {
      if (request === this.#request) this.loading = false
    }
  }
}

