/** Scope checks done before anything crosses into the engine. */

export function toScopeArray(scopes: string | string[], credential: string): string[] {
  const list = typeof scopes === 'string' ? [scopes] : scopes
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`${credential}: getToken needs at least one scope, e.g. 'https://management.azure.com/.default'.`)
  }
  for (const s of list) {
    if (typeof s !== 'string' || s.trim() === '') {
      throw new TypeError(`${credential}: every scope must be a non-empty string, e.g. 'https://vault.azure.net/.default'.`)
    }
  }
  return list
}
