/** Authority hosts of the Azure clouds, and how a credential picks one. */

export enum AzureAuthorityHosts {
  AzureChina = 'https://login.chinacloudapi.cn',
  AzureGermany = 'https://login.microsoftonline.de',
  AzureGovernment = 'https://login.microsoftonline.us',
  AzurePublicCloud = 'https://login.microsoftonline.com',
}

/** The option, else `AZURE_AUTHORITY_HOST`, else the public cloud; https only. */
export function resolveAuthorityHost(option?: string): string {
  const host = option ?? process.env.AZURE_AUTHORITY_HOST ?? AzureAuthorityHosts.AzurePublicCloud
  let url: URL
  try {
    url = new URL(host)
  } catch {
    throw new Error(`The authorityHost '${host}' is not a valid URL; use e.g. ${AzureAuthorityHosts.AzurePublicCloud}`)
  }
  if (url.protocol !== 'https:') throw new Error("The authorityHost address must use the 'https' protocol.")
  return host.replace(/\/+$/, '')
}
