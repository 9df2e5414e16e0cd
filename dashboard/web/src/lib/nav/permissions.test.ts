import { describe, expect, it } from 'vitest'
import type { Permissions } from '../../../../shared/contract.ts'
import { can, canEdit, canView, landingPage, mayOpen, navFor } from './permissions.ts'
import { uniformPermissions } from '../users/user-draft.ts'

const user = (permissions: Partial<Permissions>) => ({ permissions: { ...uniformPermissions('none'), ...permissions } })

describe('permissions', () => {
  it('ranks none below view below edit', () => {
    const viewer = user({ map: 'view' })
    expect(canView(viewer, 'map')).toBe(true)
    expect(canEdit(viewer, 'map')).toBe(false)
    expect(canView(viewer, 'settings')).toBe(false)
    expect(canEdit(user({ settings: 'edit' }), 'settings')).toBe(true)
  })

  it('shows only the pages of modules the user may view', () => {
    expect(navFor(user({ map: 'view' })).map((item) => item.page)).toEqual(['map', 'devices', 'alerts'])
    expect(navFor(user({ settings: 'view' })).map((item) => item.page)).toEqual(['vehicles', 'groups', 'users'])
    expect(navFor(user({ customers: 'edit' }))).toEqual([])
  })

  it('lands on the first page the user may open, or nowhere', () => {
    expect(landingPage(user({ map: 'edit', settings: 'edit' }))).toBe('map')
    expect(landingPage(user({ settings: 'view' }))).toBe('vehicles')
    expect(landingPage(user({}))).toBeNull()
  })

  it('opens a device page with map access', () => {
    expect(mayOpen(user({ map: 'view' }), 'device')).toBe(true)
    expect(mayOpen(user({ settings: 'edit' }), 'device')).toBe(false)
  })

  it('allows writes only with edit access', () => {
    const viewer = user({ map: 'view', settings: 'view' })
    expect(can.acknowledgeAlerts(viewer)).toBe(false)
    expect(can.editVehicles(viewer)).toBe(false)
    expect(can.viewAlertRules(viewer)).toBe(true)
    expect(can.editAlertRules(viewer)).toBe(false)
    const editor = user({ map: 'edit', settings: 'edit' })
    expect(can.acknowledgeAlerts(editor) && can.editUsers(editor) && can.registerDevices(editor)).toBe(true)
  })

  it('treats a module missing from an older server answer as none', () => {
    expect(canView({ permissions: {} as Permissions }, 'map')).toBe(false)
  })
})
