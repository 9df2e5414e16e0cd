/**
 * Office users as the users API sends and takes them, and the checks the add/edit form makes before
 * saving. The payload types live here until the contract names them; they follow `Me`.
 */
import { ACCESS_LEVELS, MODULES, type AccessLevel, type Me, type Module, type Permissions, type VehicleVisibility } from '../../../shared/contract.ts'

/** One element of `GET /api/users`. */
export interface OfficeUser {
  id: number
  email: string
  name: string
  phone?: string | null
  /** Holds an office user licence: may log in (the seeds' "Permissions: YES"). */
  active: boolean
  permissions: Permissions
  visibility: VehicleVisibility
}

/** Body of `POST /api/users`; `PUT /api/users/:id` takes the same (a blank password keeps the current one). */
export interface OfficeUserInput {
  name: string
  email: string
  phone?: string
  password?: string
  permissions: Permissions
  visibility: VehicleVisibility
}

/** One element of `GET /api/vehicle-groups`. */
export interface VehicleGroup {
  id: number
  name: string
  vehicleIds: number[]
}

export const MODULE_LABELS: Readonly<Record<Module, string>> = {
  map: 'Map',
  customers: 'Customers',
  schedule: 'Schedule',
  estimates: 'Estimates',
  invoices: 'Invoices',
  timesheets: 'Timesheets',
  reports: 'Reports',
  settings: 'Settings',
}

export const ACCESS_LABELS: Readonly<Record<AccessLevel, string>> = { none: 'None', view: 'View', edit: 'Edit' }

export { ACCESS_LEVELS, MODULES }

export function uniformPermissions(level: AccessLevel): Permissions {
  return Object.fromEntries(MODULES.map((module) => [module, level])) as Permissions
}

/** A new user starts seeing the map and nothing else, until someone grants more. */
export const NEW_USER_PERMISSIONS: Permissions = { ...uniformPermissions('none'), map: 'view' }

/** Whether any module is more than none: the list's "Permissions" column. */
export function hasAnyAccess(permissions: Permissions): boolean {
  return MODULES.some((module) => permissions[module] !== 'none')
}

export interface UserDraft {
  name: string
  email: string
  phone: string
  password: string
  permissions: Permissions
  visibility: VehicleVisibility
}

export function draftFor(user: OfficeUser | null): UserDraft {
  if (user === null) return { name: '', email: '', phone: '', password: '', permissions: { ...NEW_USER_PERMISSIONS }, visibility: { kind: 'all' } }
  return {
    name: user.name,
    email: user.email,
    phone: user.phone ?? '',
    password: '',
    permissions: { ...user.permissions },
    visibility: user.visibility.kind === 'all' ? { kind: 'all' } : { ...user.visibility, vehicleIds: [...user.visibility.vehicleIds], groupIds: [...user.visibility.groupIds] },
  }
}

export const MIN_PASSWORD_LENGTH = 8

/** Problems with the form, by field, in the words the form shows; empty when it can be saved. */
export function userDraftProblems(draft: UserDraft, creating: boolean): Partial<Record<'name' | 'email' | 'password' | 'visibility', string>> {
  const problems: Partial<Record<'name' | 'email' | 'password' | 'visibility', string>> = {}
  if (draft.name.trim() === '') problems.name = 'Name is required'
  if (draft.email.trim() === '') problems.email = 'Email is required'
  else if (!isEmail(draft.email.trim())) problems.email = 'This is not an email address'
  if (creating && draft.password === '') problems.password = 'Password is required'
  else if (draft.password !== '' && draft.password.length < MIN_PASSWORD_LENGTH) problems.password = `At least ${MIN_PASSWORD_LENGTH} characters`
  if (draft.visibility.kind === 'selected' && draft.visibility.vehicleIds.length === 0 && draft.visibility.groupIds.length === 0) {
    problems.visibility = 'Choose at least one vehicle or group, or let the user see all vehicles'
  }
  return problems
}

export function inputFromDraft(draft: UserDraft): OfficeUserInput {
  const input: OfficeUserInput = {
    name: draft.name.trim(),
    email: draft.email.trim(),
    permissions: draft.permissions,
    visibility: draft.visibility,
  }
  if (draft.phone.trim() !== '') input.phone = draft.phone.trim()
  if (draft.password !== '') input.password = draft.password
  return input
}

export function isEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)
}

/** E.164, as alert rules take phone numbers: + and 7 to 15 digits (spaces and dashes typed are dropped). */
export function normalizePhone(text: string): string | null {
  const compact = text.replace(/[\s().-]/g, '')
  return /^\+\d{7,15}$/.test(compact) ? compact : null
}

/** Whether `me` is this user (a user should not deactivate themselves by mistake). */
export function isSelf(me: Pick<Me, 'id'>, user: Pick<OfficeUser, 'id'>): boolean {
  return me.id === user.id
}
