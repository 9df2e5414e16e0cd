/**
 * The processor, composed: the vehicles' live states, the ingest that commits records and runs every
 * other change of state as a command in the same sequence, the no-update sweep, and the live events it
 * publishes after each commit. It is the one writer of vehicle state: the gateway hands it records
 * (`writer`) and connection changes, the dashboard sends it commands and reads the states (`view`).
 * Only plain values cross these interfaces, which is what lets the processor run in a process of its own
 * later: records and commands sent as messages, the view kept from the vehicle events it publishes.
 */
import type { Database } from '../db/client.ts'
import type { DatabaseHealth } from '../db/health.ts'
import type { DeviceAdmission } from '../gateway/admission.ts'
import type { RecordWriter } from '../gateway/record-writer.ts'
import type { Protocol } from '../core/record.ts'
import type { Logger } from '../logger.ts'
import { DeviceRegistration, type RegistrationMode } from './device-admission.ts'
import { GroupCommitIngest } from './ingest.ts'
import { InProcessLiveBus, type LiveBus } from './live.ts'
import { startNoUpdateSweep, sweepIntervalMs } from './no-update-sweep.ts'
import type { StateSettings } from './state.ts'
import { VehicleStates, type VehicleStateView } from './vehicle-states.ts'

/** The changes of vehicle state that come from no record. */
export interface VehicleCommands {
  /**
   * Registers a device ahead of its first connection (the only way in when registration is closed).
   * Resolves once committed, with the protocol the IMEI is registered with: an IMEI registered already keeps its own.
   */
  registerDevice(imei: string, protocol: Protocol): Promise<Protocol>
  /**
   * An office user set the current mileage and engine hours of the vehicle that has device `imei`: from
   * `at` (the vehicles.counters_set_at stored) they grow from these values. Resolves once committed.
   */
  startCountersFrom(imei: string, counters: { odometerKm: number; engineHoursH: number }, at: Date): Promise<void>
  /** A device's connection opened or closed (the gateway's DeviceConnections): shown at once, not stored. */
  connectionChanged(change: { imei: string; protocol: Protocol; connected: boolean }): void
}

export interface Processor {
  /** Where the gateway hands records; resolves once they are durable. */
  writer: RecordWriter
  /** Whether a device may talk to us (DEVICE_REGISTRATION). */
  admission: DeviceAdmission
  commands: VehicleCommands
  /** The vehicles' live states, read-only. */
  view: VehicleStateView
  /** What the processor publishes after each commit: vehicles' states, alerts raised and cleared. */
  bus: LiveBus
  stop(): void
}

export interface ProcessorOptions {
  settings: StateSettings
  registration: RegistrationMode
  /** Told of failed batches; while it says the database is down, writes and commands fail at once. */
  health?: Pick<DatabaseHealth, 'state' | 'status' | 'failed'>
}

/** Loads the vehicles' states and starts processing. */
export async function startProcessor(db: Database, options: ProcessorOptions, log: Logger): Promise<Processor> {
  const states = await VehicleStates.load(db)
  const bus = new InProcessLiveBus()
  const ingest = new GroupCommitIngest(db, states, log.child({ part: 'ingest' }), {
    settings: options.settings,
    health: options.health,
    onCommitted: (changed, _records, alerts) => {
      changed.forEach((state) => bus.publish('vehicle', state))
      alerts.raised.forEach((alert) => bus.publish('alert', alert))
      alerts.cleared.forEach((alert) => bus.publish('alertCleared', alert))
    },
  })
  const stopSweep = startNoUpdateSweep(ingest, { intervalMs: sweepIntervalMs(options.settings), log: log.child({ part: 'sweep' }) })
  const commands: VehicleCommands = {
    registerDevice: (imei, protocol) => ingest.register(imei, protocol),
    startCountersFrom: (imei, counters, at) => ingest.startCountersFrom(imei, counters, at),
    connectionChanged: ({ imei, protocol, connected }) => bus.publish('vehicle', states.connectionChanged(imei, protocol, connected)),
  }
  return {
    writer: ingest,
    admission: new DeviceRegistration(options.registration, states, commands.registerDevice),
    commands,
    view: states,
    bus,
    stop: stopSweep,
  }
}
