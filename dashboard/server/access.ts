import { MODULE_LABELS, type AccessLevel, type Module, type Permissions } from '../shared/contract.ts'
import { ApiError } from './http.ts'

/** What a route needs: nothing (login), a signed-in user, or view or edit access to one module. */
export type RouteAccess = 'public' | 'signedIn' | ModuleAccess
export interface ModuleAccess {
  module: Module
  level: Exclude<AccessLevel, 'none'>
  /** A second module whose access at `level` will do as well. */
  orModule?: Module
}

const view = (module: Module, orModule?: Module): ModuleAccess => ({ module, level: 'view', ...(orModule ? { orModule } : {}) })
const edit = (module: Module): ModuleAccess => ({ module, level: 'edit' })

/**
 * Every API route and what it needs, in one table: reading needs view access to the route's module,
 * writing needs edit access (`READS_BY_POST` lists the POSTs that only read). Live tracking (map, devices and their packets, alerts) is the Map module;
 * configuring it (vehicles, devices, groups, alert rules, settings, office users) is Settings.
 * `registerApi` registers exactly these routes and refuses to start if one is missing on either side,
 * and the permission test walks this table, so a new route cannot go unchecked.
 * The vehicle and device lists are read by Settings pages too (assigning devices, choosing vehicles
 * for rules, groups and users), so Settings view opens them as well as Map view.
 * Which vehicles a user sees in them (visibility) is decided on top of this, by `Visibility`.
 */
export const API_ROUTES = {
  'POST /api/login': 'public',
  'POST /api/logout': 'public',
  'GET /api/me': 'signedIn',
  'GET /api/settings/map': 'signedIn',
  'GET /api/settings/thresholds': view('map', 'settings'),

  'GET /api/devices': view('map', 'settings'),
  'GET /api/devices/:imei/positions': view('map'),
  'GET /api/devices/:imei/packets': view('map'),
  'GET /api/devices/:imei/quarantine': view('map'),
  // A read sent as POST: the list of records to look up is too long for a URL.
  'POST /api/positions/missing': view('map'),
  'GET /api/gateway/stats': view('map'),
  'GET /api/vehicles': view('map', 'settings'),
  'GET /api/vehicles/:id': view('map', 'settings'),
  'GET /api/alerts': view('map'),
  'POST /api/alerts/:id/acknowledge': edit('map'),

  'POST /api/devices': edit('settings'),
  'POST /api/vehicles': edit('settings'),
  'PUT /api/vehicles/:id': edit('settings'),
  'DELETE /api/vehicles/:id': edit('settings'),
  'PUT /api/vehicles/:id/counters': edit('settings'),
  'GET /api/vehicle-groups': view('settings'),
  'GET /api/vehicle-groups/:id': view('settings'),
  'POST /api/vehicle-groups': edit('settings'),
  'PUT /api/vehicle-groups/:id': edit('settings'),
  'DELETE /api/vehicle-groups/:id': edit('settings'),
  'GET /api/alert-rules': view('settings'),
  'GET /api/alert-rules/:id': view('settings'),
  'POST /api/alert-rules': edit('settings'),
  'PUT /api/alert-rules/:id': edit('settings'),
  'DELETE /api/alert-rules/:id': edit('settings'),
  'GET /api/notifications/stats': view('settings'),
  'GET /api/settings': view('settings'),
  'PUT /api/settings': edit('settings'),
  'GET /api/users': view('settings'),
  'GET /api/users/licenses': view('settings'),
  'GET /api/users/:id': view('settings'),
  'POST /api/users': edit('settings'),
  'PUT /api/users/:id': edit('settings'),
  'POST /api/users/:id/activate': edit('settings'),
  'POST /api/users/:id/deactivate': edit('settings'),

  'GET /api/customers': view('customers'),
  'GET /api/customers/:id': view('customers'),
  'GET /api/customers/:id/locations': view('customers'),
  'POST /api/customers': edit('customers'),
  'POST /api/customers/:id/locations': edit('customers'),
} as const satisfies Record<string, RouteAccess>

/** POST routes that change nothing: their body is a query too long for a URL. They need view access. */
export const READS_BY_POST: ReadonlySet<RouteKey> = new Set<RouteKey>(['POST /api/positions/missing'])

export type RouteKey = keyof typeof API_ROUTES
export type PublicRouteKey = { [K in RouteKey]: (typeof API_ROUTES)[K] extends 'public' ? K : never }[RouteKey]
export type UserRouteKey = Exclude<RouteKey, PublicRouteKey>

const RANK: Record<AccessLevel, number> = { none: 0, view: 1, edit: 2 }

export function hasAccess(permissions: Permissions, needed: ModuleAccess): boolean {
  const enough = (module: Module) => RANK[permissions[module]] >= RANK[needed.level]
  return enough(needed.module) || (needed.orModule !== undefined && enough(needed.orModule))
}

/** 403 naming the module and what the user has: "You have view access to Settings; editing needs edit access". */
export function accessDenied(permissions: Permissions, needed: ModuleAccess): ApiError | null {
  if (hasAccess(permissions, needed)) return null
  const needs = needed.level === 'edit' ? 'editing needs edit access' : 'viewing needs view access'
  if (needed.orModule !== undefined) {
    // Only `view` routes have a second module, so a user refused one has no access to either.
    return new ApiError('FORBIDDEN', `You have no access to ${MODULE_LABELS[needed.module]} or ${MODULE_LABELS[needed.orModule]}; ${needs} to one of them`)
  }
  const label = MODULE_LABELS[needed.module]
  const has = permissions[needed.module] === 'none' ? `no access to ${label}` : `${permissions[needed.module]} access to ${label}`
  return new ApiError('FORBIDDEN', `You have ${has}; ${needs}`)
}
