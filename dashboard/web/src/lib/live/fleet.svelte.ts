/** The live fleet: every device by IMEI, loaded from the API and kept current by socket.io `vehicle` events. */
import { untrack } from 'svelte'
import type { DeviceSummary } from '../../../../shared/contract.ts'
import * as api from '../api/client.ts'
import type { LiveSocket } from './connection.svelte.ts'
import { byDisplayName, countByStatus } from '../vehicles/vehicle-query.ts'

/** Told about each batch applied to the fleet: the devices that changed and the IMEIs that went away. */
export type FleetListener = (changed: readonly DeviceSummary[], removed: readonly string[]) => void

export class Fleet {
  /** Replaced whole, at most once per animation frame, however many events arrived meanwhile. */
  devices = $state.raw<ReadonlyMap<string, DeviceSummary>>(new Map())
  loaded = $state(false)
  loadError = $state<string | null>(null)

  /** IMEIs in display order, sorted again only when a device appears, goes or is renamed (not as it moves). */
  order = $state.raw<readonly string[]>([])
  sorted: readonly DeviceSummary[] = $derived(inOrder(this.order, this.devices))
  counts = $derived(countByStatus(this.devices.values()))

  #socket: LiveSocket
  #pending = new Map<string, DeviceSummary>()
  #frame: number | null = null
  #listeners = new Set<FleetListener>()

  constructor(socket: LiveSocket) {
    this.#socket = socket
    socket.on('vehicle', this.#receive)
    // Events sent while we were disconnected are lost: start again from the API's view.
    socket.io.on('reconnect', this.#reload)
  }

  async load(): Promise<void> {
    try {
      this.#replaceAll(await api.get<DeviceSummary[]>('/api/devices'))
      this.loadError = null
    } catch (error) {
      this.loadError = api.userMessage(error)
    }
  }

  close(): void {
    this.#socket.off('vehicle', this.#receive)
    this.#socket.io.off('reconnect', this.#reload)
    if (this.#frame !== null) cancelAnimationFrame(this.#frame)
    this.#listeners.clear()
  }

  /** For imperative views (the Leaflet map): hear about every applied batch. Returns the unsubscribe. */
  subscribe(listener: FleetListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The current devices, read without making the caller depend on them. */
  current(): DeviceSummary[] {
    return untrack(() => [...this.devices.values()])
  }

  #reload = (): void => {
    void this.load()
  }

  #receive = (device: DeviceSummary): void => {
    this.#pending.set(device.imei, device)
    // Before the first load, events wait in #pending and are merged into the snapshot.
    if (this.loaded && this.#frame === null) this.#frame = requestAnimationFrame(this.#flush)
  }

  #flush = (): void => {
    this.#frame = null
    const changed = [...this.#pending.values()]
    this.#pending.clear()
    if (changed.length === 0) return
    const previous = this.devices
    const next = new Map(previous)
    for (const device of changed) next.set(device.imei, device)
    this.devices = next
    if (changed.some((device) => previous.get(device.imei)?.name !== device.name)) this.order = displayOrder(next)
    this.#notify(changed, [])
  }

  #replaceAll(snapshot: readonly DeviceSummary[]): void {
    const previous = untrack(() => this.devices)
    const next = new Map<string, DeviceSummary>()
    for (const device of snapshot) {
      // An event that arrived while the request was in flight may be newer than the snapshot.
      const live = this.#pending.get(device.imei) ?? previous.get(device.imei)
      next.set(device.imei, live && reportedLater(live, device) ? live : device)
    }
    for (const device of this.#pending.values()) if (!next.has(device.imei)) next.set(device.imei, device)
    this.#pending.clear()
    const removed = [...previous.keys()].filter((imei) => !next.has(imei))
    this.devices = next
    this.order = displayOrder(next)
    this.loaded = true
    this.#notify([...next.values()], removed)
  }

  #notify(changed: readonly DeviceSummary[], removed: readonly string[]): void {
    for (const listener of this.#listeners) listener(changed, removed)
  }
}

function displayOrder(devices: ReadonlyMap<string, DeviceSummary>): string[] {
  return [...devices.values()].sort(byDisplayName).map((device) => device.imei)
}

function inOrder(order: readonly string[], devices: ReadonlyMap<string, DeviceSummary>): DeviceSummary[] {
  const sorted: DeviceSummary[] = []
  for (const imei of order) {
    const device = devices.get(imei)
    if (device) sorted.push(device)
  }
  return sorted
}

function reportedLater(a: DeviceSummary, b: DeviceSummary): boolean {
  return a.lastSeen !== null && (b.lastSeen === null || Date.parse(a.lastSeen) > Date.parse(b.lastSeen))
}
