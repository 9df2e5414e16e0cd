/** What the signed-in user may see and change: the UI hides or disables what the server would refuse anyway. */
import type { AccessLevel, Me, Module } from '../../../../shared/contract.ts'
import type { NavPage, Page } from './route.ts'

const RANK: Record<AccessLevel, number> = { none: 0, view: 1, edit: 2 }

export function canView(user: Pick<Me, 'permissions'>, module: Module): boolean {
  return RANK[user.permissions[module] ?? 'none'] >= RANK.view
}

export function canEdit(user: Pick<Me, 'permissions'>, module: Module): boolean {
  return RANK[user.permissions[module] ?? 'none'] >= RANK.edit
}

/**
 * The module each page belongs to. Live tracking (map, devices, alerts) is the Map module; configuring it
 * (vehicles, vehicle groups, alert rules, office users) is Settings, where office staff expect it ("Settings > Vehicle Tracking").
 */
export const PAGE_MODULE: Readonly<Record<Page, Module>> = {
  map: 'map',
  devices: 'map',
  device: 'map',
  alerts: 'map',
  vehicles: 'settings',
  groups: 'settings',
  users: 'settings',
}

export interface NavItem {
  page: NavPage
  label: string
}

/** The top navigation, in order; `device` is reached from Devices. */
export const NAV_ITEMS: readonly NavItem[] = [
  { page: 'map', label: 'Map' },
  { page: 'devices', label: 'Devices' },
  { page: 'alerts', label: 'Alerts' },
  { page: 'vehicles', label: 'Vehicles' },
  { page: 'groups', label: 'Vehicle groups' },
  { page: 'users', label: 'Office users' },
]

export function mayOpen(user: Pick<Me, 'permissions'>, page: Page): boolean {
  return canView(user, PAGE_MODULE[page])
}

export function navFor(user: Pick<Me, 'permissions'>): NavItem[] {
  return NAV_ITEMS.filter((item) => mayOpen(user, item.page))
}

/** Where to land: the first page the user may open, or null when there is none. */
export function landingPage(user: Pick<Me, 'permissions'>): NavPage | null {
  return navFor(user)[0]?.page ?? null
}

/** Specific actions, named once so components do not repeat the module rules. */
export const can = {
  acknowledgeAlerts: (user: Pick<Me, 'permissions'>) => canEdit(user, 'map'),
  registerDevices: (user: Pick<Me, 'permissions'>) => canEdit(user, 'settings'),
  editVehicles: (user: Pick<Me, 'permissions'>) => canEdit(user, 'settings'),
  editVehicleGroups: (user: Pick<Me, 'permissions'>) => canEdit(user, 'settings'),
  viewAlertRules: (user: Pick<Me, 'permissions'>) => canView(user, 'settings'),
  editAlertRules: (user: Pick<Me, 'permissions'>) => canEdit(user, 'settings'),
  editUsers: (user: Pick<Me, 'permissions'>) => canEdit(user, 'settings'),
}
