import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { browserMissing, launchChromium } from './helpers/browser.ts'
import { ADMIN, login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

/** `npm run screenshots` sets SCREENSHOTS=1 to refresh the README's pictures; plain test runs leave the tree alone. */
const SCREENSHOTS = process.env.SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../docs/screenshots') : null
const shoot = (page: Page, name: string) => (SCREENSHOTS ? page.screenshot({ path: path.join(SCREENSHOTS, name) }) : Promise.resolve())

const VILNIUS = { latitude: 54.6872, longitude: 25.2797 }
const fix = (offsetMs: number, over: Record<string, unknown> = {}, io: Record<number, number> = {}) => ({
  timeMs: Date.now() - (Date.now() % 1000) + offsetMs, ...VILNIUS, satellites: 10, speedKmh: 48, course: 45, io: { 239: 1, 240: 1, 66: 14100, 67: 4050, ...io }, ...over,
})

describe.skipIf(browserMissing)('dashboard in headless chromium', () => {
  let system: RunningSystem
  let browser: Browser
  let cookie: string

  beforeAll(async () => {
    ;[system, browser] = await Promise.all([startSystem(), launchChromium()])
    cookie = await login(system.baseUrl)
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await system?.stop()
  })

  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${system.baseUrl}${route}`, {
      method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    })
    expect(response.status, `${method} ${route}: ${await response.clone().text()}`).toBeLessThan(300)
    return (await response.json()) as T
  }

  /** What the Content Security Policy refused on any page these tests opened (the console reports each refusal). */
  const cspViolations: string[] = []

  async function openAs(email: string, password: string, hash = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
    })
    await page.goto(system.baseUrl + '/')
    await page.fill('#login-email', email)
    await page.fill('#login-password', password)
    await page.click('button[type="submit"]')
    await page.locator('[data-connection="connected"]').waitFor({ timeout: 10_000 })
    if (hash) await page.goto(`${system.baseUrl}/${hash}`)
    return page
  }

  const markerOf = (page: Page, imei: string) => page.evaluate((id) => window.__fleetwire?.markerPosition(id) ?? null, imei)

  it('logs in and sees a simulated vehicle marker move and its status change', async () => {
    const imei = '356307042460005'
    const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    await device.send([fix(-2000)])
    const page = await openAs(ADMIN.email, ADMIN.password)
    await expect.poll(() => markerOf(page, imei), { timeout: 10_000 }).toMatchObject({ lat: expect.closeTo(54.6872, 4), status: 'moving' })

    await device.send([fix(-1000, { latitude: 54.6901, longitude: 25.2853 })])
    await expect.poll(() => markerOf(page, imei), { timeout: 5_000 }).toMatchObject({ lat: expect.closeTo(54.6901, 4), lng: expect.closeTo(25.2853, 4) })
    await device.send([fix(0, { latitude: 54.6901, longitude: 25.2853, speedKmh: 0 }, { 239: 0, 240: 0 })])
    await expect.poll(() => markerOf(page, imei), { timeout: 5_000 }).toMatchObject({ status: 'stopped' })
    await page.locator(`.vehicle-row[data-imei="${imei}"][data-status="stopped"]`).waitFor({ timeout: 5_000 })
    await shoot(page, 'map.png')
    device.close()
    await page.close()
  }, 60_000)

  it('shows a simulated power cut in the alerts panel as it is reported', async () => {
    const imei = '356307042460013'
    const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    await device.send([fix(-3000, {}, { 66: 12800 })])
    const vehicle = await api<{ id: number }>('POST', '/api/vehicles', { name: 'Van 12', deviceImei: imei })
    await api('POST', '/api/alert-rules', { description: 'Tracker unplugged', type: 'powerDisconnect', vehicleIds: [vehicle.id], emails: [], phones: [], userIds: [] })
    const page = await openAs(ADMIN.email, ADMIN.password)
    await expect.poll(() => markerOf(page, imei), { timeout: 10_000 }).not.toBeNull()

    const row = page.locator('.alerts-panel [data-alert-type="powerDisconnect"]')
    expect(await row.count(), "no power cut before the device reports one").toBe(0)
    await device.send([fix(-1000, { speedKmh: 0 }, { 252: 1, 66: 0, 240: 0 })])
    await row.first().waitFor({ timeout: 10_000 })
    await shoot(page, 'alerts.png')
    await row.first().locator('[data-action="acknowledge"]').click()
    await page.locator('.alerts-panel [data-alert-type="powerDisconnect"][data-acknowledged="true"]').or(page.locator('.alerts-panel[data-unacknowledged="0"]')).first().waitFor({ timeout: 5_000 })
    device.close()
    await page.close()
  }, 60_000)

  it('turns the commissioning checklist green for a device that does everything, with live packets', async () => {
    const imei = '356307042460021'
    const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    await device.send([fix(-5000, { speedKmh: 0 }, { 239: 0, 240: 0, 66: 12700 })])
    const page = await openAs(ADMIN.email, ADMIN.password, `#/devices/${imei}`)
    await page.locator('[data-check="packets"]').waitFor({ timeout: 10_000 })

    await device.send([fix(-3000, { speedKmh: 0 }, { 239: 1, 240: 0, 66: 13900 })])
    await device.send([fix(-2000, { speedKmh: 35 }, { 239: 1, 240: 1, 66: 14000 })])
    await device.send([fix(-1000, { speedKmh: 0 }, { 239: 0, 240: 0, 66: 12700 })])
    for (const check of ['packets', 'gps', 'power', 'ignitionOn', 'ignitionOff', 'movement', 'time']) {
      await page.locator(`[data-check="${check}"][data-state="ok"]`).waitFor({ timeout: 5_000 })
    }
    await page.locator('.checklist[data-complete="true"]').waitFor({ timeout: 5_000 })
    expect(await page.locator('.packet-row').count()).toBeGreaterThanOrEqual(3)
    // The kind is the gateway's reading of the message, not the browser's.
    expect(await page.locator('.packet-row[data-packet-kind="Codec 8"] .kind').first().textContent()).toBe('Codec 8')
    await shoot(page, 'device.png')
    device.close()
    await page.close()
  }, 60_000)

  it('lists each device with whether its fix is valid and its GSM signal on the Devices page', async () => {
    const [fixedImei, lostImei] = ['356307042460054', '356307042460062']
    const fixed = await TeltonikaTestDevice.connect(system.ports.teltonika!, fixedImei)
    const lost = await TeltonikaTestDevice.connect(system.ports.teltonika!, lostImei)
    await fixed.send([fix(-1000, {}, { 21: 4 })])
    await lost.send([fix(-1000, { satellites: 0 }, { 21: 1 })])
    const page = await openAs(ADMIN.email, ADMIN.password, '#/devices')
    const cells = (imei: string) => page.locator(`.device-row[data-imei="${imei}"] [data-cell="fix"], .device-row[data-imei="${imei}"] [data-cell="signal"]`).allTextContents()
    await expect.poll(() => cells(fixedImei), { timeout: 10_000 }).toEqual(['Valid · 10 sats', '4'])
    await expect.poll(() => cells(lostImei), { timeout: 10_000 }).toEqual(['No fix · 0 sats', '1'])
    fixed.close()
    lost.close()
    await page.close()
  }, 60_000)

  it('creates, renames and deletes a vehicle group on the Vehicle groups page', async () => {
    const vans = await Promise.all(['Group van 1', 'Group van 2', 'Group van 3'].map((name) => api<{ id: number }>('POST', '/api/vehicles', { name, deviceImei: null })))
    const page = await openAs(ADMIN.email, ADMIN.password)
    await page.click('[data-nav="groups"]')
    await page.getByText('No vehicle groups yet').waitFor({ timeout: 5_000 })

    await page.click('button[data-action="add-group"]')
    await page.fill('#group-name', 'North depot')
    await page.check('[data-picker="group-vehicles"] label:has-text("Group van 1") input')
    await page.check('[data-picker="group-vehicles"] label:has-text("Group van 3") input')
    await page.click('button[data-action="save-group"]')
    const row = page.locator('tr[data-group-name="North depot"]')
    await row.waitFor({ timeout: 5_000 })
    expect(await row.locator('[data-cell="count"]').textContent()).toBe('2')
    const [created] = await api<{ id: number; name: string; vehicleIds: number[] }[]>('GET', '/api/vehicle-groups')
    expect(created).toMatchObject({ name: 'North depot', vehicleIds: [vans[0]!.id, vans[2]!.id] })
    await shoot(page, 'vehicle-groups.png')

    await row.locator('button[data-action="edit"]').click()
    await page.fill('#group-name', 'South depot')
    await page.uncheck('[data-picker="group-vehicles"] label:has-text("Group van 3") input')
    await page.click('button[data-action="save-group"]')
    const renamed = page.locator('tr[data-group-name="South depot"]')
    await renamed.waitFor({ timeout: 5_000 })
    expect(await renamed.locator('[data-cell="count"]').textContent()).toBe('1')

    page.once('dialog', (dialog) => void dialog.accept())
    await renamed.locator('button[data-action="delete"]').click()
    await page.getByText('No vehicle groups yet').waitFor({ timeout: 5_000 })
    expect(await api('GET', '/api/vehicle-groups')).toEqual([])
    await page.close()
  }, 60_000)

  it('shows an installer the records refused as unstorable on the device page, with their reason and raw message', async () => {
    const imei = '356307042460031'
    const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    expect(await device.send([fix(-2000), fix(0, { timeMs: Date.parse('+010000-01-01T00:00:00Z') })])).toBe(2)
    device.close()
    const page = await openAs(ADMIN.email, ADMIN.password, `#/devices/${imei}`)
    const row = page.locator('.quarantine-row[data-code="FIX_TIME_OUT_OF_RANGE"]')
    await row.waitFor({ timeout: 10_000 })
    expect(await row.locator('.reason').textContent()).toContain('+010000-01-01T00:00:00.000Z')
    await row.getByRole('button', { name: 'Raw message' }).click()
    expect(await row.locator('.raw').textContent()).toMatch(/^0000 0000 /)
    await page.goto(`${system.baseUrl}/#/devices/356307042460021`)
    await page.getByText('No rejected records').waitFor({ timeout: 10_000 })
    await page.close()
  }, 60_000)

  it('never shows a restricted user a vehicle hidden from them, on the map or in the list', async () => {
    const [seenImei, hiddenImei] = ['356307042460039', '356307042460047']
    const seenDevice = await TeltonikaTestDevice.connect(system.ports.teltonika!, seenImei)
    const hiddenDevice = await TeltonikaTestDevice.connect(system.ports.teltonika!, hiddenImei)
    await seenDevice.send([fix(-2000)])
    await hiddenDevice.send([fix(-2000, { latitude: 54.7 })])
    const seen = await api<{ id: number }>('POST', '/api/vehicles', { name: 'Seen truck', deviceImei: seenImei })
    await api('POST', '/api/vehicles', { name: 'Hidden truck', deviceImei: hiddenImei })
    const password = 'dispatcher-pass-1'
    await api('POST', '/api/users', {
      name: 'Dispatcher', email: 'dispatcher@example.com', password,
      permissions: { map: 'view', customers: 'none', schedule: 'none', estimates: 'none', invoices: 'none', timesheets: 'none', reports: 'none', settings: 'none' },
      visibility: { kind: 'selected', vehicleIds: [seen.id], groupIds: [] },
    })
    const page = await openAs('dispatcher@example.com', password)
    await expect.poll(() => markerOf(page, seenImei), { timeout: 10_000 }).not.toBeNull()
    await seenDevice.send([fix(-1000, { latitude: 54.69 })])
    await hiddenDevice.send([fix(-1000, { latitude: 54.71 })])
    await expect.poll(() => markerOf(page, seenImei), { timeout: 5_000 }).toMatchObject({ lat: expect.closeTo(54.69, 4) })
    expect(await markerOf(page, hiddenImei)).toBeNull()
    expect(await page.locator(`.vehicle-row[data-imei="${hiddenImei}"]`).count()).toBe(0)
    expect(await page.locator(`.vehicle-row[data-imei="${seenImei}"]`).count()).toBe(1)
    seenDevice.close()
    hiddenDevice.close()
    await page.close()
  }, 60_000)

  it('runs every page it opened under the Content Security Policy without a refusal', () => {
    expect(cspViolations).toEqual([])
  })
})
