import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import { ALERT_COLUMNS, toAlert, type AlertRow } from '../../processor/alert-store.ts'
import { ALERT_TYPES, type Alert } from '../shared/contract.ts'
import { ApiError } from './http.ts'
import { idParam } from './validation.ts'
import type { VisibleVehicles } from './visibility.ts'

/** The SQL parameter for `vehicle_id = ANY(...)`: null for every vehicle (and alerts of devices without one). */
const visibleIds = (visible: VisibleVehicles): number[] | null => (visible === 'all' ? null : [...visible])

/** An ISO 8601 time with its offset (`2026-06-01T08:00:00Z`) or a date (`2026-06-01`, midnight UTC). */
const isoTime = (name: string) =>
  z.union([z.iso.datetime({ offset: true }), z.iso.date()], `${name} is an ISO 8601 time or date, e.g. 2026-06-01T08:00:00Z or 2026-06-01`)

export const alertsQuery = z
  .strictObject({
    from: isoTime('from').optional(),
    to: isoTime('to').optional(),
    type: z.enum(ALERT_TYPES, `type is one of ${ALERT_TYPES.join(', ')}`).optional(),
    vehicleId: idParam.optional(),
    limit: z.coerce.number().int().min(1, 'limit is 1 to 1000').max(1000, 'limit is 1 to 1000').default(100),
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) <= Date.parse(query.to), { path: ['from'], message: '`from` must not be after `to`' })

/** Stored alerts of the visible vehicles, newest first (by when they happened), whether or not a rule notified anyone. */
export async function listAlerts(db: Database, query: z.infer<typeof alertsQuery>, visible: VisibleVehicles): Promise<Alert[]> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts
      WHERE ($1::timestamptz IS NULL OR time >= $1) AND ($2::timestamptz IS NULL OR time <= $2)
        AND ($3::text IS NULL OR type = $3) AND ($4::int IS NULL OR vehicle_id = $4)
        AND ($6::int[] IS NULL OR vehicle_id = ANY($6))
      ORDER BY time DESC, id DESC LIMIT $5`,
    [query.from ? new Date(query.from) : null, query.to ? new Date(query.to) : null, query.type ?? null, query.vehicleId ?? null, query.limit, visibleIds(visible)],
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
  if (!rows[0]) throw new ApiError(404, 'ALERT_NOT_FOUND', `No alert with id ${id}`)
  return toAlert(rows[0])
}
