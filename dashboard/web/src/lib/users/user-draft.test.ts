import { describe, expect, it } from 'vitest'
import type { User } from '../../../../shared/contract.ts'
import { draftFor, hasAnyAccess, newUserInput, normalizePhone, uniformPermissions, userChanges, userDraftProblems } from './user-draft.ts'

const existing: User = {
  id: 7,
  email: 'dispatch@example.com',
  name: 'Dana',
  phone: null,
  title: 'Dispatcher',
  active: true,
  createdAt: '2026-11-01T00:00:00Z',
  permissions: { ...uniformPermissions('view'), settings: 'none' },
  visibility: { kind: 'selected', vehicleIds: [1, 2], groupIds: [] },
}

describe('user form', () => {
  it('requires the starred fields of a new user', () => {
    expect(userDraftProblems(draftFor(null), true)).toEqual({
      name: 'Name is required',
      email: 'Email is required',
      password: 'Password is required',
    })
  })

  it('keeps the current password when editing with the password left blank', () => {
    const draft = draftFor(existing)
    expect(userDraftProblems(draft, false)).toEqual({})
    expect(userChanges(draft)).not.toHaveProperty('password')
    expect(userChanges(draft)).not.toHaveProperty('active')
  })

  it('checks the email and the password length', () => {
    const draft = { ...draftFor(null), name: 'Sam', email: 'sam@', password: 'short' }
    expect(userDraftProblems(draft, true)).toEqual({ email: 'This is not an email address', password: 'At least 10 characters' })
  })

  it('asks for at least one vehicle or group when visibility is restricted', () => {
    const draft = { ...draftFor(existing), visibility: { kind: 'selected' as const, vehicleIds: [], groupIds: [] } }
    expect(userDraftProblems(draft, false).visibility).toMatch(/at least one vehicle or group/)
  })

  it('copies an existing user so editing the draft does not change the list', () => {
    const draft = draftFor(existing)
    draft.permissions.map = 'edit'
    if (draft.visibility.kind === 'selected') draft.visibility.vehicleIds.push(3)
    expect(existing.permissions.map).toBe('view')
    expect(existing.visibility).toEqual({ kind: 'selected', vehicleIds: [1, 2], groupIds: [] })
  })

  it('trims what it sends, sends blank optional fields as null, and creates the user active unless told', () => {
    const input = newUserInput({ ...draftFor(null), name: ' Sam ', email: ' sam@example.com ', password: 'longenough', phone: ' ', title: ' Driver ' })
    expect(input).toEqual({
      name: 'Sam',
      email: 'sam@example.com',
      password: 'longenough',
      phone: null,
      title: 'Driver',
      active: true,
      permissions: draftFor(null).permissions,
      visibility: { kind: 'all' },
    })
    expect(newUserInput({ ...draftFor(null), active: false }).active).toBe(false)
  })

  it('sends a new password when editing only when one was typed', () => {
    expect(userChanges({ ...draftFor(existing), password: 'new-secret' }).password).toBe('new-secret')
  })
})

describe('helpers', () => {
  it('gives a new user map view only', () => {
    expect(draftFor(null).permissions).toEqual({ ...uniformPermissions('none'), map: 'view' })
  })

  it('says whether a user has any access', () => {
    expect(hasAnyAccess(uniformPermissions('none'))).toBe(false)
    expect(hasAnyAccess(existing.permissions)).toBe(true)
  })

  it('normalizes phone numbers to E.164 or rejects them', () => {
    expect(normalizePhone('+1 (612) 746-4017')).toBe('+16127464017')
    expect(normalizePhone('612-746-4017')).toBeNull()
    expect(normalizePhone('+12')).toBeNull()
  })
})
