/** What kind of OsmAnd request it was: its HTTP method (a GET with a query string, or a JSON POST). */
import type { MessageKind } from '../../../core/message-kind.ts'

export function describeRequest({ method }: { method: string }): MessageKind {
  return { type: method, label: `OsmAnd ${method}` }
}
