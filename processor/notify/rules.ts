import type { Database } from '../../db/client.ts'
import type { Alert, AlertRule, AlertType } from '../../core/alerts.ts'

interface AlertRuleRow {
  id: number
  description: string
  type: AlertType
  threshold_g: number | null
  emails: string[]
  phones: string[]
  user_ids: number[]
  vehicle_ids: number[]
  created_at: Date
}

const SELECT_RULES = `
SELECT r.id, r.description, r.type, r.threshold_g, r.emails, r.phones, r.user_ids, r.created_at,
       COALESCE(array_agg(v.vehicle_id ORDER BY v.vehicle_id) FILTER (WHERE v.vehicle_id IS NOT NULL), '{}') AS vehicle_ids
  FROM alert_rules r LEFT JOIN alert_rule_vehicles v ON v.rule_id = r.id`

/** Every alert rule (or the one with `id`), with the vehicles it applies to. */
export async function loadAlertRules(db: Database, id?: number): Promise<AlertRule[]> {
  const { rows } = await db.query<AlertRuleRow>(
    `${SELECT_RULES} ${id === undefined ? '' : 'WHERE r.id = $1'} GROUP BY r.id ORDER BY r.id`,
    id === undefined ? [] : [id],
  )
  return rows.map((row) => ({
    id: row.id,
    description: row.description,
    type: row.type,
    vehicleIds: row.vehicle_ids,
    // real (float4) comes back as 0.30000001192...: round to what a person typed.
    thresholdG: row.threshold_g === null ? null : Math.round(row.threshold_g * 1000) / 1000,
    emails: row.emails,
    phones: row.phones,
    userIds: row.user_ids,
    createdAt: row.created_at.toISOString(),
  }))
}

/**
 * Whether a rule is about this alert: same type, the alert's vehicle among the rule's vehicles (an
 * alert of a device without a vehicle matches no rule), and, for a rule with a force threshold, a
 * force at or above it. An alert that carries no measured force (`details.g` absent, e.g. a device's
 * own harsh-driving event, judged by the device's threshold) passes: a real event is never hidden for
 * lack of a number. The force's sign is ignored (braking may be reported negative).
 */
export function ruleApplies(rule: AlertRule, alert: Alert): boolean {
  if (rule.type !== alert.type || alert.vehicleId === null || !rule.vehicleIds.includes(alert.vehicleId)) return false
  if (rule.thresholdG === null) return true
  const g = alert.details.g
  if (typeof g !== 'number' || !Number.isFinite(g)) return true
  return Math.abs(g) >= rule.thresholdG
}

/**
 * The alert rules in memory, indexed by type and vehicle, so matching an alert costs no query even
 * when a sweep raises thousands at once. Whoever writes rules (the API) calls `reload()` after.
 */
export class AlertRuleIndex {
  #byTypeAndVehicle = new Map<string, AlertRule[]>()
  #count = 0
  #reloadsStarted = 0
  #reloadApplied = 0

  constructor(private readonly db: Database) {}

  static async load(db: Database): Promise<AlertRuleIndex> {
    const index = new AlertRuleIndex(db)
    await index.reload()
    return index
  }

  /** Reads every rule again (after a rule, or a vehicle a rule names, changed). */
  async reload(): Promise<void> {
    const reload = ++this.#reloadsStarted
    const rules = await loadAlertRules(this.db)
    // With a pool, an earlier reload's answer may arrive after a later one's: keep the latest.
    if (reload < this.#reloadApplied) return
    this.#reloadApplied = reload
    this.replace(rules)
  }

  replace(rules: AlertRule[]): void {
    const next = new Map<string, AlertRule[]>()
    for (const rule of rules) {
      for (const vehicleId of rule.vehicleIds) {
        const key = indexKey(rule.type, vehicleId)
        next.set(key, [...(next.get(key) ?? []), rule])
      }
    }
    this.#byTypeAndVehicle = next
    this.#count = rules.length
  }

  /** The rules that apply to this alert, in rule id order. */
  matching(alert: Alert): AlertRule[] {
    if (alert.vehicleId === null) return []
    return (this.#byTypeAndVehicle.get(indexKey(alert.type, alert.vehicleId)) ?? []).filter((rule) => ruleApplies(rule, alert))
  }

  get size(): number {
    return this.#count
  }
}

const indexKey = (type: string, vehicleId: number) => `${type}:${vehicleId}`
