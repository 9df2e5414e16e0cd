import type { Database } from '../../db/client.ts'
import type { Logger } from '../../logger.ts'
import type { Alert } from '../../core/alerts.ts'
import type { LiveBus } from '../live.ts'
import { DEFAULT_RETRY_POLICY, DeliveryQueue, type ChannelStats, type RetryPolicy } from './delivery-queue.ts'
import { smtpEndpoint, smtpSender, type EmailMessage } from './email.ts'
import { alertEmail, alertSms } from './message.ts'
import { RecentIds } from './recent-ids.ts'
import type { AlertRuleIndex } from './rules.ts'
import { webhookEndpoint, webhookSmsSender, type SmsMessage } from './sms.ts'

export interface NotifierOptions {
  /** SMTP server for alert emails; unset = email off. */
  smtpUrl?: string
  smtpFrom: string
  /** HTTP endpoint receiving `{ to, text }` per SMS; unset = SMS off. */
  smsWebhookUrl?: string
  retry?: RetryPolicy
}

export interface NotificationStats {
  email: ChannelStats
  sms: ChannelStats
}

/**
 * Tells people about alerts by email and SMS. For every stored alert on the bus, each rule that
 * applies to it (see `ruleApplies`) sends one email to the rule's addresses and one SMS to each of its
 * phones. Sending happens in the background with retries: a slow or broken mail server never holds up
 * ingest. Each alert id is notified once, however often it is published.
 */
export class AlertNotifier {
  readonly #email: DeliveryQueue<EmailMessage>
  readonly #sms: DeliveryQueue<SmsMessage>
  readonly #seen = new RecentIds(10_000)
  readonly #unsubscribe: () => void

  constructor(
    bus: LiveBus,
    private readonly rules: AlertRuleIndex,
    private readonly db: Database,
    options: NotifierOptions,
    private readonly log: Logger,
  ) {
    const retry = options.retry ?? DEFAULT_RETRY_POLICY
    this.#email = new DeliveryQueue('email', options.smtpUrl ? smtpSender(options.smtpUrl, options.smtpFrom) : undefined, log, retry)
    this.#sms = new DeliveryQueue('sms', options.smsWebhookUrl ? webhookSmsSender(options.smsWebhookUrl) : undefined, log, retry)
    if (options.smtpUrl) log.info({ smtp: smtpEndpoint(options.smtpUrl), from: options.smtpFrom }, 'alert emails on')
    else log.info('alert emails off: SMTP_URL is not set')
    if (options.smsWebhookUrl) log.info({ webhook: webhookEndpoint(options.smsWebhookUrl) }, 'alert SMS on')
    else log.info('alert SMS off: SMS_WEBHOOK_URL is not set')
    this.#unsubscribe = bus.subscribe('alert', (alert) => this.#onAlert(alert))
  }

  stats(): NotificationStats {
    return { email: this.#email.stats(), sms: this.#sms.stats() }
  }

  close(): void {
    this.#unsubscribe()
    this.#email.close()
    this.#sms.close()
  }

  #onAlert(alert: Alert): void {
    if (!this.#seen.add(alert.id)) return
    const rules = this.rules.matching(alert).filter((rule) => rule.emails.length > 0 || rule.phones.length > 0)
    if (rules.length === 0) return
    this.#notify(alert, rules).catch((err: unknown) => this.log.error({ err, alertId: alert.id }, 'alert notification not queued'))
  }

  async #notify(alert: Alert, rules: ReturnType<AlertRuleIndex['matching']>): Promise<void> {
    const vehicleName = (await this.#vehicleName(alert.vehicleId)) ?? alert.imei
    for (const rule of rules) {
      const context = { vehicleName, ruleDescription: rule.description }
      const label = `alert ${alert.id} rule ${rule.id}`
      if (rule.emails.length > 0) this.#email.enqueue({ to: rule.emails, ...alertEmail(alert, context) }, label)
      const text = alertSms(alert, context)
      for (const phone of rule.phones) this.#sms.enqueue({ to: phone, text }, `${label} ${phone}`)
    }
  }

  async #vehicleName(vehicleId: number | null): Promise<string | null> {
    if (vehicleId === null) return null
    try {
      const { rows } = await this.db.query<{ name: string }>('SELECT name FROM vehicles WHERE id = $1', [vehicleId])
      return rows[0]?.name ?? null
    } catch (err) {
      // The notification still goes out, naming the device instead.
      this.log.warn({ err, vehicleId }, 'vehicle name not read for an alert notification')
      return null
    }
  }
}
