/**
 * What the dashboard asks of browsers and checks of them: the origin an API request or a live
 * connection comes from, whether it came over https, and the security headers on every response.
 */

/** How the dashboard is reached: set from `PUBLIC_URL` and `TRUST_PROXY`. */
export interface WebSecurity {
  /** The dashboard's origin (`https://fleet.example.com`); unset: `http://` and the request's Host header. */
  publicOrigin?: string
  /** Behind a reverse proxy: believe its `X-Forwarded-Proto` and `X-Forwarded-For`. */
  trustProxy: boolean
  /** The headers every response carries (`securityHeaders`). */
  headers: ReadonlyArray<readonly [string, string]>
}

/** The request headers the checks read; names lower-case, a header not sent is ''. */
export interface RequestHeaders {
  host: string
  origin: string
  secFetchSite: string
  forwardedProto: string
}

export function webSecurity(options: { publicUrl?: string; trustProxy: boolean; tileUrl: string }): WebSecurity {
  return {
    ...(options.publicUrl ? { publicOrigin: new URL(options.publicUrl).origin } : {}),
    trustProxy: options.trustProxy,
    headers: securityHeaders(options.tileUrl),
  }
}

/** Whether the browser reached the dashboard over https: `PUBLIC_URL` says so, or a trusted proxy does. */
export function isHttps(security: WebSecurity, headers: Pick<RequestHeaders, 'forwardedProto'>): boolean {
  if (security.publicOrigin?.startsWith('https:')) return true
  return security.trustProxy && headers.forwardedProto.split(',')[0]!.trim().toLowerCase() === 'https'
}

/**
 * Why an API request or a live connection is refused as coming from another site, or null. Browsers send
 * `Origin` on writes and cross-origin requests and `Sec-Fetch-Site` on all of them; clients that are not
 * browsers (scripts, the simulator's `--verify`) send neither and are let through, since without a
 * browser's ambient cookies there is no forgery to stop.
 */
export function crossOriginRefusal(security: WebSecurity, headers: RequestHeaders): string | null {
  const site = headers.secFetchSite.toLowerCase()
  if (site !== '' && site !== 'same-origin' && site !== 'none') return `the browser says this request comes from another site (Sec-Fetch-Site: ${site.slice(0, 40)})`
  if (headers.origin === '') return null
  const expected = expectedOrigin(security, headers)
  if (headers.origin.toLowerCase() === expected.toLowerCase()) return null
  return `requests from ${headers.origin.slice(0, 200)} are not accepted; the dashboard is ${expected}`
}

function expectedOrigin(security: WebSecurity, headers: RequestHeaders): string {
  if (security.publicOrigin) return security.publicOrigin
  return `${isHttps(security, headers) ? 'https' : 'http'}://${headers.host}`
}

/**
 * The headers on every response: the app's own scripts and styles only (Leaflet and Svelte set styles
 * through the DOM, which CSP allows), map tiles from the configured tile host, no framing, no sniffing,
 * and no full URLs leaking to other sites in `Referer`.
 */
export function securityHeaders(tileUrl: string): Array<readonly [string, string]> {
  const tileSource = tileSourceOf(tileUrl)
  const policy = [
    "default-src 'self'",
    `img-src 'self' data:${tileSource ? ` ${tileSource}` : ''}`,
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
  return [
    ['Content-Security-Policy', policy],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'same-origin'],
  ]
}

/**
 * The CSP source for a Leaflet tile template: `https://{s}.tile.example.org/{z}/{x}/{y}.png` gives
 * `https://*.tile.example.org`. A placeholder elsewhere in the host cannot be expressed as a CSP host,
 * so the whole scheme is allowed then; an empty template (no tile layer) or one CSP cannot name, none.
 */
export function tileSourceOf(tileUrl: string): string | null {
  const match = /^(https?):\/\/([^/?#]+)/i.exec(tileUrl.trim())
  if (!match) return null
  const scheme = match[1]!.toLowerCase()
  const [first, ...rest] = match[2]!.split('.')
  if (rest.some((label) => label.includes('{'))) return `${scheme}:`
  return `${scheme}://${[first!.includes('{') ? '*' : first, ...rest].join('.')}`
}
