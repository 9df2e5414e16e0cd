import { z } from 'zod'
import type { Database } from '../../db/client.ts'
import { loadAlertRules } from '../../processor/notify/rules.ts'
import { ALERT_TYPES, ALERT_TYPE_LABELS, HARSH_ALERT_TYPES, type AlertRule, type AlertType } from '../shared/contract.ts'
import { ApiError } from './http.ts'
import { emailAddress, idList, inTransaction, missingIds, ONE_LINE, ONE_LINE_MESSAGE, phoneNumber } from './validation.ts'

const unique = <T extends z.ZodType<string>>(item: T, max: number) =>
  z.array(item).max(max).transform((list) => [...new Set(list)])

const fields = {
  description: z.string().trim().min(1, 'a rule needs a description').max(200, 'a description has at most 200 characters').regex(ONE_LINE, ONE_LINE_MESSAGE),
  type: z.enum(ALERT_TYPES, `type is one of ${ALERT_TYPES.join(', ')}`),
  vehicleIds: idList('vehicle'),
  thresholdG: z.number().gt(0, 'thresholdG is more than 0 g').max(20, 'thresholdG is at most 20 g').nullable(),
  emails: unique(emailAddress, 50),
  phones: unique(phoneNumber, 50),
  userIds: idList('user'),
}

export const newRuleBody = z.strictObject({
  ...fields,
  thresholdG: fields.thresholdG.default(null),
  emails: fields.emails.default([]),
  phones: fields.phones.default([]),
  userIds: fields.userIds.default([]),
})
/** A PUT may send any of the fields; those left out keep their values. */
export const ruleChangesBody = z.strictObject(fields).partial()

export type NewRule = z.infer<typeof newRuleBody>
type RuleChanges = z.infer<typeof ruleChangesBody>

export async function listRules(db: Database): Promise<AlertRule[]> {
  return loadAlertRules(db)
}

export async function getRule(db: Database, id: number): Promise<AlertRule> {
  const [rule] = await loadAlertRules(db, id)
  if (!rule) throw new ApiError('RULE_NOT_FOUND', `No alert rule with id ${id}`)
  return rule
}

export async function createRule(db: Database, input: NewRule): Promise<AlertRule> {
  await checkRule(db, input)
  const id = await inTransaction(db, async (client) => {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO alert_rules (description, type, threshold_g, emails, phones, user_ids) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [input.description, input.type, input.thresholdG, input.emails, input.phones, input.userIds],
    )
    const id = rows[0]!.id
    await client.query('INSERT INTO alert_rule_vehicles (rule_id, vehicle_id) SELECT $1, unnest($2::int[])', [id, input.vehicleIds])
    return id
  })
  return getRule(db, id)
}

export async function updateRule(db: Database, id: number, changes: RuleChanges): Promise<AlertRule> {
  const before = await getRule(db, id)
  // A rule changed to a type without a force threshold drops its threshold rather than failing.
  const typeChangedAway = changes.type !== undefined && !isHarsh(changes.type) && changes.thresholdG === undefined
  const rule: NewRule = {
    description: changes.description ?? before.description,
    type: changes.type ?? before.type,
    vehicleIds: changes.vehicleIds ?? before.vehicleIds,
    thresholdG: typeChangedAway ? null : changes.thresholdG === undefined ? before.thresholdG : changes.thresholdG,
    emails: changes.emails ?? before.emails,
    phones: changes.phones ?? before.phones,
    userIds: changes.userIds ?? before.userIds,
  }
  await checkRule(db, rule)
  await inTransaction(db, async (client) => {
    await client.query(
      'UPDATE alert_rules SET description = $2, type = $3, threshold_g = $4, emails = $5, phones = $6, user_ids = $7 WHERE id = $1',
      [id, rule.description, rule.type, rule.thresholdG, rule.emails, rule.phones, rule.userIds],
    )
    if (changes.vehicleIds !== undefined) {
      await client.query('DELETE FROM alert_rule_vehicles WHERE rule_id = $1', [id])
      await client.query('INSERT INTO alert_rule_vehicles (rule_id, vehicle_id) SELECT $1, unnest($2::int[])', [id, rule.vehicleIds])
    }
  })
  return getRule(db, id)
}

export async function deleteRule(db: Database, id: number): Promise<void> {
  const { rowCount } = await db.query('DELETE FROM alert_rules WHERE id = $1', [id])
  if (!rowCount) throw new ApiError('RULE_NOT_FOUND', `No alert rule with id ${id}`)
}

/** What the schema cannot know: a threshold only on harsh-driving rules, and vehicles and users that exist (422). */
async function checkRule(db: Database, rule: NewRule): Promise<void> {
  if (rule.thresholdG !== null && !isHarsh(rule.type)) {
    throw new ApiError('THRESHOLD_NOT_APPLICABLE', `thresholdG applies only to ${HARSH_ALERT_TYPES.join(', ')} rules, not to ${rule.type} (${ALERT_TYPE_LABELS[rule.type]})`)
  }
  const missingVehicles = await missingIds(db, 'vehicles', rule.vehicleIds)
  if (missingVehicles.length > 0) throw new ApiError('UNKNOWN_VEHICLE', `No vehicle with id ${missingVehicles.join(', ')}`)
  const missingUsers = await missingIds(db, 'users', rule.userIds)
  if (missingUsers.length > 0) throw new ApiError('UNKNOWN_USER', `No user with id ${missingUsers.join(', ')}`)
}

const isHarsh = (type: AlertType) => (HARSH_ALERT_TYPES as readonly AlertType[]).includes(type)

