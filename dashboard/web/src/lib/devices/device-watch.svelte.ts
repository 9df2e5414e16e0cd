/**
 * The installer's live view of one device: its recent packets from the API, then each new one over the
 * socket (`watch` on open, `unwatch` on leave), folded into the commissioning checklist's observations
 * together with the device's live summaries from the fleet feed.
 */
import type { Packet, WatchResult } from '../../../../shared/contract.ts'
import * as api from '../api/client.ts'
import { NO_OBSERVATIONS, observe, observeSummary, type Observations } from './checklist.ts'
import type { FleetSource } from '../map/leaflet-map.ts'
import type { LiveSocket } from '../live/connection.svelte.ts'

const INITIAL_PACKETS = 100
const MAX_PACKETS = 300

/** A packet with a number of its own, so the log keeps each row's identity as rows come and go. */
export interface LoggedPacket {
  id: number
  packet: Packet
}

export class DeviceWatch {
  readonly imei: string
  /** Newest first. */
  packets = $state.raw<readonly LoggedPacket[]>([])
  observations = $state.raw<Observations>(NO_OBSERVATIONS)
  loaded = $state(false)
  loadError = $state<string | null>(null)
  /** Why the server refused to stream this device's packets (not allowed, unknown device), or null. */
  watchError = $state<string | null>(null)

  #socket: LiveSocket
  #nextId = 0
  #unsubscribe: () => void

  constructor(socket: LiveSocket, imei: string, fleet: FleetSource) {
    this.imei = imei
    this.#socket = socket
    const current = fleet.current().find((device) => device.imei === imei)
    if (current) this.observations = observeSummary(this.observations, current)
    this.#unsubscribe = fleet.subscribe((changed) => {
      const device = changed.find((candidate) => candidate.imei === imei)
      if (device) this.observations = observeSummary(this.observations, device)
    })
    this.#socket.on('packet', this.#receive)
    this.#socket.on('connect', this.#watch)
    if (this.#socket.connected) this.#watch()
  }

  async load(): Promise<void> {
    try {
      const recent = await api.get<Packet[]>(`/api/devices/${encodeURIComponent(this.imei)}/packets?limit=${INITIAL_PACKETS}`)
      const seen = new Set(this.packets.map(({ packet }) => packetKey(packet)))
      const older = recent.filter((packet) => packet.imei === this.imei && !seen.has(packetKey(packet)))
      this.packets = [...this.packets, ...older.map((packet) => this.#log(packet))].slice(0, MAX_PACKETS)
      this.observations = older.reduce(observe, this.observations)
      this.loadError = null
    } catch (error) {
      this.loadError = api.userMessage(error)
    } finally {
      this.loaded = true
    }
  }

  close(): void {
    this.#unsubscribe()
    this.#socket.off('packet', this.#receive)
    this.#socket.off('connect', this.#watch)
    if (this.#socket.connected) this.#socket.emit('unwatch', { imei: this.imei })
  }

  /** On open and after every reconnect: a new server connection knows nothing of our watch. */
  #watch = (): void => {
    this.#socket.emit('watch', { imei: this.imei }, (result: WatchResult) => {
      this.watchError = 'error' in result ? result.error.message : null
    })
  }

  #receive = (packet: Packet): void => {
    if (packet.imei !== this.imei) return
    this.packets = [this.#log(packet), ...this.packets].slice(0, MAX_PACKETS)
    this.observations = observe(this.observations, packet)
  }

  #log(packet: Packet): LoggedPacket {
    this.#nextId += 1
    return { id: this.#nextId, packet }
  }
}

function packetKey(packet: Packet): string {
  return `${packet.time}|${typeof packet.raw.hex === 'string' ? packet.raw.hex.slice(0, 64) : JSON.stringify(packet.raw).slice(0, 64)}`
}
