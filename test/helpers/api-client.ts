import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '../../dashboard/shared/contract.ts'

export interface ApiAnswer<T = unknown> {
  status: number
  body: T
}

export type ApiCall = <T = unknown>(method: string, path: string, body?: unknown) => Promise<ApiAnswer<T>>

/** Calls the running system's API as the user of this session cookie (none: anonymous); JSON in and out. */
export function apiClient(baseUrl: string, cookie?: string): ApiCall {
  return async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T }
  }
}

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>

/**
 * A connected socket.io client of this session cookie. `listen` adds handlers before the connection opens,
 * for events the server sends the moment it does.
 */
export async function connectLive(baseUrl: string, cookie: string, listen: (socket: LiveClient) => void = () => {}): Promise<LiveClient> {
  const socket: LiveClient = io(baseUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false })
  listen(socket)
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject))
  return socket
}
