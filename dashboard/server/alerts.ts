import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import { ALERT_COLUMNS, toAlert, type AlertRow } from '../../processor/alert-store.ts'
import { ALERT_TYPES, type Alert } from '../shared/contract.ts'
import { ApiError } from './http.ts'
import { idParam, imeiParam, instant } from './validation.ts'
import type { VisibleVehicles } from './visibility.ts'

/** The SQL parameter for `vehicle_id = ANY(...)`: null for every vehicle (and alerts of devices without one). */
const visibleIds = (visible: VisibleVehicles): number[] | null => (visible === 'all' ? null : [...visible])

export const alertsQuery = z
  .strictObject({
    from: instant('from').optional(),
    to: instant('to').optional(),
    type: z.enum(ALERT_TYPES, `type is one of ${ALERT_TYPES.join(', ')}`).optional(),
    vehicleId: idParam.optional(),
    imei: imeiParam.optional(),
    /** Paging: the last alert of the previous page (its id); the page continues after it in the list's order. */
    before: z.coerce.number({ error: 'before is the id of the last alert of the previous page' }).int('before is an alert id').positive('before is an alert id').max(Number.MAX_SAFE_INTEGER).optional(),
    limit: z.coerce.number().int().min(1, 'limit is 1 to 1000').max(1000, 'limit is 1 to 1000').default(100),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, { path: ['from'], message: '`from` must not be after `to`' })

/**
 * Stored alerts of the visible vehicles, newest first (by when they happened, then id), whether or not a
 * rule notified anyone. Past `limit`, ask again with `before` = the id of the last alert listed: pages
 * continue by (time, id), so alerts stored meanwhile never shift a page. `before` naming no alert the user
 * sees is a 400, not an empty page that would end the listing early.
 */
export async function listAlerts(db: Database, query: z.infer<typeof alertsQuery>, visible: VisibleVehicles): Promise<Alert[]> {
  const visibleVehicles = visibleIds(visible)
  if (query.before !== undefined) {
    const { rows } = await db.query('SELECT 1 FROM alerts WHERE id = $1 AND ($2::int[] IS NULL OR vehicle_id = ANY($2))', [query.before, visibleVehicles])
    if (rows.length === 0) throw new ApiError('BAD_REQUEST', `before: no alert with id ${query.before}`)
  }
  const { rows } = await db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts
      WHERE ($1::timestamptz IS NULL OR time >= $1) AND ($2::timestamptz IS NULL OR time <= $2)
        AND ($3::text IS NULL OR type = $3) AND ($4::int IS NULL OR vehicle_id = $4)
        AND ($6::int[] IS NULL OR vehicle_id = ANY($6))
        AND ($7::text IS NULL OR imei = $7)
        AND ($8::bigint IS NULL OR (time, id) < (SELECT c.time, c.id FROM alerts c WHERE c.id = $8))
      ORDER BY time DESC, id DESC LIMIT $5`,
    [
      query.from ?? null, query.to ?? null, query.type ?? null, query.vehicleId ?? null, query.limit,
      visibleVehicles, query.imei ?? null, query.before ?? null,
    ],
  )
  return rows.map(toAlert)
}

/** Marks the alert seen by the user; acknowledging again keeps the first acknowledgement. An alert of a vehicle the user does not see: 404. */
export async function acknowledgeAlert(db: Database, id: number, userId: number, visible: VisibleVehicles): Promise<Alert> {
  const { rows } = await db.query<AlertRow>(
    `UPDATE alerts SET acknowledged_at = COALESCE(acknowledged_at, now()),
                       acknowledged_by = CASE WHEN acknowledged_at IS NULL THEN $2 ELSE acknowledged_by END
      WHERE id = $1 AND ($3::int[] IS NULL OR vehicle_id = ANY($3)) RETURNING ${ALERT_COLUMNS}`,
    [id, userId, visibleIds(visible)],
  )
  if (!rows[0]) throw new ApiError('ALERT_NOT_FOUND', `No alert with id ${id}`)
  return toAlert(rows[0])
}
