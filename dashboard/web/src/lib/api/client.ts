/** The one way the web app talks to `/api`: JSON in and out, the session cookie, typed errors. */
import { API_ERRORS } from '../../../../shared/api-errors.ts'
import type { ApiError as ApiErrorBody, ApiErrorCode } from '../../../../shared/contract.ts'

/**
 * What went wrong: a code the server answered, or one the client sets itself — `NETWORK` when the server could
 * not be reached, `HTTP_ERROR` when something other than the API answered (a proxy's error page).
 */
export type ErrorCode = ApiErrorCode | 'NETWORK' | 'HTTP_ERROR'

/** A failed API call; `message` is written for the user. `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  override readonly name = 'ApiError'

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
  }
}

let onUnauthorized: () => void = () => {}

/** Called whenever the server answers 401: the session is gone and the user must log in again. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler
}

export function get<T>(path: string): Promise<T> {
  return request<T>('GET', path)
}

export function post<T>(path: string, body?: unknown): Promise<T> {
  return request<T>('POST', path, body)
}

/** A message to show for any error thrown while calling the API. */
export function userMessage(error: unknown): string {
  return error instanceof ApiError ? error.message : 'Something went wrong. Please try again.'
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } }
  if (body !== undefined) {
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' }
    init.body = JSON.stringify(body)
  }
  let response: Response
  try {
    response = await fetch(path, init)
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check your connection and try again.')
  }
  const payload = await readJson(response)
  if (response.ok) return payload as T
  if (response.status === 401) onUnauthorized()
  throw toApiError(response, payload)
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text()
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function toApiError(response: Response, payload: unknown): ApiError {
  if (isApiErrorBody(payload)) return new ApiError(response.status, payload.error.code, payload.error.message)
  const reason = response.statusText ? `${response.status} ${response.statusText}` : String(response.status)
  return new ApiError(response.status, 'HTTP_ERROR', `The server answered ${reason}. Please try again.`)
}

function isApiErrorBody(payload: unknown): payload is ApiErrorBody {
  if (typeof payload !== 'object' || payload === null || !('error' in payload)) return false
  const { error } = payload
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' &&
    'code' in error && typeof error.code === 'string' && Object.hasOwn(API_ERRORS, error.code)
}

export function put<T>(path: string, body: unknown): Promise<T> {
  return request<T>('PUT', path, body)
}

export function del<T = undefined>(path: string): Promise<T> {
  return request<T>('DELETE', path)
}

/** Saves a record of a collection: `PUT path/id` when editing the record `id`, `POST path` when `id` is null (a new one). */
export function saveResource<T>(path: string, id: number | null, body: unknown): Promise<T> {
  return id === null ? post<T>(path, body) : put<T>(`${path}/${id}`, body)
}
