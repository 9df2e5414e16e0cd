/** The live alerts window: today's alerts from the API, then each new one (and its clearing) from the socket. */
import type { Alert, AlertRule } from '../../../../shared/contract.ts'
import { inAlertsWindow, upsertAlert, unacknowledgedCount } from './alert-text.ts'
import * as api from '../api/client.ts'
import type { LiveSocket } from '../live/connection.svelte.ts'

const MAX_ALERTS = 200
const RECENT_MS = 24 * 60 * 60_000

export class AlertFeed {
  /** Newest first: live alerts go on top as they arrive. */
  items = $state.raw<readonly Alert[]>([])
  loaded = $state(false)
  loadError = $state<string | null>(null)
  /** Alerts being acknowledged, and why acknowledging one failed. */
  pending = $state.raw<ReadonlySet<number>>(new Set())
  failures = $state.raw<ReadonlyMap<number, string>>(new Map())
  /** Ids that arrived live while the page was open (for a brief highlight). */
  fresh = $state.raw<ReadonlySet<number>>(new Set())

  unacknowledged = $derived(unacknowledgedCount(this.items))

  #socket: LiveSocket
  #userId: number

  /** `userId`: whose window this is (alerts on load are those the rules show this user, as live ones are). */
  constructor(socket: LiveSocket, userId: number) {
    this.#socket = socket
    this.#userId = userId
    socket.on('alert', this.#receive)
    socket.on('alertCleared', this.#cleared)
    socket.io.on('reconnect', this.#reload)
  }

  async load(): Promise<void> {
    try {
      const query = new URLSearchParams({ from: new Date(Date.now() - RECENT_MS).toISOString(), limit: String(MAX_ALERTS) })
      const [listed, rules] = await Promise.all([api.get<Alert[]>(`/api/alerts?${query}`), this.#rules()])
      const shown = rules === null ? listed : listed.filter((alert) => inAlertsWindow(alert, rules, this.#userId))
      // Alerts that arrived live while the request was in flight stay on top.
      let items: readonly Alert[] = shown
      for (const alert of [...this.items].reverse()) items = upsertAlert(items, alert, MAX_ALERTS)
      this.items = items
      this.loadError = null
    } catch (error) {
      this.loadError = api.userMessage(error)
    } finally {
      this.loaded = true
    }
  }

  /** The alert rules, or null when they cannot be read (not allowed, or failed): then every listed alert shows. */
  async #rules(): Promise<AlertRule[] | null> {
    return api.get<AlertRule[]>('/api/alert-rules').catch(() => null)
  }

  async acknowledge(id: number): Promise<void> {
    this.pending = new Set([...this.pending, id])
    try {
      const alert = await api.post<Alert>(`/api/alerts/${id}/acknowledge`)
      this.items = upsertAlert(this.items, alert, MAX_ALERTS)
      this.failures = without(this.failures, id)
    } catch (error) {
      this.failures = new Map([...this.failures, [id, api.userMessage(error)]])
    } finally {
      this.pending = new Set([...this.pending].filter((pendingId) => pendingId !== id))
    }
  }

  close(): void {
    this.#socket.off('alert', this.#receive)
    this.#socket.off('alertCleared', this.#cleared)
    this.#socket.io.off('reconnect', this.#reload)
  }

  #receive = (alert: Alert): void => {
    this.items = upsertAlert(this.items, alert, MAX_ALERTS)
    this.fresh = new Set([...this.fresh, alert.id])
  }

  /** Only alerts already listed change; the end of one this window never showed is not news. */
  #cleared = (alert: Alert): void => {
    if (this.items.some((listed) => listed.id === alert.id)) this.items = upsertAlert(this.items, alert, MAX_ALERTS)
  }

  #reload = (): void => {
    void this.load()
  }
}

function without<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  const next = new Map(map)
  next.delete(key)
  return next
}
