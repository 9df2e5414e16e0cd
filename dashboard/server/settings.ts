import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import { sweepIntervalMs } from '../../processor/no-update-sweep.ts'
import type { StateSettings } from '../../processor/state.ts'
import type { AlertThresholds, Settings } from '../shared/contract.ts'

export const settingsBody = z.strictObject({
  customerRadiusMi: z.number().gt(0, 'the Customer Radius is more than 0 mi').max(50, 'the Customer Radius is at most 50 mi'),
})

const DEFAULT_SETTINGS: Settings = { customerRadiusMi: 0.05 }

export async function getSettings(db: Database): Promise<Settings> {
  const { rows } = await db.query<{ key: string; value: unknown }>('SELECT key, value FROM settings')
  const stored = Object.fromEntries(rows.map((row) => [row.key, row.value]))
  const radius = stored.customerRadiusMi
  return { customerRadiusMi: typeof radius === 'number' ? radius : DEFAULT_SETTINGS.customerRadiusMi }
}

export async function updateSettings(db: Database, settings: Settings): Promise<Settings> {
  await db.query(
    `INSERT INTO settings (key, value) SELECT key, value FROM jsonb_each($1::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [JSON.stringify(settings)],
  )
  return getSettings(db)
}

/** `GET /api/settings/thresholds`: the processor's thresholds from the environment, read-only. */
export function thresholdsOf(settings: StateSettings): AlertThresholds {
  return {
    bufferedLagMs: settings.bufferedLagMs,
    noUpdateAfterMs: settings.noUpdateAfterMs,
    noUpdateSweepMs: sweepIntervalMs(settings),
    idleAfterMs: settings.idleAfterMs,
    maxFutureMs: settings.maxFutureMs,
    powerResetWindowMs: settings.powerResetWindowMs,
    harshBrakingG: settings.harshBrakingG,
    harshAccelerationG: settings.harshAccelerationG,
    harshCorneringG: settings.harshCorneringG,
    movingSpeedKmh: settings.movingSpeedKmh,
    supplyPresentV: settings.supplyPresentV,
  }
}
