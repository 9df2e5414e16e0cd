import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { browserMissing, launchChromium } from './helpers/browser.ts'
import { ADMIN, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

const SCREENSHOTS = path.resolve(import.meta.dirname, '../docs/screenshots')

describe.skipIf(browserMissing)('dashboard in headless chromium', () => {
  let system: RunningSystem
  let browser: Browser

  beforeAll(async () => {
    ;[system, browser] = await Promise.all([startSystem(), launchChromium()])
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await system?.stop()
  })

  it('logs in and sees a simulated vehicle marker move on the live map', async () => {
    const imei = '356307042460005'
    const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
    const report = (second: number, latitude: number, longitude: number) =>
      device.send([{ timeMs: Date.now() - 1000 + second, latitude, longitude, satellites: 10, speedKmh: 48, course: 45, io: { 239: 1, 240: 1, 66: 14100 } }])
    await report(0, 54.6872, 25.2797)

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(system.baseUrl)
    await page.fill('#login-email', ADMIN.email)
    await page.fill('#login-password', ADMIN.password)
    await page.click('button[type="submit"]')

    const marker = page.locator(`.leaflet-marker-icon[data-imei="${imei}"]`)
    await marker.waitFor({ timeout: 10_000 })
    expect(Number(await marker.getAttribute('data-lat'))).toBeCloseTo(54.6872, 4)

    await report(1, 54.6901, 25.2853)
    await expect.poll(async () => Number(await marker.getAttribute('data-lat')), { timeout: 5_000 }).toBeCloseTo(54.6901, 4)
    expect(Number(await marker.getAttribute('data-lng'))).toBeCloseTo(25.2853, 4)
    await page.locator(`[data-imei="${imei}"][data-status="moving"]`).first().waitFor({ timeout: 5_000 })

    await page.screenshot({ path: path.join(SCREENSHOTS, 'map.png') })
    device.close()
  }, 60_000)
})
