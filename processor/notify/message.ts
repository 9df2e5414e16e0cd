import { ALERT_TYPE_LABELS, type Alert, type AlertPlace } from '../../core/alerts.ts'

/** What the notification says about the alert, beyond the alert itself. */
export interface AlertContext {
  /** The vehicle's name (the IMEI when the vehicle has none). */
  vehicleName: string
  /** The rule that asked for the notification. */
  ruleDescription: string
}

export interface EmailContent {
  subject: string
  text: string
}

export const DELAYED_NOTE = 'Reported late from stored history: the device had no coverage when this happened and uploaded it afterwards.'

/** "Power disconnect — Van 12" */
export function alertTitle(alert: Alert, context: AlertContext): string {
  return `${ALERT_TYPE_LABELS[alert.type]} — ${context.vehicleName}`
}

/** A plain-text email: time in UTC (readable and ISO), the places or coordinates, and whether it came late. */
export function alertEmail(alert: Alert, context: AlertContext): EmailContent {
  const lines = [alertTitle(alert, context), '', `Time: ${readableUtc(alert.time)} (${alert.time})`]
  lines.push(...placeLines(alert))
  if (alert.delayed) lines.push('', DELAYED_NOTE)
  lines.push(...detailLines(alert))
  lines.push('', `Device: ${alert.imei}`, `Alert rule: ${context.ruleDescription}`, '', '-- ', 'Fleetwire')
  return { subject: alertTitle(alert, context), text: lines.join('\n') + '\n' }
}

/** One short line for a text message. */
export function alertSms(alert: Alert, context: AlertContext): string {
  const where = alert.places[0]
    ? ` near ${placeName(alert.places[0])}`
    : alert.latitude !== null && alert.longitude !== null
      ? ` at ${coordinates(alert.latitude, alert.longitude)}`
      : ''
  const late = alert.delayed ? ' (reported late from stored history)' : ''
  return `${alertTitle(alert, context)}: ${readableUtc(alert.time).slice(0, 16)} UTC${where}${late}`
}

/** "2026-06-01 12:00:05 UTC" */
export function readableUtc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

function placeLines(alert: Alert): string[] {
  const position = alert.latitude !== null && alert.longitude !== null ? coordinates(alert.latitude, alert.longitude) : null
  const map = position ? [`Map: https://www.openstreetmap.org/?mlat=${alert.latitude}&mlon=${alert.longitude}#map=17/${alert.latitude}/${alert.longitude}`] : []
  if (alert.places.length === 0) return [`Position: ${position ?? 'not reported'}`, ...map]
  const places = alert.places.map((place) => `  ${placeName(place)}${place.address ? `, ${place.address}` : ''} (${place.distanceMi.toFixed(2)} mi)`)
  return [alert.places.length === 1 ? 'Place:' : 'Places:', ...places, ...(position ? [`Position: ${position}`] : []), ...map]
}

function detailLines(alert: Alert): string[] {
  const lines: string[] = []
  if (typeof alert.details.g === 'number') lines.push(`Force: ${Math.abs(alert.details.g).toFixed(2)} g`)
  if (alert.details.probableDeviceReset === true) lines.push('Probably a device reset (power came back within moments of a reboot), not a disconnect.')
  return lines.length > 0 ? ['', ...lines] : []
}

function placeName(place: AlertPlace): string {
  return place.name ? `${place.customerName} — ${place.name}` : place.customerName
}

function coordinates(latitude: number, longitude: number): string {
  return `${latitude.toFixed(5)}, ${longitude.toFixed(5)}`
}
