/**
 * Composition root: `npm start` runs every part in one process — the embedded database (or
 * DATABASE_URL), the device gateway, the processor and the dashboard.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ADMIN_PASSWORD_FILE, ConfigError, loadConfig, type Config } from './config.ts'
import { createLogger, type Logger } from './logger.ts'
import { createDatabase } from './db/client.ts'
import { makePrivateDirectory, startEmbeddedDatabase } from './db/embedded.ts'
import { DatabaseHealth } from './db/health.ts'
import { MigrationError, migrate } from './db/migrate.ts'
import { startMaintenance } from './db/maintenance.ts'
import { startProcessor } from './processor/processor.ts'
import { DEFAULT_STATE_SETTINGS, type StateSettings } from './processor/state.ts'
import { AlertRuleIndex } from './processor/notify/rules.ts'
import { AlertNotifier } from './processor/notify/notifier.ts'
import { DeviceConnections } from './gateway/connections.ts'
import { GatewayStats } from './gateway/stats.ts'
import { startGateway, type GatewayDeps } from './gateway/gateway.ts'
import { PacketLog } from './gateway/packet-log.ts'
import { Quarantine } from './gateway/quarantine.ts'
import { Auth } from './dashboard/server/auth.ts'
import { startDashboard } from './dashboard/server/server.ts'

const ROOT = path.dirname(fileURLToPath(import.meta.url))

export async function main(config: Config, log: Logger): Promise<() => Promise<void>> {
  const embedded = config.DATABASE_URL ? undefined : await startEmbeddedDatabase(config.DATA_DIR, { log: log.child({ part: 'embedded-database' }) })
  const db = createDatabase(config.DATABASE_URL ?? embedded!.url, { embedded: embedded !== undefined })
  // Up or down: a lost connection is probed until it is back; ingest fails fast meanwhile (devices resend).
  const database = new DatabaseHealth(db, log.child({ part: 'database' }))
  embedded?.onExit((reason) => database.failed(reason))
  // `kill -USR2 <pid>` restarts the embedded database as a crash would (the supervisor starts it again
  // on the same data, the pool reconnects), without dropping the devices' connections: for an
  // operator whose embedded database is stuck, and how the outage tests force a drop.
  const restartDatabase = () => {
    if (!embedded) return log.warn('SIGUSR2: no embedded database to restart (DATABASE_URL is set)')
    embedded.restart().catch((err: unknown) => log.error({ err }, 'embedded database restart failed'))
  }
  process.on('SIGUSR2', restartDatabase)
  const applied = await migrate(db)
  log.info({ database: embedded ? `embedded (${path.resolve(config.DATA_DIR)})` : 'DATABASE_URL', applied }, 'database ready')
  const stopMaintenance = embedded ? startMaintenance(db, log) : () => {}

  const stateSettings = stateSettingsOf(config)
  // The one writer of vehicle state; the gateway and the dashboard reach it through its interfaces only.
  const processor = await startProcessor(db, { settings: stateSettings, registration: config.DEVICE_REGISTRATION, health: database }, log)
  const { bus } = processor
  const connections = new DeviceConnections(processor.commands.connectionChanged)

  const auth = new Auth(db, config.SESSION_TTL_HOURS * 3_600_000)
  const admin = await auth.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD)
  if (admin.generatedPassword) {
    // Kept for the simulator's --verify on this machine (owner-only), as Jenkins keeps its initial password.
    const passwordFile = path.join(config.DATA_DIR, ADMIN_PASSWORD_FILE)
    makePrivateDirectory(config.DATA_DIR)
    fs.writeFileSync(passwordFile, `${admin.generatedPassword}\n`, { mode: 0o600 })
    process.stderr.write(`\nFirst start: created admin ${config.ADMIN_EMAIL} with password ${admin.generatedPassword}\n` +
      `It is kept in ${path.resolve(passwordFile)} (readable by you only); set ADMIN_PASSWORD to choose it yourself.\n\n`)
  }

  // Alert rules decide who hears of each stored alert: the live alerts window, email and SMS.
  const alertRules = await AlertRuleIndex.load(db)
  const notifier = new AlertNotifier(bus, alertRules, db, {
    smtpUrl: config.SMTP_URL, smtpFrom: config.SMTP_FROM, smsWebhookUrl: config.SMS_WEBHOOK_URL,
  }, log.child({ part: 'notify' }))

  const stats = new GatewayStats()
  // Installers watch a device's messages: the gateway reports each one here, the dashboard shows the watched ones.
  const packets = new PacketLog()
  // Records that can never be stored are refused alone and kept here for the device page.
  const quarantine = new Quarantine()
  const gatewayDeps: GatewayDeps = { writer: processor.writer, devices: processor.admission, stats, connections, packets, quarantine }
  const gateway = await startGateway(config, gatewayDeps, log)
  const dashboard = await startDashboard(config.HOST, config.HTTP_PORT, {
    db, database, auth, states: processor.view, commands: processor.commands, stats, bus, stateSettings, log, alertRules,
    notifications: notifier,
    packets,
    quarantine,
    licenses: config.OFFICE_USER_LICENSES,
    map: { tileUrl: config.MAP_TILE_URL, attribution: config.MAP_TILE_ATTRIBUTION },
    webRoot: path.join(ROOT, 'dist', 'web'),
    publicUrl: config.PUBLIC_URL,
    trustProxy: config.TRUST_PROXY,
  })

  const ports = { http: dashboard.port, ...gateway.ports }
  log.info({ ports }, 'fleetwire ready')
  process.stdout.write(JSON.stringify({ ready: true, ports }) + '\n')

  return async () => {
    dashboard.close()
    await gateway.close()
    processor.stop()
    notifier.close()
    stopMaintenance()
    process.off('SIGUSR2', restartDatabase)
    database.stop()
    await db.end()
    await embedded?.stop()
  }
}

/** The processor's settings: the configurable ones from the environment, the rest their defaults. */
export function stateSettingsOf(config: Config): StateSettings {
  return {
    ...DEFAULT_STATE_SETTINGS,
    bufferedLagMs: config.BUFFERED_LAG,
    noUpdateAfterMs: config.NO_UPDATE_AFTER,
    idleAfterMs: config.IDLE_AFTER,
    maxFutureMs: config.FUTURE_FIX_SKEW,
    virtualIgnition: config.VIRTUAL_IGNITION,
    virtualIgnitionVoltageV: config.VIRTUAL_IGNITION_VOLTAGE,
    harshBrakingG: config.HARSH_BRAKING_G,
    harshAccelerationG: config.HARSH_ACCELERATION_G,
    harshCorneringG: config.HARSH_CORNERING_G,
    powerResetWindowMs: config.POWER_RESET_WINDOW,
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  }
  const log = createLogger(config.LOG_LEVEL)
  // Last line of defence: failures are handled where they happen, these log what slipped through.
  // A rejected promise nobody awaited has already unwound its work: log it and keep serving devices.
  process.on('unhandledRejection', (reason) => log.fatal({ err: reason }, 'unhandled promise rejection; still running'))
  // An exception thrown out of a callback may have left a socket, a session or a batch half-updated,
  // and nothing can tell which: as Node advises, exit (non-zero, so a supervisor such as Docker's
  // `restart: unless-stopped` or systemd starts a clean process). Devices resend what was not ACKed.
  process.on('uncaughtException', (err, origin) => {
    log.fatal({ err, origin }, 'uncaught exception; exiting')
    log.flush(() => process.exit(1))
    setTimeout(() => process.exit(1), 1000).unref()
  })
  main(config, log).then(
    (stop) => {
      const shutdown = (signal: string) => {
        log.info({ signal }, 'shutting down')
        stop().then(() => process.exit(0), (err) => {
          log.error({ err }, 'shutdown failed')
          process.exit(1)
        })
      }
      process.once('SIGINT', shutdown)
      process.once('SIGTERM', shutdown)
    },
    (err) => {
      // A database that lacks what we need is the administrator's to fix: one plain line, no stack.
      if (err instanceof MigrationError) process.stderr.write(`${err.message}\n`)
      else log.fatal({ err }, 'fleetwire failed to start')
      process.exit(1)
    },
  )
}
