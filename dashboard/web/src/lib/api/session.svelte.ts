/** Who is logged in. The session itself is an httpOnly cookie the server sets; we only learn the user. */
import type { LoginRequest, Me } from '../../../../shared/contract.ts'
import * as api from './client.ts'

export type SessionState = 'checking' | 'signedOut' | 'signedIn'

export class Session {
  user = $state<Me | null>(null)
  checked = $state(false)
  /** Why the last session check failed, for the login page; null when it simply found no session. */
  problem = $state<string | null>(null)

  state: SessionState = $derived(!this.checked ? 'checking' : this.user ? 'signedIn' : 'signedOut')

  constructor() {
    api.whenUnauthorized(() => {
      this.user = null
    })
  }

  /**
   * Asks the server who we are; a 401 just means nobody is logged in. A server that cannot tell for now
   * (unreachable, or its database away: 503) has not signed anyone out: a signed-in user stays on the page.
   */
  async check(): Promise<void> {
    try {
      this.user = await api.get<Me>('/api/me')
      this.problem = null
    } catch (error) {
      const undecided = error instanceof api.ApiError && (error.status === 0 || error.status === 503)
      if (!undecided) this.user = null
      this.problem = error instanceof api.ApiError && error.status === 401 ? null : api.userMessage(error)
    } finally {
      this.checked = true
    }
  }

  /** Throws an `ApiError` whose message the login form shows. */
  async login(email: string, password: string): Promise<void> {
    const credentials: LoginRequest = { email, password }
    this.user = await api.post<Me>('/api/login', credentials)
    this.problem = null
  }

  async logout(): Promise<void> {
    try {
      await api.post('/api/logout')
    } finally {
      this.user = null
    }
  }
}
