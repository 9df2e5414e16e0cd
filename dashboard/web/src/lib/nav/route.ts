/** Hash routes of the signed-in app, parsed and written in one place: `#/map`, `#/devices/<imei>`, `#/alerts/rules`. */

export const PAGES = ['map', 'devices', 'device', 'alerts', 'vehicles', 'groups', 'users'] as const
export type Page = (typeof PAGES)[number]

export type AlertsTab = 'history' | 'rules'

export type Route =
  | { page: 'map' }
  | { page: 'devices' }
  | { page: 'device'; imei: string }
  | { page: 'alerts'; tab: AlertsTab }
  | { page: 'vehicles' }
  | { page: 'groups' }
  | { page: 'users' }

/** A hash that names no page (or nothing): null, and the app shows the landing page. */
export function parseRoute(hash: string): Route | null {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((part) => part !== '').map(safeDecode)
  const [head, next] = parts
  switch (head) {
    case 'map':
    case 'vehicles':
    case 'groups':
    case 'users':
      return { page: head }
    case 'devices':
      return next ? { page: 'device', imei: next } : { page: 'devices' }
    case 'alerts':
      return { page: 'alerts', tab: next === 'rules' ? 'rules' : 'history' }
    default:
      return null
  }
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'device':
      return `#/devices/${encodeURIComponent(route.imei)}`
    case 'alerts':
      return route.tab === 'rules' ? '#/alerts/rules' : '#/alerts'
    default:
      return `#/${route.page}`
  }
}

/** A page reached from the navigation: every page but a single device's. */
export type NavPage = Exclude<Page, 'device'>

/** The route of a navigation page, on its first tab. */
export function routeFor(page: NavPage): Route {
  return page === 'alerts' ? { page, tab: 'history' } : { page }
}

export function pageHref(page: NavPage): string {
  return hrefFor(routeFor(page))
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}
