import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { io, type Socket } from 'socket.io-client'
import type { Alert, AlertRule, Me, ServerToClientEvents, Vehicle } from '../dashboard/shared/contract.ts'
import { deviceImei, runSimulation } from '../simulator/run.ts'
import { startSmsWebhook, type SmsWebhook } from './helpers/sms-webhook.ts'
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts'
import { eventually } from './helpers/eventually.ts'
import { login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

/**
 * Simulated Teltonika devices cut their power; the real system detects, stores and lists every alert,
 * and tells people only what a rule asks for: email through a real SMTP server, SMS through a local
 * webhook, the live alerts window over socket.io.
 */
describe('alert delivery: rules decide who is told, history is complete', () => {
  let smtp: SmtpSink
  let sms: SmsWebhook
  let system: RunningSystem
  let cookie: string
  let me: Me
  let live: Socket<ServerToClientEvents>
  const pushed: Alert[] = []
  const cleared: Alert[] = []

  beforeAll(async () => {
    smtp = await startSmtpSink()
    sms = await startSmsWebhook()
    system = await startSystem({ env: { SMTP_URL: smtp.url, SMS_WEBHOOK_URL: sms.url } })
    cookie = await login(system.baseUrl)
    me = (await api<Me>('GET', '/api/me')).body
    live = io(system.baseUrl, { transports: ['websocket'], extraHeaders: { cookie } })
    live.on('alert', (alert) => pushed.push(alert))
    live.on('alertCleared', (alert) => cleared.push(alert))
    await new Promise<void>((resolve, reject) => live.once('connect', resolve).once('connect_error', reject))
  }, 120_000)

  afterAll(async () => {
    live?.close()
    await system?.stop()
    await smtp?.close()
    await sms?.close()
  })

  async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
  }

  async function vehicleWithDevice(name: string, imei: string): Promise<Vehicle> {
    expect((await api('POST', '/api/devices', { imei, protocol: 'teltonika' })).status).toBe(201)
    const created = await api<Vehicle>('POST', '/api/vehicles', { name, deviceImei: imei })
    expect(created.status).toBe(201)
    return created.body
  }

  async function powerCut(imeiBase: string, devices: number, seed: number, restoreAtSec?: number): Promise<void> {
    const summary = await runSimulation({
      protocol: 'teltonika', port: system.ports.teltonika, devices, durationSec: 5, rate: 1, seed, imeiBase,
      events: [{ atSec: 2, type: 'powerCut' }, ...(restoreAtSec === undefined ? [] : [{ atSec: restoreAtSec, type: 'powerRestored' as const }])],
    })
    expect(summary.recordsNeverAcked).toBe(0)
  }

  const alertsOf = async (imeis: string[]) =>
    (await api<Alert[]>('GET', '/api/alerts?type=powerDisconnect')).body.filter((alert) => imeis.includes(alert.imei))

  it('emails and texts the targets of the rule for the vehicle in it, and nobody for the vehicle outside it', async () => {
    const base = '356307042445000'
    const [vanImei, truckImei] = [deviceImei(base, 0), deviceImei(base, 1)]
    const van = await vehicleWithDevice('Van 12', vanImei)
    const truck = await vehicleWithDevice('Truck 7', truckImei)
    const rule = await api<AlertRule>('POST', '/api/alert-rules', {
      description: 'Unplugged trackers', type: 'powerDisconnect', vehicleIds: [van.id], emails: ['dispatch@example.com'], phones: ['+370 600 12345'],
    })
    expect(rule.status).toBe(201)

    await powerCut(base, 2, 41)

    // History is complete: both cuts are stored and listed, rule or not.
    await expect.poll(() => alertsOf([vanImei, truckImei]).then((alerts) => alerts.length), { timeout: 15_000 }).toBe(2)
    const alerts = await alertsOf([vanImei, truckImei])
    const vanAlert = alerts.find((alert) => alert.imei === vanImei)!
    expect(vanAlert).toMatchObject({ type: 'powerDisconnect', vehicleId: van.id, delayed: false, acknowledgedAt: null, places: [] })
    expect(alerts.find((alert) => alert.imei === truckImei)).toMatchObject({ type: 'powerDisconnect', vehicleId: truck.id })

    // Exactly one email and one SMS, for the van only.
    // Whether to tell anyone is decided as an alert is raised; once the van's are sent and nothing waits, the truck's
    // alert (listed above) has had its turn.
    await expect.poll(() => smtp.received.length + sms.received.length, { timeout: 15_000 }).toBe(2)
    await expect.poll(async () => (await api<{ email: { pending: number }; sms: { pending: number } }>('GET', '/api/notifications/stats')).body, { timeout: 5000 })
      .toMatchObject({ email: { pending: 0 }, sms: { pending: 0 } })
    expect(smtp.received).toHaveLength(1)
    expect(sms.received).toHaveLength(1)
    const [mail] = smtp.received
    expect(mail).toMatchObject({ to: ['dispatch@example.com'], from: 'alerts@fleetwire.local', subject: 'Power disconnect — Van 12' })
    expect(mail!.text).toContain(`Time: ${vanAlert.time.slice(0, 19).replace('T', ' ')} UTC (${vanAlert.time})`)
    expect(mail!.text).toContain(`Device: ${vanImei}`)
    expect(mail!.text).not.toContain('Truck 7')
    expect(sms.received[0]).toEqual({ to: '+37060012345', text: expect.stringMatching(/^Power disconnect — Van 12: /) })

    // The live alerts window: the van's alert to everyone who can see it (the rule names no users), nothing for the truck.
    await expect.poll(() => pushed.length, { timeout: 5000 }).toBe(1)
    expect(pushed[0]).toEqual(vanAlert)

    const stats = await api<{ email: { sent: number }; sms: { sent: number } }>('GET', '/api/notifications/stats')
    expect(stats.body).toMatchObject({ email: { enabled: true, sent: 1, failed: 0 }, sms: { enabled: true, sent: 1, failed: 0 } })
  }, 60_000)

  it('acknowledges an alert for the user, once', async () => {
    const base = '356307042448000'
    await vehicleWithDevice('Van 14', deviceImei(base, 0))
    await powerCut(base, 1, 42)
    const [alert] = await eventually(async () => {
      const alerts = await alertsOf([deviceImei(base, 0)])
      expect(alerts).toHaveLength(1)
      return alerts
    }, 15_000)
    const acknowledged = await api<Alert>('POST', `/api/alerts/${alert!.id}/acknowledge`)
    expect(acknowledged).toEqual({ status: 200, body: { ...alert, acknowledgedAt: expect.any(String) } })
    const again = await api<Alert>('POST', `/api/alerts/${alert!.id}/acknowledge`)
    expect(again.body.acknowledgedAt).toBe(acknowledged.body.acknowledgedAt)
    const listed = (await api<Alert[]>('GET', `/api/alerts?vehicleId=${alert!.vehicleId}`)).body.find((candidate) => candidate.id === alert!.id)
    expect(listed?.acknowledgedAt).toBe(acknowledged.body.acknowledgedAt)
  })

  it('pushes live to the users a rule names, and the restore that ends it; a rule without targets sends no email or SMS', async () => {
    const base = '356307042446000'
    const imei = deviceImei(base, 0)
    const car = await vehicleWithDevice('Car 5', imei)
    expect((await api('POST', '/api/alert-rules', { description: 'Mine', type: 'powerDisconnect', vehicleIds: [car.id], userIds: [me.id] })).status).toBe(201)
    const before = { pushed: pushed.length, mails: smtp.received.length, texts: sms.received.length }

    await powerCut(base, 1, 43, 4)

    await expect.poll(() => pushed.length, { timeout: 15_000 }).toBe(before.pushed + 1)
    expect(pushed.at(-1)).toMatchObject({ type: 'powerDisconnect', imei, vehicleId: car.id })
    await expect.poll(() => cleared.length, { timeout: 15_000 }).toBe(1)
    expect(cleared[0]).toMatchObject({ id: pushed.at(-1)!.id, clearedAt: expect.any(String) })
    expect(await alertsOf([imei])).toMatchObject([{ id: pushed.at(-1)!.id, clearedAt: cleared[0]!.clearedAt }])
    // Decided as the alert was raised, which the live push above shows happened: nothing waits to be sent.
    expect((await api<{ email: { pending: number }; sms: { pending: number } }>('GET', '/api/notifications/stats')).body).toMatchObject({ email: { pending: 0 }, sms: { pending: 0 } })
    expect(smtp.received).toHaveLength(before.mails)
    expect(sms.received).toHaveLength(before.texts)
  }, 60_000)

  it('names the customer\'s service location within the Customer Radius in the email and SMS', async () => {
    const imei = '356307042447006'
    const van = await vehicleWithDevice('Van 30', imei)
    const customer = await api<{ id: number }>('POST', '/api/customers', { name: 'Acme Plumbing' })
    await api('POST', `/api/customers/${customer.body.id}/locations`, { name: 'Main depot', address: '12 Main St', latitude: 54.6872, longitude: 25.2797 })
    await api('POST', '/api/alert-rules', { description: 'Depot cuts', type: 'powerDisconnect', vehicleIds: [van.id], emails: ['depot@example.com'], phones: ['+37060099999'] })

    const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    const time = Date.now() - (Date.now() % 1000)
    // About 7 m from the depot, the tracker reports its power cut (io252 = 1).
    expect(await device.send([{ timeMs: time, latitude: 54.68725, longitude: 25.27975, satellites: 9, speedKmh: 0, io: { 239: 1, 252: 1 } }])).toBe(1)
    device.close()

    await expect.poll(() => smtp.received.find((mail) => mail.to.includes('depot@example.com')), { timeout: 15_000 }).toBeDefined()
    const mail = smtp.received.find((candidate) => candidate.to.includes('depot@example.com'))!
    expect(mail.subject).toBe('Power disconnect — Van 30')
    expect(mail.text).toContain('Place:\n  Acme Plumbing — Main depot, 12 Main St (0.00 mi)')
    expect(mail.text).toContain(`Time: ${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC (${new Date(time).toISOString()})`)
    await expect.poll(() => sms.received.find((text) => text.to === '+37060099999')?.text, { timeout: 5000 }).toMatch(/^Power disconnect — Van 30: .* near Acme Plumbing — Main depot$/)
    const [listed] = await alertsOf([imei])
    expect(listed?.places).toMatchObject([{ customerName: 'Acme Plumbing', name: 'Main depot', address: '12 Main St' }])
  }, 30_000)
})
