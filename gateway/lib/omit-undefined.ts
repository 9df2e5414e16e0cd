/** A copy of `value` without the keys whose value is undefined, so optional fields are omitted, not null. */
export function omitUndefined<T extends object>(value: T): T {
  // A plain loop: Object.fromEntries(Object.entries(...)) cost a third of Teltonika decoding.
  const copy: Record<string, unknown> = {}
  for (const key in value) {
    const entry = value[key]
    if (entry !== undefined) copy[key] = entry
  }
  return copy as T
}
