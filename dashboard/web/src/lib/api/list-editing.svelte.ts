/** What every list page with an add/edit form and row deletes keeps: one place instead of a copy per page. */
import * as api from './client.ts'
import type { Resource } from './resource.svelte.ts'
import { Submission } from './submission.svelte.ts'

export class ListEditing<T extends { id: number }> {
  /** The record the form edits (null: a new one), or undefined while the form is closed. */
  editing = $state<T | null | undefined>(undefined)
  /** The last row delete: under way, or why it failed. */
  readonly removal = new Submission()

  /** `path` is the collection's API path; a record is `${path}/${id}`. */
  constructor(
    private readonly list: Resource<T[]>,
    private readonly path: string,
  ) {}

  close(): void {
    this.editing = undefined
  }

  /** The form saved: close it and show the list as it is now. */
  saved(): void {
    this.editing = undefined
    void this.list.load()
  }

  /** Deletes the record once the user confirms `question`, then reloads the list. */
  async remove(record: T, question: string): Promise<void> {
    if (!confirm(question)) return
    await this.removal.run(async () => {
      await api.del(`${this.path}/${record.id}`)
      await this.list.load()
    })
  }
}
