import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import type { Alert } from '../../core/alerts.ts'
import { makeAlert } from '../../test/helpers/alerts.ts'
import { eventually } from '../../test/helpers/eventually.ts'
import { startTestDatabase, type TestDatabase } from '../../test/helpers/database.ts'
import { startSmsWebhook, type SmsWebhook } from '../../test/helpers/sms-webhook.ts'
import { startSmtpSink, type SmtpSink } from '../../test/helpers/smtp-sink.ts'
import { InProcessLiveBus } from '../live.ts'
import { AlertNotifier, type NotifierOptions } from './notifier.ts'
import { AlertRuleIndex } from './rules.ts'

const log = pino({ level: 'silent' })
const alert = (id: number, overrides: Partial<Alert> = {}): Alert => makeAlert({ id, ...overrides })

const until = (condition: () => boolean) => eventually(() => expect(condition()).toBe(true), 5000, 20)

describe('alert notifications by email and SMS', () => {
  let database: TestDatabase
  let smtp: SmtpSink
  let sms: SmsWebhook
  let rules: AlertRuleIndex
  let notifier: AlertNotifier | undefined
  const bus = new InProcessLiveBus()
  const retry = { delaysMs: [50, 100], concurrency: 2, maxPending: 100 }
  const start = (options: Partial<NotifierOptions> = {}) =>
    (notifier = new AlertNotifier(bus, rules, database.db, { smtpUrl: smtp.url, smtpFrom: 'Fleetwire <alerts@fleetwire.test>', smsWebhookUrl: sms.url, retry, ...options }, log))

  beforeAll(async () => {
    database = await startTestDatabase()
    await database.db.query(`INSERT INTO vehicles (id, name) VALUES (3, 'Van 12'), (4, 'Truck 7')`)
    await database.db.query(`INSERT INTO alert_rules (id, description, type, emails, phones) VALUES
      (1, 'Unplugged trackers', 'powerDisconnect', '{ops@example.com,boss@example.com}', '{+37060000001,+37060000002}'),
      (2, 'Live only', 'powerDisconnect', '{}', '{}')`)
    await database.db.query('INSERT INTO alert_rule_vehicles (rule_id, vehicle_id) VALUES (1, 3), (2, 3), (2, 4)')
    rules = await AlertRuleIndex.load(database.db)
    smtp = await startSmtpSink()
    sms = await startSmsWebhook()
  }, 60_000)

  afterEach(() => {
    notifier?.close()
    smtp.received.length = 0
    sms.received.length = 0
  })

  afterAll(async () => {
    await smtp?.close()
    await sms?.close()
    await database?.stop()
  })

  it('sends one email to the rule\'s addresses and one SMS to each of its phones, naming the vehicle', async () => {
    start()
    bus.publish('alert', alert(1))
    await until(() => smtp.received.length === 1 && sms.received.length === 2)
    const [mail] = smtp.received
    expect(mail).toMatchObject({ from: 'alerts@fleetwire.test', to: ['ops@example.com', 'boss@example.com'], subject: 'Power disconnect — Van 12' })
    expect(mail!.text).toContain('Time: 2026-06-01 12:00:05 UTC (2026-06-01T12:00:05.000Z)')
    expect(mail!.text).toContain('Position: 54.68716, 25.27965')
    expect(sms.received.map((text) => text.to).sort()).toEqual(['+37060000001', '+37060000002'])
    expect(sms.received[0]!.text).toBe('Power disconnect — Van 12: 2026-06-01 12:00 UTC at 54.68716, 25.27965')
    expect(notifier!.stats()).toMatchObject({ email: { enabled: true, sent: 1, failed: 0 }, sms: { enabled: true, sent: 2, failed: 0 } })
  })

  it('tells nobody of an alert whose vehicle no rule with targets names, or that has no vehicle, and each alert id once', async () => {
    start()
    bus.publish('alert', alert(2, { vehicleId: 4 }))
    bus.publish('alert', alert(3, { vehicleId: null }))
    bus.publish('alert', alert(4, { type: 'harshBraking' }))
    bus.publish('alert', alert(5))
    bus.publish('alert', alert(5))
    // A barrier: an alert everyone is told of, marked late to tell it apart. Once it is delivered and nothing
    // waits, whatever was queued before it has been delivered too.
    bus.publish('alert', alert(6, { delayed: true }))
    const idle = () => notifier!.stats().email.pending === 0 && notifier!.stats().sms.pending === 0
    await until(() => smtp.received.some((mail) => mail.text.includes('Reported late')) && idle())
    expect(smtp.received.map((mail) => mail.text.includes('Reported late')).sort()).toEqual([false, true])
    expect(sms.received).toHaveLength(4)
  })

  it('retries a failing SMS webhook and a mail server answering "try later", then delivers once', async () => {
    start()
    sms.failNext(2, 503)
    smtp.failNext(1, 451, 'Try again later')
    bus.publish('alert', alert(6, { delayed: true }))
    await until(() => smtp.received.length === 1 && sms.received.length === 2)
    expect(smtp.received[0]!.text).toContain('Reported late from stored history')
    expect(sms.received[0]!.text).toContain('(reported late from stored history)')
    expect(notifier!.stats()).toMatchObject({ email: { sent: 1, retries: 1, failed: 0, pending: 0 }, sms: { sent: 2, retries: 2, failed: 0, pending: 0 } })
  })

  it('gives up at once on a permanent refusal, and after the last retry otherwise, counting each', async () => {
    start()
    sms.failNext(1, 400)
    sms.failNext(3, 500) // the other phone: three attempts, all failing
    smtp.failNext(1, 550, 'No such user')
    bus.publish('alert', alert(7))
    await until(() => notifier!.stats().sms.failed === 2 && notifier!.stats().email.failed === 1)
    expect(notifier!.stats()).toMatchObject({ email: { sent: 0, failed: 1, retries: 0 }, sms: { sent: 0, failed: 2, retries: 2, pending: 0 } })
    expect(smtp.received).toHaveLength(0)
  })

  it('never holds up the publisher: an unreachable mail server costs the bus nothing and is counted', async () => {
    start({ smtpUrl: 'smtp://127.0.0.1:1', smsWebhookUrl: undefined })
    // publish returns before any delivery was attempted: nothing failed yet when it is back.
    for (let id = 100; id < 110; id++) bus.publish('alert', alert(id))
    expect(notifier!.stats().email).toMatchObject({ sent: 0, failed: 0, retries: 0 })
    await until(() => notifier!.stats().email.failed === 10)
    expect(notifier!.stats()).toMatchObject({ email: { sent: 0, failed: 10, retries: 20 }, sms: { enabled: false, skipped: 20, sent: 0 } })
  })
})
