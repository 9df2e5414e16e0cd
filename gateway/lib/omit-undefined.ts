/** A copy of `value` without the keys whose value is undefined, so optional fields are omitted, not null. */
export function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T
}
