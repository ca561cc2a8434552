/** msal-node's `AuthenticationResult` for app-only tokens. */

export interface AuthenticationResult {
  authority: string
  uniqueId: string
  tenantId: string
  scopes: string[]
  account: null
  idToken: string
  idTokenClaims: Record<string, never>
  accessToken: string
  fromCache: boolean
  expiresOn: Date | null
  /** When azid refreshes it in the background. */
  refreshOn?: Date
  tokenType: string
  correlationId: string
  state: string
  familyId: string
}

export function toResult(
  t: { token: string; expiresOnTimestamp: number; refreshAfterTimestamp: number; tokenType: string; fromCache: boolean },
  authority: string,
  tenantId: string,
  scopes: string[],
  correlationId: string,
): AuthenticationResult {
  return {
    authority,
    uniqueId: '',
    tenantId,
    scopes,
    account: null,
    idToken: '',
    idTokenClaims: {},
    accessToken: t.token,
    fromCache: t.fromCache,
    expiresOn: new Date(t.expiresOnTimestamp),
    refreshOn: new Date(t.refreshAfterTimestamp),
    tokenType: t.tokenType,
    correlationId,
    state: '',
    familyId: '',
  }
}
