import { describe, expect, it } from 'vitest'
import { ApiError } from './client.ts'
import { Submission } from './submission.svelte.ts'

describe('Submission', () => {
  it('is saving while the action runs, and clears the last failure when it starts', async () => {
    const submission = new Submission()
    submission.failure = 'an earlier failure'
    let release = () => {}
    const running = submission.run(() => new Promise<void>((resolve) => (release = resolve)))

    expect(submission.saving).toBe(true)
    expect(submission.failure).toBeNull()
    release()
    await expect(running).resolves.toBe(true)
    expect(submission.saving).toBe(false)
  })

  it('shows the API error message of a failed action and answers false', async () => {
    const submission = new Submission()
    const ok = await submission.run(async () => {
      throw new ApiError(409, 'DEVICE_TAKEN', 'This IMEI is already registered')
    })

    expect(ok).toBe(false)
    expect(submission.failure).toBe('This IMEI is already registered')
    expect(submission.saving).toBe(false)
  })

  it('shows a generic message for an error that is not from the API', async () => {
    const submission = new Submission()
    await submission.run(async () => {
      throw new Error('boom')
    })
    expect(submission.failure).toBe('Something went wrong. Please try again.')
  })
})
