import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'

describe('OFFICE_USER_LICENSES', () => {
  it('allows five active office users unless set, and takes a positive whole number', () => {
    expect(loadConfig({}).OFFICE_USER_LICENSES).toBe(5)
    expect(loadConfig({ OFFICE_USER_LICENSES: '25' }).OFFICE_USER_LICENSES).toBe(25)
    for (const bad of ['0', '-1', '2.5', 'many']) expect(() => loadConfig({ OFFICE_USER_LICENSES: bad }), bad).toThrowError(/OFFICE_USER_LICENSES/)
  })
})
