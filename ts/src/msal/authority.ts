/** Splits an MSAL authority (`https://host/tenant`) or `azureCloudOptions` into host and tenant. */
import { ClientConfigurationError } from './errors'

export interface AzureCloudOptions {
  azureCloudInstance?: string
  tenant?: string
}

export function parseAuthority(authority: string | undefined, cloud: AzureCloudOptions | undefined): { host: string; tenant: string } {
  if (cloud?.azureCloudInstance && cloud.azureCloudInstance !== 'none') {
    return { host: cloud.azureCloudInstance.replace(/\/+$/, ''), tenant: cloud.tenant ?? 'common' }
  }
  const value = authority ?? 'https://login.microsoftonline.com/common'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ClientConfigurationError('url_parse_error', `The authority '${value}' is not a valid URL, e.g. https://login.microsoftonline.com/<tenant-id>.`)
  }
  if (url.protocol !== 'https:') throw new ClientConfigurationError('authority_uri_insecure', 'Authority URIs must use https.')
  const tenant = url.pathname.split('/').filter(Boolean)[0]
  if (!tenant) throw new ClientConfigurationError('url_empty_error', `The authority '${value}' names no tenant; use https://login.microsoftonline.com/<tenant-id>.`)
  return { host: url.origin, tenant }
}
