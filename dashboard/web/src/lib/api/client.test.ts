import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ApiError as ApiErrorBody, ApiErrorCode } from '../../../../shared/contract.ts'
import { ApiError, get, post, saveResource, userMessage, whenUnauthorized } from './client.ts'

function answer(status: number, body: string) {
  const fetch = vi.fn<typeof globalThis.fetch>(async () => new Response(body === '' ? null : body, { status }))
  vi.stubGlobal('fetch', fetch)
  return fetch
}

/** An error answer as the API writes it; the code must be one the API has. */
function apiErrorBody(code: ApiErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } } satisfies ApiErrorBody)
}

afterEach(() => {
  vi.unstubAllGlobals()
  whenUnauthorized(() => {})
})

describe('api', () => {
  it('sends JSON with the same-origin session cookie and returns the parsed answer', async () => {
    const fetch = answer(200, '{"id":1,"email":"ops@example.com","name":"Ops"}')
    const me = await post<{ email: string }>('/api/login', { email: 'ops@example.com', password: 'secret' })

    expect(me.email).toBe('ops@example.com')
    expect(fetch).toHaveBeenCalledWith('/api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: '{"email":"ops@example.com","password":"secret"}',
    })
  })

  it('returns undefined for an empty answer', async () => {
    answer(204, '')
    await expect(post('/api/logout')).resolves.toBeUndefined()
  })

  it('throws the server error code and message as an ApiError', async () => {
    answer(409, apiErrorBody('EMAIL_TAKEN', 'Another user already has the email ops@example.com'))
    const error = await post('/api/users', {}).catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 409, code: 'EMAIL_TAKEN', message: 'Another user already has the email ops@example.com' })
    expect(userMessage(error)).toBe('Another user already has the email ops@example.com')
  })

  it('reads an error answer whose code the API does not have as not from the API', async () => {
    answer(400, '{"error":{"code":"INVALID_INPUT","message":"Email is not valid"}}')
    await expect(get('/api/devices')).rejects.toMatchObject({ status: 400, code: 'HTTP_ERROR' })
  })

  it('explains an error answer that is not in the API error shape', async () => {
    answer(502, '<html>Bad Gateway</html>')
    await expect(get('/api/devices')).rejects.toMatchObject({ status: 502, code: 'HTTP_ERROR' })
  })

  it('tells the unauthorized handler about a 401, and still throws', async () => {
    answer(401, apiErrorBody('UNAUTHENTICATED', 'Please log in'))
    const onUnauthorized = vi.fn()
    whenUnauthorized(onUnauthorized)

    await expect(get('/api/me')).rejects.toMatchObject({ status: 401, message: 'Please log in' })
    expect(onUnauthorized).toHaveBeenCalledOnce()
  })

  it('reports an unreachable server with status 0', async () => {
    vi.stubGlobal('fetch', async () => Promise.reject(new TypeError('Failed to fetch')))
    await expect(get('/api/me')).rejects.toMatchObject({ status: 0, code: 'NETWORK' })
  })

  it('saves a new record with POST to the collection and an edited one with PUT to its own path', async () => {
    const fetch = answer(200, '{"id":7}')
    await saveResource('/api/vehicles', null, { name: 'Van 1' })
    await saveResource('/api/vehicles', 7, { name: 'Van 7' })

    expect(fetch.mock.calls.map(([path, init]) => [init?.method, path, init?.body])).toEqual([
      ['POST', '/api/vehicles', '{"name":"Van 1"}'],
      ['PUT', '/api/vehicles/7', '{"name":"Van 7"}'],
    ])
  })

  it('has a generic message for errors that are not from the API', () => {
    expect(userMessage(new Error('boom'))).toBe('Something went wrong. Please try again.')
  })
})
