import uWS from '@trufflesuite/uws-js-unofficial'
import { Server } from 'socket.io'
import type { Database } from '../../db/client.ts'
import { isDatabaseUnreachable } from '../../db/health.ts'
import type { DatabaseHealth } from '../../db/health.ts'
import type { Logger } from '../../logger.ts'
import type { GatewayStats } from '../../gateway/stats.ts'
import type { LiveBus } from '../../processor/live.ts'
import type { StateSettings } from '../../processor/state.ts'
import type { VehicleStateView } from '../../processor/vehicle-states.ts'
import type { VehicleCommands } from '../../processor/processor.ts'
import type { AlertRuleIndex } from '../../processor/notify/rules.ts'
import type { ApiErrorCode } from '../shared/api-errors.ts'
import { registerApi, type ApiDeps } from './api.ts'
import { startAlertFeed } from './alert-feed.ts'
import { Auth, SESSION_COOKIE } from './auth.ts'
import { parseCookies } from './http.ts'
import { startLiveFeed } from './live-feed.ts'
import { type LiveServer, startLiveRooms } from './live-rooms.ts'
import type { PacketSource } from './packets.ts'
import { serveStatic } from './static.ts'
import { crossOriginRefusal, webSecurity } from './web-security.ts'
import { liveVehicles, seesVehicle, Visibility } from './visibility.ts'

export interface DashboardDeps {
  db: Database
  auth: Auth
  /** The processor's vehicle states, read-only: it alone changes them, through `commands`. */
  states: VehicleStateView
  commands: VehicleCommands
  stats: GatewayStats
  /** Whether the database is up: every socket hears of each change (`database` event), and of the state when it connects. */
  database: Pick<DatabaseHealth, 'status' | 'onChange'>
  bus: LiveBus
  stateSettings: StateSettings
  map: { tileUrl: string; attribution: string }
  /** The alert rules in memory: the live alerts window and notifications match alerts against them. */
  alertRules: AlertRuleIndex
  notifications?: ApiDeps['notifications']
  /** The gateway's packet log: installers watch a device's messages. */
  packets: PacketSource
  quarantine: ApiDeps['quarantine']
  /** How many office users may be active at once. */
  licenses: number
  webRoot: string
  /** `PUBLIC_URL`: the dashboard's address as browsers see it; unset: the request's own Host over http. */
  publicUrl?: string
  /** `TRUST_PROXY`: believe a reverse proxy's `X-Forwarded-Proto` and `X-Forwarded-For`. */
  trustProxy: boolean
  log: Logger
}

export interface Dashboard {
  port: number
  close(): void
}

/** The dashboard: JSON API, socket.io live feed and the built web app, all on one uWebSockets.js app. */
export async function startDashboard(host: string, port: number, deps: DashboardDeps): Promise<Dashboard> {
  const log = deps.log.child({ part: 'dashboard' })
  const app = uWS.App()
  const security = webSecurity({ publicUrl: deps.publicUrl, trustProxy: deps.trustProxy, tileUrl: deps.map.tileUrl })
  const io: LiveServer = new Server({ serveClient: false })
  io.attachApp(app)
  // A live connection carries the user's cookie like a write does: only the dashboard's own pages may open one.
  io.use(async (socket, next) => {
    // A refusal's message is the API's error code for it.
    const refuse = (code: ApiErrorCode) => next(new Error(code))
    try {
      const header = (name: string) => String(socket.request.headers[name] ?? '')
      const refusal = crossOriginRefusal(security, {
        host: header('host'), origin: header('origin'), secFetchSite: header('sec-fetch-site'), forwardedProto: header('x-forwarded-proto'),
      })
      if (refusal) return refuse('CROSS_ORIGIN')
      const token = parseCookies(header('cookie'))[SESSION_COOKIE]
      const user = await deps.auth.userForToken(token)
      if (!user || token === undefined) return refuse('UNAUTHENTICATED')
      socket.data.user = user
      socket.data.session = token
      next()
    } catch (err) {
      // The session could not be looked up: not a sign-out, so the browser keeps its page and retries.
      const unreachable = isDatabaseUnreachable(err)
      log.warn(unreachable ? { reason: (err as Error).message } : { err }, 'live connection check failed')
      refuse(unreachable ? 'DATABASE_UNAVAILABLE' : 'UNAUTHENTICATED')
    }
  })
  const visibility = await Visibility.load(deps.db)
  // Which rooms each socket is in (fleet, its vehicles, its user, watched devices): what it may receive.
  const rooms = startLiveRooms(io, visibility, deps.packets, log)
  const refreshVehicles = setInterval(() => void visibility.refreshVehicles().catch(() => undefined), 10_000)
  const feed = startLiveFeed(io, deps.bus, (imei) => visibility.vehicleOf(imei), deps.stateSettings)
  const userSeesVehicle = async (userId: number, vehicleId: number | null) => seesVehicle(liveVehicles(await visibility.accessOf(userId)), vehicleId)
  const stopAlertFeed = startAlertFeed(io, deps.bus, deps.alertRules, userSeesVehicle, log)
  /**
   * After a vehicle write: names and assignments show at once, on the map too, not at the next refresh;
   * visibility is read again (a deleted vehicle leaves users' choices and groups), and a socket watching
   * a device now on a vehicle its user does not see stops getting its packets.
   */
  const vehiclesChanged = async (imeis: (string | null)[]) => {
    await visibility.refreshVehicles()
    visibility.invalidate()
    await rooms.resync()
    for (const imei of imeis) {
      const state = imei === null ? undefined : deps.states.get(imei)
      if (state) feed.resend(state)
    }
  }
  const accessChanged = (userIds?: number[]) => void rooms.resync(userIds)
  // Every signed-in user sees whether the database is up: devices are not acknowledged while it is down.
  io.on('connection', (socket) => socket.emit('database', deps.database.status()))
  const stopDatabaseFeed = deps.database.onChange((status) => io.emit('database', status))

  registerApi(app, {
    ...deps, visibility, vehiclesChanged, accessChanged, security, log,
    sessionsEnded: (userId, keptSession) => rooms.disconnectUser(userId, keptSession),
    signedOut: (session) => rooms.disconnectSession(session),
  })
  serveStatic(app, deps.webRoot, security)

  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen(host, port, (socket) => (socket ? resolve(socket) : reject(new Error(`dashboard cannot listen on ${host}:${port}`))))
  })
  return {
    port: uWS.us_socket_local_port(listenSocket),
    close() {
      clearInterval(refreshVehicles)
      feed.stop()
      stopAlertFeed()
      stopDatabaseFeed()
      rooms.stop()
      io.close()
      uWS.us_listen_socket_close(listenSocket)
    },
  }
}
