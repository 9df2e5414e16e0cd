import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeLiveSocket } from '../../../../../test/helpers/fake-live-socket.ts'
import { makeAlert, makeAlertRule } from '../../../../../test/helpers/alerts.ts'
import { AlertFeed } from './alert-feed.svelte.ts'

const rule = makeAlertRule()

function serve(routes: Record<string, () => Response>) {
  const fetch = vi.fn(async (path: string, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${path.split('?')[0]}`
    const route = routes[key]
    return route ? route() : new Response('{"error":{"code":"NOT_FOUND","message":"No such API route"}}', { status: 404 })
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}

const json = (body: unknown, status = 200) => () => new Response(JSON.stringify(body), { status })

afterEach(() => vi.unstubAllGlobals())

describe('AlertFeed', () => {
  it('loads the alerts its rules show this user, then puts live ones on top', async () => {
    serve({
      'GET /api/alerts': json([makeAlert({ id: 2 }), makeAlert({ id: 1, type: 'harshBraking' })]),
      'GET /api/alert-rules': json([rule]),
    })
    const socket = new FakeLiveSocket()
    const feed = new AlertFeed(socket.live, 7)
    await feed.load()
    expect(feed.items.map((a) => a.id)).toEqual([2])
    socket.emit('alert', makeAlert({ id: 3 }))
    expect(feed.items.map((a) => a.id)).toEqual([3, 2])
    expect(feed.fresh.has(3)).toBe(true)
    expect(feed.unacknowledged).toBe(2)
  })

  it('shows every listed alert when the rules cannot be read', async () => {
    serve({ 'GET /api/alerts': json([makeAlert({ id: 2 }), makeAlert({ id: 1, type: 'harshBraking' })]), 'GET /api/alert-rules': json({ error: { code: 'FORBIDDEN', message: 'No' } }, 403) })
    const feed = new AlertFeed(new FakeLiveSocket().live, 7)
    await feed.load()
    expect(feed.items).toHaveLength(2)
  })

  it('marks a listed alert cleared, and ignores the clearing of one it never showed', async () => {
    serve({ 'GET /api/alerts': json([makeAlert({ id: 2 })]), 'GET /api/alert-rules': json([rule]) })
    const socket = new FakeLiveSocket()
    const feed = new AlertFeed(socket.live, 7)
    await feed.load()
    socket.emit('alertCleared', makeAlert({ id: 2, clearedAt: '2026-11-22T08:05:00Z' }))
    socket.emit('alertCleared', makeAlert({ id: 9, clearedAt: '2026-11-22T08:05:00Z' }))
    expect(feed.items.map((a) => [a.id, a.clearedAt])).toEqual([[2, '2026-11-22T08:05:00Z']])
  })

  it('acknowledges through the API and keeps the server message when it fails', async () => {
    serve({
      'GET /api/alerts': json([makeAlert({ id: 2 }), makeAlert({ id: 3 })]),
      'GET /api/alert-rules': json([rule]),
      'POST /api/alerts/2/acknowledge': json(makeAlert({ id: 2, acknowledgedAt: '2026-11-22T08:01:00Z' })),
      'POST /api/alerts/3/acknowledge': json({ error: { code: 'FORBIDDEN', message: 'Your access to the map is view only' } }, 403),
    })
    const feed = new AlertFeed(new FakeLiveSocket().live, 7)
    await feed.load()
    await feed.acknowledge(2)
    await feed.acknowledge(3)
    expect(feed.items.find((a) => a.id === 2)?.acknowledgedAt).toBe('2026-11-22T08:01:00Z')
    expect(feed.failures.get(3)).toBe('Your access to the map is view only')
    expect(feed.pending.size).toBe(0)
    expect(feed.unacknowledged).toBe(1)
  })

  it('explains a failed load', async () => {
    serve({ 'GET /api/alerts': json({ error: { code: 'INTERNAL', message: 'The database is unavailable' } }, 500) })
    const feed = new AlertFeed(new FakeLiveSocket().live, 7)
    await feed.load()
    expect(feed.loadError).toBe('The database is unavailable')
    expect(feed.loaded).toBe(true)
  })
})
