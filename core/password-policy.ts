/**
 * The one password policy, for every place a password is set (users created or changed, `ADMIN_PASSWORD`):
 * at least `MIN_PASSWORD_LENGTH` characters, not only spaces, no control characters, and not one of the ~49,000 most common
 * passwords (the list zxcvbn-ts ships in `@zxcvbn-ts/language-common`, compared without case).
 */
import { dictionary } from '@zxcvbn-ts/language-common'
import { z } from 'zod'
import { MIN_PASSWORD_LENGTH } from './passwords.ts'

export const MAX_PASSWORD_LENGTH = 1024

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common'])

/** Why this password may not be set, or null when it may. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password has at least ${MIN_PASSWORD_LENGTH} characters`
  if (password.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`
  if (password.trim() === '') return 'a password cannot be only spaces'
  if (/\p{Cc}/u.test(password)) return 'a password cannot contain control characters'
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return 'this password is one of the most common ones, which are guessed first; choose another'
  return null
}

/** A new password, checked against the policy; `requiredMessage` is the message when none was sent. */
export const newPassword = (requiredMessage = `a password of at least ${MIN_PASSWORD_LENGTH} characters is required`) =>
  z.string({ error: (issue) => (issue.input === undefined ? requiredMessage : 'a password is text') }).check((ctx) => {
    const problem = passwordProblem(ctx.value)
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value })
  })
