/** How an alert reads in the alerts panel and the history: where it happened, the live list's order. */
import type { Alert, AlertRule } from '../../../../shared/contract.ts'
import { formatCoordinates } from '../format/format.ts'

/** The customers' service locations near it ("Acme · Main depot"), else its coordinates, else "Unknown place". */
export function alertPlace(alert: Pick<Alert, 'places' | 'latitude' | 'longitude'>): string {
  if (alert.places.length > 0) {
    return alert.places.map((place) => (place.name ? `${place.customerName} · ${place.name}` : place.customerName)).join('; ')
  }
  if (alert.latitude !== null && alert.longitude !== null) return formatCoordinates(alert.latitude, alert.longitude)
  return 'Unknown place'
}

/** The force of a harsh-driving alert, when the device or the fixes measured one: "0.42 g". */
export function alertForce(alert: Pick<Alert, 'details'>): string | null {
  const g = alert.details.g
  return typeof g === 'number' && Number.isFinite(g) ? `${g.toFixed(2)} g` : null
}

/**
 * The live list after an alert arrives or changes: an alert already listed is replaced in place (cleared,
 * acknowledged), a new one goes on top; at most `max` are kept.
 */
export function upsertAlert(list: readonly Alert[], alert: Alert, max: number): Alert[] {
  const index = list.findIndex((listed) => listed.id === alert.id)
  if (index >= 0) return list.map((listed, i) => (i === index ? alert : listed))
  return [alert, ...list].slice(0, max)
}

export function unacknowledgedCount(list: readonly Alert[]): number {
  return list.reduce((count, alert) => count + (alert.acknowledgedAt === null ? 1 : 0), 0)
}

/** `from`/`to` query values for a local date range picked in `<input type="date">` ("2026-11-22"). */
export function dayRange(fromDate: string, toDate: string): { from?: string; to?: string } {
  const range: { from?: string; to?: string } = {}
  const from = localDay(fromDate)
  const to = localDay(toDate)
  if (from) range.from = from.toISOString()
  if (to) range.to = new Date(new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1).getTime() - 1).toISOString()
  return range
}

function localDay(date: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!match) return null
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
}

/**
 * Whether the live alerts window shows this alert to this user, as the server decides for live alerts: a
 * rule of its type names its vehicle, its force (when measured) reaches the rule's threshold, and the rule
 * names this user or nobody. Used to show the same alerts on load as arrive live.
 */
export function inAlertsWindow(alert: Alert, rules: readonly AlertRule[], userId: number): boolean {
  return rules.some((rule) => ruleMatches(rule, alert) && (rule.userIds.length === 0 || rule.userIds.includes(userId)))
}

function ruleMatches(rule: AlertRule, alert: Alert): boolean {
  if (rule.type !== alert.type || alert.vehicleId === null || !rule.vehicleIds.includes(alert.vehicleId)) return false
  const g = alert.details.g
  if (rule.thresholdG === null || typeof g !== 'number' || !Number.isFinite(g)) return true
  return Math.abs(g) >= rule.thresholdG
}
