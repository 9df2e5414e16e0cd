import { describe, expect, it } from 'vitest'
import { crossOriginRefusal, isHttps, securityHeaders, tileSourceOf, webSecurity } from './web-security.ts'

const request = (over: Partial<{ host: string; origin: string; secFetchSite: string; forwardedProto: string }> = {}) => ({
  host: '127.0.0.1:8080', origin: '', secFetchSite: '', forwardedProto: '', ...over,
})

describe('the origin of writes and live connections', () => {
  const local = webSecurity({ trustProxy: false, tileUrl: '' })
  const published = webSecurity({ publicUrl: 'https://fleet.example.com', trustProxy: false, tileUrl: '' })

  it('lets through clients that send neither Origin nor Sec-Fetch-Site (scripts, the simulator)', () => {
    expect(crossOriginRefusal(local, request())).toBeNull()
    expect(crossOriginRefusal(published, request())).toBeNull()
  })

  it('takes the request Host over http as the origin when PUBLIC_URL is unset', () => {
    expect(crossOriginRefusal(local, request({ origin: 'http://127.0.0.1:8080', secFetchSite: 'same-origin' }))).toBeNull()
    expect(crossOriginRefusal(local, request({ origin: 'http://127.0.0.1:9999' }))).toMatch(/http:\/\/127\.0\.0\.1:9999.*http:\/\/127\.0\.0\.1:8080/)
    expect(crossOriginRefusal(local, request({ origin: 'null' }))).not.toBeNull()
  })

  it('takes PUBLIC_URL as the origin when set', () => {
    expect(crossOriginRefusal(published, request({ host: 'internal:8080', origin: 'https://fleet.example.com' }))).toBeNull()
    expect(crossOriginRefusal(published, request({ host: 'internal:8080', origin: 'http://internal:8080' }))).not.toBeNull()
  })

  it('refuses what the browser calls cross-site or same-site, and takes same-origin and user-initiated', () => {
    expect(crossOriginRefusal(local, request({ secFetchSite: 'cross-site' }))).toMatch(/cross-site/)
    expect(crossOriginRefusal(local, request({ secFetchSite: 'same-site' }))).toMatch(/same-site/)
    expect(crossOriginRefusal(local, request({ secFetchSite: 'none' }))).toBeNull()
  })

  it('trusts X-Forwarded-Proto only from a trusted proxy', () => {
    expect(isHttps(local, { forwardedProto: 'https' })).toBe(false)
    expect(isHttps(webSecurity({ trustProxy: true, tileUrl: '' }), { forwardedProto: 'https' })).toBe(true)
    expect(isHttps(published, { forwardedProto: '' })).toBe(true)
    expect(crossOriginRefusal(webSecurity({ trustProxy: true, tileUrl: '' }), request({ origin: 'https://127.0.0.1:8080', forwardedProto: 'https' }))).toBeNull()
  })
})

describe('security headers', () => {
  it('allows map tiles from the tile host only', () => {
    expect(tileSourceOf('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe('https://tile.openstreetmap.org')
    expect(tileSourceOf('https://{s}.tile.example.org:8443/{z}/{x}/{y}.png')).toBe('https://*.tile.example.org:8443')
    expect(tileSourceOf('https://tiles.{s}.example.org/{z}.png')).toBe('https:')
    expect(tileSourceOf('')).toBeNull()
    const csp = new Map(securityHeaders('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).get('Content-Security-Policy')
    expect(csp).toContain("img-src 'self' data: https://tile.openstreetmap.org;")
    expect(csp).toContain("frame-ancestors 'none'")
  })
})
