import { describe, expect, it } from 'vitest'
import { hrefFor, pageHref, parseRoute, type Route } from './route.ts'

describe('routes', () => {
  it('parses each page', () => {
    expect(parseRoute('#/map')).toEqual({ page: 'map' })
    expect(parseRoute('#/devices')).toEqual({ page: 'devices' })
    expect(parseRoute('#/devices/356307042440007')).toEqual({ page: 'device', imei: '356307042440007' })
    expect(parseRoute('#/alerts')).toEqual({ page: 'alerts', tab: 'history' })
    expect(parseRoute('#/alerts/rules')).toEqual({ page: 'alerts', tab: 'rules' })
    expect(parseRoute('#/vehicles')).toEqual({ page: 'vehicles' })
    expect(parseRoute('#/groups')).toEqual({ page: 'groups' })
    expect(parseRoute('#/users')).toEqual({ page: 'users' })
  })

  it('answers null for an empty or unknown hash, so the landing page shows', () => {
    expect(parseRoute('')).toBeNull()
    expect(parseRoute('#/')).toBeNull()
    expect(parseRoute('#/reports')).toBeNull()
  })

  it('accepts a hash without the slash and with a trailing one', () => {
    expect(parseRoute('#map')).toEqual({ page: 'map' })
    expect(parseRoute('#/devices/')).toEqual({ page: 'devices' })
  })

  it('writes hrefs that parse back to the same route', () => {
    const routes: Route[] = [
      { page: 'map' },
      { page: 'device', imei: 'a b/c' },
      { page: 'alerts', tab: 'rules' },
      { page: 'alerts', tab: 'history' },
      { page: 'users' },
    ]
    for (const route of routes) expect(parseRoute(hrefFor(route))).toEqual(route)
    expect(pageHref('alerts')).toBe('#/alerts')
    expect(pageHref('vehicles')).toBe('#/vehicles')
  })

  it('keeps a malformed escape as typed', () => {
    expect(parseRoute('#/devices/%E0%A4%A')).toEqual({ page: 'device', imei: '%E0%A4%A' })
  })
})
