/** One write a form or a list makes to the API: whether it is under way, and why it last failed, in words for the user. */
import { userMessage } from './client.ts'

export class Submission {
  saving = $state(false)
  failure = $state<string | null>(null)

  /** Runs `action` with `saving` set; a failure it throws becomes `failure`. True when the action succeeded. */
  async run(action: () => Promise<unknown>): Promise<boolean> {
    this.saving = true
    this.failure = null
    try {
      await action()
      return true
    } catch (error) {
      this.failure = userMessage(error)
      return false
    } finally {
      this.saving = false
    }
  }
}
