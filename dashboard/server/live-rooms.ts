import type { Server, Socket } from 'socket.io'
import { z } from 'zod'
import type { Logger } from '../../logger.ts'
import type { ClientToServerEvents, Me, ServerToClientEvents, WatchResult } from '../shared/contract.ts'
import { accessDenied } from './access.ts'
import { userRoom } from './alert-feed.ts'
import { ApiError } from './http.ts'
import { FLEET_ROOM, vehicleRoom } from './live-feed.ts'
import { imeiOfPacketRoom, packetRoom, toPacket, type PacketSource } from './packets.ts'
import { imeiParam } from './validation.ts'
import { liveVehicles, type Visibility } from './visibility.ts'

/** What the server keeps on each socket: its user, and the session it signed in with (closed with it). */
export interface LiveSocketData {
  user: Me
  session: string
}
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, LiveSocketData>
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, LiveSocketData>

export interface LiveRooms {
  /** Puts the sockets of these users (or of everyone) in the rooms they may be in now, and out of the others. */
  resync(userIds?: number[]): Promise<void>
  /** Closes the user's sockets (deactivated, or their password changed), but those opened with `keptSession`. */
  disconnectUser(userId: number, keptSession?: string): void
  /** Closes the sockets opened with this session (signed out). */
  disconnectSession(session: string): void
  stop(): void
}

const watchRequest = z.strictObject({ imei: imeiParam })
/** A socket watches a handful of devices at most (an installer's open pages); more is a runaway client. */
const MAX_WATCHED_PER_SOCKET = 20
/** PacketLog keeps a device's log an hour after the last `watch`: sockets still watching renew it well before. */
const RENEW_WATCHES_MS = 10 * 60_000

/**
 * Which live rooms each socket is in; the rooms decide what it receives.
 * - `user:<id>`: alerts whose rules name the user (the alert feed checks the user may see the vehicle).
 * - `fleet` when the user sees every vehicle, else `vehicle:<id>` for each vehicle they see (directly
 *   or through groups); nothing of either without Map view. The live feed and the alert feed send to
 *   `fleet` plus the vehicle's room, so a restricted socket never receives a vehicle it may not see.
 * - `packets:<imei>` while the socket watches a device it may see (`watch` / `unwatch`).
 * Rooms follow changes at once: after a write about a user, a group or a vehicle, `resync` moves the
 * sockets concerned (also out of packet rooms of devices now hidden), and on every (re)connection.
 */
export function startLiveRooms(io: LiveServer, visibility: Visibility, packets: PacketSource, log: Logger): LiveRooms {
  const syncs = new WeakMap<LiveSocket, Promise<void>>()

  /** Syncs of one socket run one after another, each from what is stored when it runs. */
  const sync = (socket: LiveSocket): Promise<void> => {
    const next = (syncs.get(socket) ?? Promise.resolve())
      .then(() => syncNow(socket))
      .catch((err: unknown) => log.error({ err, userId: socket.data.user.id }, 'socket room sync failed'))
    syncs.set(socket, next)
    return next
  }

  const syncNow = async (socket: LiveSocket) => {
    if (socket.disconnected) return
    const visible = liveVehicles(await visibility.accessOf(socket.data.user.id))
    const wanted = new Set([userRoom(socket.data.user.id), ...(visible === 'all' ? [FLEET_ROOM] : [...visible].map(vehicleRoom))])
    for (const room of socket.rooms) {
      if (room === socket.id) continue
      const imei = imeiOfPacketRoom(room)
      if (imei !== undefined ? !visibility.seesDevice(visible, imei) : !wanted.has(room)) void socket.leave(room)
    }
    void socket.join([...wanted])
  }

  const watch = async (socket: LiveSocket, request: unknown): Promise<WatchResult> => {
    const parsed = watchRequest.safeParse(request)
    if (!parsed.success) return errorOf(new ApiError('BAD_REQUEST', `imei: ${parsed.error.issues[0]?.message ?? 'a device id'}`))
    const { imei } = parsed.data
    const access = await visibility.accessOf(socket.data.user.id)
    if (!access.active) return errorOf(new ApiError('UNAUTHENTICATED', 'Log in to continue'))
    const denied = accessDenied(access.permissions, { module: 'map', level: 'view' })
    if (denied) return errorOf(denied)
    if (!visibility.seesDevice(access.vehicles, imei)) return errorOf(new ApiError('DEVICE_NOT_FOUND', `No device ${imei}`))
    const watching = [...socket.rooms].filter((room) => imeiOfPacketRoom(room) !== undefined)
    if (watching.length >= MAX_WATCHED_PER_SOCKET && !socket.rooms.has(packetRoom(imei))) {
      return errorOf(new ApiError('TOO_MANY_WATCHES', `A connection watches at most ${MAX_WATCHED_PER_SOCKET} devices; unwatch one first`))
    }
    packets.watch(imei)
    await socket.join(packetRoom(imei))
    return { ok: true }
  }

  io.on('connection', (socket) => {
    // Handlers first, synchronously: a `watch` sent right after connecting is not lost.
    socket.on('watch', (request, ack) => {
      void watch(socket, request).then(
        (result) => typeof ack === 'function' && ack(result),
        (err: unknown) => {
          log.error({ err }, 'watch failed')
          if (typeof ack === 'function') ack(errorOf(new ApiError('INTERNAL', 'Something went wrong on the server')))
        },
      )
    })
    socket.on('unwatch', (request, ack) => {
      const parsed = watchRequest.safeParse(request)
      if (parsed.success) void socket.leave(packetRoom(parsed.data.imei))
      if (typeof ack === 'function') ack(parsed.success ? { ok: true } : errorOf(new ApiError('BAD_REQUEST', 'imei: a device id')))
    })
    void sync(socket)
  })

  const unsubscribe = packets.subscribe((entry) => void io.to(packetRoom(entry.imei)).emit('packet', toPacket(entry)))
  const renew = setInterval(() => {
    for (const room of io.of('/').adapter.rooms.keys()) {
      const imei = imeiOfPacketRoom(room)
      if (imei !== undefined) packets.watch(imei)
    }
  }, RENEW_WATCHES_MS)
  renew.unref()

  return {
    async resync(userIds) {
      const wanted = userIds === undefined ? undefined : new Set(userIds)
      const sockets = [...io.of('/').sockets.values()].filter((socket) => !wanted || wanted.has(socket.data.user.id))
      await Promise.all(sockets.map(sync))
    },
    disconnectUser(userId, keptSession) {
      for (const socket of io.of('/').sockets.values()) {
        if (socket.data.user.id === userId && (keptSession === undefined || socket.data.session !== keptSession)) socket.disconnect(true)
      }
      if (keptSession === undefined) io.in(userRoom(userId)).disconnectSockets(true)
    },
    disconnectSession(session) {
      for (const socket of io.of('/').sockets.values()) if (socket.data.session === session) socket.disconnect(true)
    },
    stop() {
      clearInterval(renew)
      unsubscribe()
    },
  }
}

const errorOf = (err: ApiError): WatchResult => ({ error: { code: err.code, message: err.message } })
