/**
 * The dashboard's HTTP layer under attack: broken escapes, foreign origins, password guessing, bodies
 * sent before authentication, and input the database cannot store. After each attack the process is
 * alive, a signed-in request works and a Teltonika device still gets its ACKs.
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { Me, User } from '../dashboard/shared/contract.ts'
import { apiClient, connectLive, type ApiCall } from './helpers/api-client.ts'
import { browserMissing, launchChromium } from './helpers/browser.ts'
import { eventually } from './helpers/eventually.ts'
import { ADMIN, login, startSystem, type RunningSystem } from './helpers/system.ts'
import { TeltonikaTestDevice } from './helpers/teltonika-client.ts'

const fix = () => ({ timeMs: Date.now() - 1000, latitude: 54.68, longitude: 25.28, satellites: 9, speedKmh: 20, io: { 239: 1 } })

interface Target {
  system: RunningSystem
  cookie: string
  device: TeltonikaTestDevice
}

async function startTarget(imei: string, env: Record<string, string> = {}): Promise<Target> {
  const system = await startSystem({ env })
  const cookie = await login(system.baseUrl)
  const device = await TeltonikaTestDevice.connect(system.ports.teltonika!, imei)
  return { system, cookie, device }
}

async function stopTarget(target: Target | undefined): Promise<void> {
  target?.device.close()
  await target?.system.stop()
}

/** The process is up, a signed-in request is answered and the device's next record is ACKed. */
async function expectAlive({ system, cookie, device }: Target): Promise<void> {
  expect(system.process.exitCode, system.stderr()).toBeNull()
  const me = await apiClient(system.baseUrl, cookie)<Me>('GET', '/api/me')
  expect(me).toMatchObject({ status: 200, body: { email: ADMIN.email } })
  expect(await device.send([fix()])).toBe(1)
}

/** A request with exactly these headers (fetch with its own defaults only). */
async function send(system: RunningSystem, method: string, path: string, headers: Record<string, string>, body?: string) {
  const response = await fetch(`${system.baseUrl}${path}`, { method, headers, body })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as { error?: { code: string; message: string } } | undefined }
}

/**
 * Writes one raw HTTP/1.1 request and resolves with the status the server answers, even when it answers
 * before the body is all sent (the server then discards the rest of the body). The connection is kept
 * alive: a server closing one with unread bytes would reset it, losing its answer.
 */
function rawStatus(port: number, head: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let answer = ''
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)
      if (status && answer.includes('\r\n\r\n')) {
        resolve(Number(status[1]))
        socket.destroy()
      }
    })
    socket.on('error', () => undefined)
    socket.on('close', () => reject(new Error(`connection closed without a status: ${JSON.stringify(answer.slice(0, 200))}`)))
    // Not ended: uWS closes a half-closed connection at once, before answering.
    socket.write(head)
    socket.write(body)
  })
}

/** Connects a socket.io client with these handshake headers: 'connected', or the server's refusal. */
async function liveHandshake(baseUrl: string, headers: Record<string, string>): Promise<string> {
  const { io } = await import('socket.io-client')
  const socket = io(baseUrl, { transports: ['websocket'], extraHeaders: headers, reconnection: false })
  try {
    return await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'))
      socket.once('connect_error', (err) => resolve(err.message))
    })
  } finally {
    socket.close()
  }
}

describe('untrusted text in paths, cookies, queries and bodies', () => {
  let target: Target
  let admin: ApiCall
  beforeAll(async () => {
    target = await startTarget('356307042480001')
    admin = apiClient(target.system.baseUrl, target.cookie)
  }, 120_000)
  afterAll(() => stopTarget(target))

  it('answers a broken escape in a path parameter with 400 naming the parameter', async () => {
    const { system, cookie } = target
    for (const path of ['/api/vehicles/%', '/api/vehicles/%zz', '/api/devices/%E0%A4%A/positions']) {
      const answer = await send(system, 'GET', path, { cookie })
      expect(answer.status, path).toBe(400)
      expect(answer.body?.error?.message, path).toMatch(/^(id|imei): not a valid URL escape/)
    }
    expect((await send(system, 'GET', '/api/vehicles/%', {})).status).toBe(400)
    await expectAlive(target)
  })

  it('treats a session cookie with a broken escape as no session, and ignores any other broken cookie', async () => {
    const { system, cookie } = target
    expect((await send(system, 'GET', '/api/me', { cookie: 'fw_session=%' })).status).toBe(401)
    expect((await send(system, 'POST', '/api/logout', { cookie: 'fw_session=%' })).status).toBe(204)
    expect((await send(system, 'GET', '/api/me', { cookie: `theme=100%; ${cookie}; lang=%zz` })).status).toBe(200)
    await expectAlive(target)
  })

  it('refuses a live connection whose handshake cookie is a broken escape, and keeps one whose other cookie is', async () => {
    const { system, cookie } = target
    expect(await liveHandshake(system.baseUrl, { cookie: 'theme=100%' })).toBe('UNAUTHENTICATED')
    expect(await liveHandshake(system.baseUrl, { cookie: 'fw_session=%' })).toBe('UNAUTHENTICATED')
    expect(await liveHandshake(system.baseUrl, { cookie: `theme=100%; ${cookie}` })).toBe('connected')
    await expectAlive(target)
  })

  it('answers NUL bytes anywhere in the input with 400 naming the field', async () => {
    const { system, cookie } = target
    const json = { cookie, 'content-type': 'application/json' }
    const refusals: Array<[string, string, string | undefined, RegExp]> = [
      ['POST', '/api/vehicles', JSON.stringify({ name: 'Van\u0000 1' }), /^name: text cannot contain NUL/],
      ['POST', '/api/customers', JSON.stringify({ name: 'ACME' + '\u0000' }), /^name: text cannot contain NUL/],
      ['POST', '/api/users', JSON.stringify({ name: 'Nul', email: 'nul@example.com', password: 'nul-password-1', title: '\u0000' }), /^title: /],
      ['PUT', '/api/settings', JSON.stringify({ customerRadiusMi: 1, 'x\u0000': 1 }), /^body: a field name cannot contain NUL/],
      ['GET', '/api/alerts?imei=%00', undefined, /^imei: text cannot contain NUL/],
      ['GET', '/api/devices/356307042480001%00/positions', undefined, /^imei: text cannot contain NUL/],
    ]
    for (const [method, path, body, message] of refusals) {
      const answer = await send(system, method, path, json, body)
      expect(answer.status, `${method} ${path}`).toBe(400)
      expect(answer.body?.error?.message, `${method} ${path}`).toMatch(message)
    }
    const login = await send(system, 'POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify({ email: 'admin\u0000@example.com', password: 'x' }))
    expect(login.body?.error?.message).toMatch(/^email: text cannot contain NUL/)
    const { body: customer } = await admin<{ id: number }>('POST', '/api/customers', { name: 'Control Characters Ltd' })
    const address = await admin('POST', `/api/customers/${customer.id}/locations`, { name: 'Depot', address: 'Main St 1\nVilnius\u0007', latitude: 54.6, longitude: 25.2 })
    expect(address).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^address: text without control characters/) } } })
    expect((await admin('POST', `/api/customers/${customer.id}/locations`, { name: 'Depot', address: 'Main St 1\nVilnius', latitude: 54.6, longitude: 25.2 })).status).toBe(201)
    await expectAlive(target)
  })

  it('answers out-of-range or unreadable dates with 400 naming the field, never 500, and logs no error', async () => {
    const imei = '356307042480001'
    for (const [field, value] of [
      ['from', '-010000-01-01T00:00:00Z'], ['from', '+275760-09-13T00:00:00Z'], ['to', '10000-01-01'], ['to', 'June 1'], ['from', '2026-02-30'],
    ] as const) {
      for (const path of [`/api/devices/${imei}/positions`, '/api/alerts']) {
        const answer = await admin<{ error: { message: string } }>('GET', `${path}?${field}=${encodeURIComponent(value)}`)
        expect(answer.status, `${path} ${field}=${value}`).toBe(400)
        expect(answer.body.error.message, `${path} ${field}=${value}`).toMatch(new RegExp(`^${field}: `))
      }
    }
    const missing = await admin<{ error: { message: string } }>('POST', '/api/positions/missing', { records: [{ imei, fixTime: '+275760-09-13T00:00:00.000Z' }] })
    expect(missing).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^records\.0\.fixTime: /) } } })
    expect((await admin('GET', `/api/devices/${imei}/positions?from=2026-01-01`)).status).toBe(200)
    expect(target.system.stderr()).not.toMatch(/"level":(50|60)/)
    await expectAlive(target)
  })

  it('answers nothing in the API with 500 for malformed ids, limits and bodies', async () => {
    const { system, cookie } = target
    const json = { cookie, 'content-type': 'application/json' }
    const probes: Array<[string, string, string | undefined]> = [
      ['GET', '/api/vehicles/99999999999999999999', undefined],
      ['GET', '/api/vehicles/-1', undefined],
      ['GET', '/api/alerts?limit=1e400', undefined],
      ['GET', '/api/alerts?before=0x10', undefined],
      ['GET', `/api/devices/${'9'.repeat(65)}/packets`, undefined],
      ['POST', '/api/vehicles', '{"name":'],
      ['POST', '/api/vehicles', '[]'],
      ['POST', '/api/vehicles', '"text"'],
      ['POST', '/api/vehicles', JSON.stringify({ name: 'x'.repeat(100_000) })],
      ['PUT', '/api/vehicles/1/counters', JSON.stringify({ odometerKm: 1e309 })],
      ['POST', '/api/positions/missing', JSON.stringify({ records: [{ imei: 'x', fixTime: '2026-13-45T99:00:00Z' }] })],
    ]
    for (const [method, path, body] of probes) {
      const answer = await send(system, method, path, json, body)
      expect(answer.status, `${method} ${path} ${body?.slice(0, 40)}`).toBeGreaterThanOrEqual(400)
      expect(answer.status, `${method} ${path} ${body?.slice(0, 40)}`).toBeLessThan(500)
    }
    await expectAlive(target)
  })

  it('puts the security headers on API answers, refusals, unknown routes and the app itself', async () => {
    const { system, cookie } = target
    const responses = await Promise.all([
      fetch(`${system.baseUrl}/api/me`, { headers: { cookie } }),
      fetch(`${system.baseUrl}/api/me`),
      fetch(`${system.baseUrl}/api/no-such-route`),
      fetch(`${system.baseUrl}/`),
      fetch(`${system.baseUrl}/some/client/route`),
    ])
    for (const response of responses) {
      expect(response.headers.get('content-security-policy'), response.url).toMatch(/default-src 'self'.*frame-ancestors 'none'/)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('referrer-policy')).toBe('same-origin')
    }
    // Over plain http and without a proxy saying otherwise, the session cookie is not Secure (it would not be sent back).
    const loggedIn = await send(system, 'POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify(ADMIN))
    expect(loggedIn.headers.get('set-cookie')).not.toMatch(/Secure/)
    await expectAlive(target)
  })
})

describe('writes and live connections from other sites', () => {
  let target: Target
  // Another port of the same host: the same site for cookies (SameSite=Lax sends the session), another origin.
  // It serves the attacker's page, and map tiles: the dashboard's CSP must allow this tile host and no other.
  let otherPort: http.Server
  let otherUrl: string
  const tileRequests: string[] = []
  beforeAll(async () => {
    otherPort = http.createServer((request, response) => {
      if (request.url?.startsWith('/tiles/')) {
        tileRequests.push(request.url)
        response.writeHead(200, { 'content-type': 'image/png' })
        return void response.end(ONE_PIXEL_PNG)
      }
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(attackPage(target.system.baseUrl))
    })
    await new Promise<void>((resolve) => otherPort.listen(0, '127.0.0.1', resolve))
    otherUrl = `http://127.0.0.1:${(otherPort.address() as AddressInfo).port}`
    target = await startTarget('356307042480002', { MAP_TILE_URL: `${otherUrl}/tiles/{z}/{x}/{y}.png` })
  }, 120_000)
  afterAll(async () => {
    await stopTarget(target)
    await new Promise((resolve) => otherPort?.close(resolve))
  })

  const newUser = (email: string) => JSON.stringify({ name: 'Intruder', email, password: 'intruder-pass-1', permissions: { settings: 'edit' } })
  const userEmails = async () => (await apiClient(target.system.baseUrl, target.cookie)<User[]>('GET', '/api/users')).body.map((user) => user.email)

  it('refuses a body that is not application/json, whatever it mentions, with 415', async () => {
    const { system, cookie } = target
    for (const type of ['text/plain; x=json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=json', 'application/json; charset=latin1']) {
      const answer = await send(system, 'POST', '/api/users', { cookie, 'content-type': type }, newUser('typed@example.com'))
      expect(answer.status, type).toBe(415)
    }
    // fetch would label a text body text/plain: this one goes raw, with no Content-Type at all.
    const untyped = Buffer.from(newUser('untyped@example.com'))
    const head = `POST /api/users HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nContent-Length: ${untyped.length}\r\n\r\n`
    expect(await rawStatus(system.ports.http!, head, untyped)).toBe(415)
    expect((await send(system, 'PUT', '/api/settings', { cookie, 'content-type': 'text/plain' }, '{"customerRadiusMi":9}')).status).toBe(415)
    expect(await userEmails()).not.toEqual(expect.arrayContaining(['typed@example.com']))
    expect(await userEmails()).not.toContain('untyped@example.com')
    const created = await send(system, 'POST', '/api/users', { cookie, 'content-type': 'application/json; charset=UTF-8' }, newUser('json@example.com'))
    expect(created.status).toBe(201)
    await expectAlive(target)
  })

  it('takes an empty body with no content type or application/json, and refuses it with another type', async () => {
    const { system, cookie } = target
    const { body: user } = await apiClient(system.baseUrl, cookie)<User>('POST', '/api/users', { name: 'Empty Body', email: 'empty.body@example.com', password: 'empty-body-pass', active: false })
    expect((await send(system, 'POST', `/api/users/${user.id}/activate`, { cookie, 'content-type': 'text/plain' })).status).toBe(415)
    expect((await send(system, 'POST', `/api/users/${user.id}/activate`, { cookie })).status).toBe(200)
    expect((await send(system, 'POST', `/api/users/${user.id}/deactivate`, { cookie, 'content-type': 'application/json' })).status).toBe(200)
    expect((await send(system, 'DELETE', '/api/vehicles/999999', { cookie, 'content-type': 'text/plain' })).status).toBe(415)
  })

  it('refuses writes whose Origin is not the dashboard, or that the browser calls cross-site or same-site, with 403 CROSS_ORIGIN', async () => {
    const { system, cookie } = target
    const json = { cookie, 'content-type': 'application/json' }
    const foreign: Array<Record<string, string>> = [
      { origin: 'http://127.0.0.1:1' },
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: system.baseUrl, 'sec-fetch-site': 'same-site' },
    ]
    for (const headers of foreign) {
      const answer = await send(system, 'POST', '/api/users', { ...json, ...headers }, newUser('cross@example.com'))
      expect(answer.status, JSON.stringify(headers)).toBe(403)
      expect(answer.body?.error?.code).toBe('CROSS_ORIGIN')
    }
    expect((await send(system, 'POST', '/api/login', { 'content-type': 'application/json', origin: 'http://evil.example' }, JSON.stringify(ADMIN))).status).toBe(403)
    expect((await send(system, 'DELETE', '/api/vehicles/1', { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    // Reads too (asking for a device's packets starts logging them); one typed into the address bar is heard.
    expect((await send(system, 'GET', '/api/devices/356307042480002/packets', { cookie, 'sec-fetch-site': 'same-site' })).status).toBe(403)
    expect((await send(system, 'GET', '/api/users', { cookie, 'sec-fetch-site': 'none' })).status).toBe(200)
    expect(await userEmails()).not.toContain('cross@example.com')
    // The dashboard's own pages, and clients that send neither header, are heard.
    const own = await send(system, 'POST', '/api/users', { ...json, origin: system.baseUrl, 'sec-fetch-site': 'same-origin' }, newUser('own.origin@example.com'))
    expect(own.status).toBe(201)
    expect((await send(system, 'PUT', '/api/settings', { ...json, 'sec-fetch-site': 'none' }, '{"customerRadiusMi":0.1}')).status).toBe(200)
    await expectAlive(target)
  })

  it('refuses a live connection from another origin and takes one from the dashboard', async () => {
    const { system, cookie } = target
    expect(await liveHandshake(system.baseUrl, { cookie, origin: 'http://127.0.0.1:1' })).toBe('CROSS_ORIGIN')
    expect(await liveHandshake(system.baseUrl, { cookie, origin: 'http://evil.example' })).toBe('CROSS_ORIGIN')
    expect(await liveHandshake(system.baseUrl, { cookie, origin: system.baseUrl })).toBe('connected')
    expect(await liveHandshake(system.baseUrl, { cookie })).toBe('connected')
    await expectAlive(target)
  })

  describe.skipIf(browserMissing)('in chromium', () => {
    let browser: Browser
    beforeAll(async () => {
      browser = await launchChromium()
    }, 120_000)
    afterAll(() => browser?.close())

    it('does not let a page on another port of the host create an admin with the signed-in user’s cookie', async () => {
      const context = await browser.newContext()
      try {
        const dashboard = await context.newPage()
        const violations = await watchCspViolations(dashboard)
        await dashboard.goto(target.system.baseUrl + '/')
        await dashboard.fill('#login-email', ADMIN.email)
        await dashboard.fill('#login-password', ADMIN.password)
        await dashboard.click('button[type="submit"]')
        await dashboard.locator('[data-connection="connected"]').waitFor({ timeout: 10_000 })
        // The app runs under its CSP: the map's tiles load from the tile host, and nothing is refused.
        await eventually(() => expect(tileRequests.length).toBeGreaterThan(0))
        expect(await violations()).toEqual([])
        // ...and the watch does see what the policy refuses: an image from a host it does not name.
        await dashboard.evaluate(() => void Object.assign(new Image(), { src: 'http://192.0.2.1/probe.png' }))
        await eventually(async () => expect(await violations()).toEqual(expect.arrayContaining([expect.stringMatching(/img-src.*192\.0\.2\.1/)])))

        const page = await context.newPage()
        await page.goto(otherUrl + '/')
        // Every attempt has been answered (or refused by the browser) before the list is read.
        const outcomes = await page.evaluate(() => (window as unknown as { attacks: Promise<string[]> }).attacks)
        expect(outcomes).toHaveLength(3)
        await page.evaluate(() => (document.getElementById('form') as HTMLFormElement).submit())
        await page.waitForURL(`${target.system.baseUrl}/api/users`)
        expect(await page.textContent('body')).toContain('CROSS_ORIGIN')

        expect(await userEmails()).not.toEqual(expect.arrayContaining([expect.stringMatching(/^csrf\./)]))
        await expectAlive(target)
      } finally {
        await context.close()
      }
    }, 60_000)
  })
})

const ONE_PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64')

/** Collects what the page's Content Security Policy refuses: the DOM's violation events and the console's reports. */
async function watchCspViolations(page: Page): Promise<() => Promise<string[]>> {
  const logged: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) logged.push(message.text())
  })
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(window as unknown as { cspViolations: string[] }).cspViolations = seen
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`))
  })
  return async () => [...logged, ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations))]
}

/** The attacker's page: a text/plain fetch, a no-cors fetch and a JSON fetch (preflighted) at the dashboard, then a form POST. */
function attackPage(dashboard: string): string {
  const user = (email: string) => JSON.stringify({ name: 'Intruder', email, password: 'intruder-pass-1', permissions: { settings: 'edit' } })
  return `<!doctype html><html><body>
<form id="form" method="POST" action="${dashboard}/api/users" enctype="text/plain">
  <input name='${user('csrf.form@example.com').slice(0, -1)},"title":"' value='"}'>
</form>
<script>
  const target = ${JSON.stringify(dashboard)} + '/api/users'
  const attempt = (init) => fetch(target, { method: 'POST', credentials: 'include', ...init }).then((r) => 'answered ' + r.status, (e) => 'refused ' + e.message)
  window.attacks = Promise.all([
    attempt({ headers: { 'content-type': 'text/plain; x=json' }, body: ${JSON.stringify(user('csrf.plain@example.com'))} }),
    attempt({ mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(user('csrf.nocors@example.com'))} }),
    attempt({ headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(user('csrf.json@example.com'))} }),
  ])
</script></body></html>`
}

describe('password guessing, the password policy and sessions', () => {
  let target: Target
  let admin: ApiCall
  // A trusted proxy's X-Forwarded-For gives each test its own client address (all really come from 127.0.0.1).
  beforeAll(async () => {
    target = await startTarget('356307042480003', { TRUST_PROXY: 'true' })
    admin = apiClient(target.system.baseUrl, target.cookie)
  }, 120_000)
  afterAll(() => stopTarget(target))

  const attempt = (email: string, password: string, address: string, extra: Record<string, string> = {}) =>
    send(target.system, 'POST', '/api/login', { 'content-type': 'application/json', 'x-forwarded-for': address, ...extra }, JSON.stringify({ email, password }))

  async function createUser(email: string, password: string): Promise<User> {
    const created = await admin<User>('POST', '/api/users', { name: email.split('@')[0], email, password, permissions: { map: 'view' } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    return created.body
  }

  it('answers 429 with Retry-After after five failures for an account, even to the right password, doubling the wait; a success starts it afresh', async () => {
    await createUser('guessed@example.com', 'the-right-password')
    const address = '198.51.100.1'
    for (let i = 0; i < 5; i++) expect((await attempt('guessed@example.com', `wrong-${i}`, address)).status).toBe(401)
    const waits: number[] = []
    for (let i = 0; i < 2; i++) {
      const refused = await attempt('guessed@example.com', 'the-right-password', address)
      expect(refused.status).toBe(429)
      expect(refused.body?.error?.code).toBe('TOO_MANY_ATTEMPTS')
      waits.push(Number(refused.headers.get('retry-after')))
      // Refused tries do not count; once the wait is over the next wrong one is heard, and counted.
      await eventually(async () => expect((await attempt('guessed@example.com', 'wrong-again', address)).status).toBe(401), 10_000, 250)
    }
    expect(waits).toEqual([1, 2])
    await eventually(async () => expect((await attempt('guessed@example.com', 'the-right-password', address)).status).toBe(200), 10_000, 250)
    expect((await attempt('guessed@example.com', 'wrong-after-success', address)).status).toBe(401)
    expect((await attempt('guessed@example.com', 'the-right-password', address)).status).toBe(200)
    await expectAlive(target)
  }, 30_000)

  it('answers 429 to an address after twenty failures, whichever accounts it tries, and not to other addresses', async () => {
    for (let i = 0; i < 20; i++) expect((await attempt(`nobody${i}@example.com`, 'any-password', '203.0.113.9')).status).toBe(401)
    const refused = await attempt('someone.else@example.com', 'any-password', '203.0.113.9')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect((await attempt('someone.else@example.com', 'any-password', '203.0.113.10')).status).toBe(401)
    await expectAlive(target)
  })

  it('sends the session cookie Secure when the trusted proxy says the browser came over https', async () => {
    const overHttps = await attempt(ADMIN.email, ADMIN.password, '192.0.2.1', { 'x-forwarded-proto': 'https' })
    expect(overHttps.headers.get('set-cookie')).toMatch(/; Secure/)
    const overHttp = await attempt(ADMIN.email, ADMIN.password, '192.0.2.1', { 'x-forwarded-proto': 'http' })
    expect(overHttp.headers.get('set-cookie')).not.toMatch(/Secure/)
  })

  it('refuses short, blank and common passwords wherever a password is set, naming the field', async () => {
    const base = { name: 'Weak', email: 'weak@example.com', permissions: { map: 'view' } }
    for (const [password, message] of [
      ['password', /^password: a password has at least 10 characters/],
      ['12345678', /^password: a password has at least 10 characters/],
      [' '.repeat(12), /^password: a password cannot be only spaces/],
      ['password123', /^password: this password is one of the most common/],
      ['1234567890', /^password: this password is one of the most common/],
    ] as const) {
      const answer = await admin<{ error: { message: string } }>('POST', '/api/users', { ...base, password })
      expect(answer.status, password).toBe(400)
      expect(answer.body.error.message, password).toMatch(message)
    }
    const user = await createUser('strong@example.com', 'a-strong-password')
    const weakened = await admin<{ error: { message: string } }>('PUT', `/api/users/${user.id}`, { password: 'qwertyuiop' })
    expect(weakened).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^password: this password is one of the most common/) } } })
  })

  it('ends the other sessions and their live connections when users change their own password, keeping the one they used', async () => {
    const user = await createUser('rotating@example.com', 'first-password-1')
    await admin('PUT', `/api/users/${user.id}`, { permissions: { map: 'view', settings: 'edit' } })
    const credentials = { email: 'rotating@example.com', password: 'first-password-1' }
    const [here, elsewhere] = [await login(target.system.baseUrl, credentials), await login(target.system.baseUrl, credentials)]
    const [hereSocket, elsewhereSocket] = [await connectLive(target.system.baseUrl, here), await connectLive(target.system.baseUrl, elsewhere)]
    try {
      const elsewhereClosed = new Promise<string>((resolve) => elsewhereSocket.once('disconnect', resolve))
      expect((await apiClient(target.system.baseUrl, here)('PUT', `/api/users/${user.id}`, { password: 'second-password-2' })).status).toBe(200)
      expect(await elsewhereClosed).toBe('io server disconnect')
      expect((await apiClient(target.system.baseUrl, elsewhere)('GET', '/api/me')).status).toBe(401)
      expect((await apiClient(target.system.baseUrl, here)('GET', '/api/me')).status).toBe(200)
      // A round trip on the kept socket, after the server closed the other: it was not closed with it.
      await hereSocket.timeout(5000).emitWithAck('watch', { imei: '356307042480003' })
      expect(hereSocket.connected).toBe(true)

      // An admin setting it ends every session of the user, the one they were using too.
      const hereClosed = new Promise<string>((resolve) => hereSocket.once('disconnect', resolve))
      expect((await admin('PUT', `/api/users/${user.id}`, { password: 'third-password-3' })).status).toBe(200)
      expect(await hereClosed).toBe('io server disconnect')
      expect((await apiClient(target.system.baseUrl, here)('GET', '/api/me')).status).toBe(401)
      expect((await admin('GET', '/api/me')).status).toBe(200)
    } finally {
      hereSocket.close()
      elsewhereSocket.close()
    }
  })
})

describe('work before authentication', () => {
  let target: Target
  beforeAll(async () => {
    target = await startTarget('356307042480004')
  }, 120_000)
  afterAll(() => stopTarget(target))

  const deeplyNested = (bytes: number) => Buffer.from('['.repeat(bytes / 2) + ']'.repeat(bytes / 2))
  const head = (path: string, length: number, extra = '') =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`

  it('refuses a 1 MB deeply nested body to the login with 413, unparsed, and devices keep their ACKs', async () => {
    const port = target.system.ports.http!
    const body = deeplyNested(1024 * 1024)
    const statuses = await Promise.all(Array.from({ length: 10 }, () => rawStatus(port, head('/api/login', body.length), body)))
    expect(statuses).toEqual(Array(10).fill(413))
    // Logging out takes no body at all.
    expect(await rawStatus(port, head('/api/logout', 2), Buffer.from('{}'))).toBe(413)
    expect((await send(target.system, 'POST', '/api/logout', {})).status).toBe(204)
    await expectAlive(target)
  })

  it('answers 401 to a body sent without a session, before parsing it', async () => {
    const port = target.system.ports.http!
    // Unbalanced: parsed first, it would be a 400; checked first, the missing session is all that is said.
    const body = Buffer.from('['.repeat(1024 * 1024 - 2))
    expect(await rawStatus(port, head('/api/vehicles', body.length), body)).toBe(401)
    const withBadSession = await rawStatus(port, head('/api/vehicles', body.length, 'Cookie: fw_session=not-a-session\r\n'), body)
    expect(withBadSession).toBe(401)
    await expectAlive(target)
  })

  it('refuses JSON nested deeper than 32 levels from a signed-in user with 400, and takes 32', async () => {
    const { system, cookie } = target
    const json = { cookie, 'content-type': 'application/json' }
    const nested = (depth: number) => `{"name":"Deep","deviceImei":null,"x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`
    const tooDeep = await send(system, 'POST', '/api/vehicles', json, nested(33))
    expect(tooDeep).toMatchObject({ status: 400, body: { error: { code: 'BAD_JSON', message: expect.stringMatching(/deeper than 32/) } } })
    // 32 levels parse; the schema then refuses the unknown field.
    const deepEnough = await send(system, 'POST', '/api/vehicles', json, nested(32))
    expect(deepEnough).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } })
    expect((await rawStatus(system.ports.http!, head('/api/vehicles', 1024 * 1024 + 2, `Cookie: ${cookie}\r\n`), deeplyNested(1024 * 1024 + 2)))).toBe(413)
    await expectAlive(target)
  })
})

describe('a dashboard published at an https address', () => {
  let target: Target
  beforeAll(async () => {
    target = await startTarget('356307042480005', { PUBLIC_URL: 'https://fleet.example.com' })
  }, 120_000)
  afterAll(() => stopTarget(target))

  it('sends a Secure session cookie and takes writes from that origin only', async () => {
    const { system, cookie } = target
    const loggedIn = await send(system, 'POST', '/api/login', { 'content-type': 'application/json', origin: 'https://fleet.example.com' }, JSON.stringify(ADMIN))
    expect(loggedIn.status).toBe(200)
    expect(loggedIn.headers.get('set-cookie')).toMatch(/; Secure/)
    const json = { cookie, 'content-type': 'application/json' }
    expect((await send(system, 'PUT', '/api/settings', { ...json, origin: system.baseUrl }, '{"customerRadiusMi":0.2}')).status).toBe(403)
    expect((await send(system, 'PUT', '/api/settings', { ...json, origin: 'https://fleet.example.com' }, '{"customerRadiusMi":0.2}')).status).toBe(200)
    expect(await liveHandshake(system.baseUrl, { cookie, origin: system.baseUrl })).toBe('CROSS_ORIGIN')
    expect(await liveHandshake(system.baseUrl, { cookie, origin: 'https://fleet.example.com' })).toBe('connected')
    await expectAlive(target)
  })
})
