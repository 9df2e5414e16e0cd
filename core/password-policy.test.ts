import { describe, expect, it } from 'vitest'
import { newPassword, passwordProblem } from './password-policy.ts'

describe('the password policy', () => {
  it.each([
    ['short1234', /at least 10 characters/],
    ['          ', /only spaces/],
    ['password-with\u0007bell', /control characters/],
    ['password123', /most common/],
    ['QWERTYUIOP', /most common/],
    ['1234567890', /most common/],
    ['x'.repeat(1025), /at most 1024/],
  ])('refuses %j', (password, problem) => {
    expect(passwordProblem(password)).toMatch(problem)
  })

  it.each(['correct horse battery', 'test-password-1', 'tr0ub4dor&3-gate'])('accepts %j', (password) => {
    expect(passwordProblem(password)).toBeNull()
  })

  it('names the problem as a zod issue, and a missing password by its own message', () => {
    expect(newPassword().safeParse('password1').error?.issues[0]?.message).toMatch(/at least 10/)
    expect(newPassword('a user needs a password').safeParse(undefined).error?.issues[0]?.message).toBe('a user needs a password')
  })
})
