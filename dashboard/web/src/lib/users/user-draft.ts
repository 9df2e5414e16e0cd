/** The office users form: its draft, the checks it makes before saving, and what it sends (`User`, `UserInput`). */
import {
  ACCESS_LEVELS,
  MODULE_LABELS,
  MODULES,
  type AccessLevel,
  type Me,
  type Permissions,
  type User,
  type UserInput,
  type VehicleVisibility,
} from '../../../../shared/contract.ts'
import { MIN_PASSWORD_LENGTH } from '../../../../../core/passwords.ts'

export const ACCESS_LABELS: Readonly<Record<AccessLevel, string>> = { none: 'None', view: 'View', edit: 'Edit' }

export { ACCESS_LEVELS, MODULE_LABELS, MODULES }

export function uniformPermissions(level: AccessLevel): Permissions {
  return Object.fromEntries(MODULES.map((module) => [module, level])) as Permissions
}

/** A new user starts seeing the map and nothing else, until someone grants more. */
export const NEW_USER_PERMISSIONS: Permissions = { ...uniformPermissions('none'), map: 'view' }

/** Whether any module is more than none. */
export function hasAnyAccess(permissions: Permissions): boolean {
  return MODULES.some((module) => permissions[module] !== 'none')
}

export interface UserDraft {
  name: string
  email: string
  phone: string
  title: string
  password: string
  /** New users only: save active (taking a licence) or inactive (activate later). */
  active: boolean
  permissions: Permissions
  visibility: VehicleVisibility
}

export function draftFor(user: User | null): UserDraft {
  if (user === null) {
    return { name: '', email: '', phone: '', title: '', password: '', active: true, permissions: { ...NEW_USER_PERMISSIONS }, visibility: { kind: 'all' } }
  }
  return {
    name: user.name,
    email: user.email,
    phone: user.phone ?? '',
    title: user.title ?? '',
    password: '',
    active: user.active,
    permissions: { ...user.permissions },
    visibility: user.visibility.kind === 'all' ? { kind: 'all' } : { ...user.visibility, vehicleIds: [...user.visibility.vehicleIds], groupIds: [...user.visibility.groupIds] },
  }
}

export type UserDraftField = 'name' | 'email' | 'password' | 'visibility'

/** Problems with the form, by field, in the words the form shows; empty when it can be saved. */
export function userDraftProblems(draft: UserDraft, creating: boolean): Partial<Record<UserDraftField, string>> {
  const problems: Partial<Record<UserDraftField, string>> = {}
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

export type UserChanges = Omit<UserInput, 'password' | 'active'> & { password?: string }

/** `POST /api/users` body: the new user, saved active or not. */
export function newUserInput(draft: UserDraft): UserInput {
  return { ...userChanges(draft), password: draft.password, active: draft.active }
}

/** `PUT /api/users/:id` body: every field the form edits; the password only when a new one was typed. */
export function userChanges(draft: UserDraft): UserChanges {
  const input: UserChanges = {
    name: draft.name.trim(),
    email: draft.email.trim(),
    phone: blankToNull(draft.phone),
    title: blankToNull(draft.title),
    permissions: draft.permissions,
    visibility: draft.visibility,
  }
  if (draft.password !== '') input.password = draft.password
  return input
}

function blankToNull(text: string): string | null {
  return text.trim() === '' ? null : text.trim()
}

export function isEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)
}

/** E.164, as alert rules take phone numbers: + and 7 to 15 digits (spaces and dashes typed are dropped). */
export function normalizePhone(text: string): string | null {
  const compact = text.replace(/[\s().-]/g, '')
  return /^\+\d{7,15}$/.test(compact) ? compact : null
}

/** Whether `me` is this user (nobody deactivates themselves; the server refuses it too). */
export function isSelf(me: Pick<Me, 'id'>, user: Pick<User, 'id'>): boolean {
  return me.id === user.id
}
