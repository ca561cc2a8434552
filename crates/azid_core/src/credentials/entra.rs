//! The token request every Entra ID credential sends: one POST to the v2 token endpoint,
//! with its headers, CAE claims, retries and typed errors. Credentials differ only in
//! the grant and in how the client proves itself ([`ClientAuth`]).

use super::client_secret::{merge_cae_claims, normalise_authority_host};
use super::response::{error_from_response, error_from_send, token_from_response};
use crate::error::{Error, Result};
use crate::http::{send, RetryPolicy, Transport, TransportKind};
use crate::request::{validate_tenant, TokenRequest};
use crate::secret::Secret;
use crate::token::AccessToken;

const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How the confidential client authenticates itself.
pub enum ClientAuth<'a> {
  Secret(&'a Secret),
  /// A signed JWT: a certificate assertion or a federated token (§1.3, §1.4).
  Assertion(&'a Secret),
}

/// What the token is granted on.
pub enum Grant<'a> {
  ClientCredentials,
  /// On-behalf-of (§1.5): the user's access token to exchange.
  OnBehalfOf {
    user_assertion: &'a Secret,
  },
}

/// Where and as whom one credential asks Entra ID for tokens.
pub struct EntraClient {
  pub authority_host: String,
  pub tenant_id: String,
  pub client_id: String,
  pub retry: RetryPolicy,
  /// ESTS-R region (§1.9): token requests go to the regional host.
  pub region: Option<String>,
  transport: Transport,
}

/// The values of `regionalAuthority` that ask for the region to be detected.
const AUTO_DETECT: [&str; 2] = ["TryAutoDetect", "AutoDiscoverRegion"];

/// The region to use for `regional_authority` (an option or `AZURE_REGIONAL_AUTHORITY_NAME`).
/// Auto-detection reads `REGION_NAME` only: azid never probes IMDS for the region.
pub fn resolve_region(
  regional_authority: Option<&str>,
  region_name_env: Option<&str>,
) -> Option<String> {
  let wanted = regional_authority.map(str::trim).filter(|r| !r.is_empty())?;
  if !AUTO_DETECT.iter().any(|a| a.eq_ignore_ascii_case(wanted)) {
    return Some(wanted.to_ascii_lowercase());
  }
  match region_name_env.map(str::trim).filter(|r| !r.is_empty()) {
    Some(r) => Some(r.to_ascii_lowercase()),
    None => {
      crate::azlog!(crate::log::Level::Info, "regionalAuthority {wanted}: REGION_NAME is not set, so the global endpoint is used (azid does not query IMDS for the region)");
      None
    }
  }
}

/// §1.9: public-cloud hosts become `{region}.login.microsoft.com`, others `{region}.{host}`.
fn regional_authority_host(authority_host: &str, region: &str) -> String {
  let Ok(mut url) = url::Url::parse(authority_host) else { return authority_host.to_string() };
  let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
    return authority_host.to_string();
  };
  let public =
    ["login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net"];
  let regional = if public.contains(&host.as_str()) {
    format!("{region}.login.microsoft.com")
  } else {
    format!("{region}.{host}")
  };
  if url.set_host(Some(&regional)).is_err() {
    return authority_host.to_string();
  }
  url.as_str().trim_end_matches('/').to_string()
}

impl EntraClient {
  /// Validates the authority (https only), tenant and client id. `credential` names the
  /// class in error messages.
  pub fn new(
    credential: &str,
    authority_host: &str,
    tenant_id: &str,
    client_id: &str,
    retry: RetryPolicy,
  ) -> Result<Self> {
    let authority_host = normalise_authority_host(authority_host)?;
    validate_tenant(tenant_id)?;
    if client_id.trim().is_empty() {
      return Err(Error::invalid(format!(
        "{credential}: clientId is empty; pass the application (client) id."
      )));
    }
    Ok(Self {
      authority_host,
      tenant_id: tenant_id.to_string(),
      client_id: client_id.to_string(),
      retry,
      region: None,
      transport: Transport::shared(TransportKind::Proxied)?,
    })
  }

  /// The tenant a request goes to: the caller's (already allowed) or the configured one.
  pub fn tenant_for<'a>(&'a self, request: &'a TokenRequest) -> &'a str {
    request.tenant_id.as_deref().unwrap_or(&self.tenant_id)
  }

  /// The token endpoint of `tenant`; also the `aud` of client assertions.
  pub fn token_url(&self, tenant: &str) -> String {
    if tenant.eq_ignore_ascii_case("adfs") {
      return format!("{}/adfs/oauth2/token", self.authority_host);
    }
    let host = match &self.region {
      Some(region) => regional_authority_host(&self.authority_host, region),
      None => self.authority_host.clone(),
    };
    format!("{host}/{tenant}/oauth2/v2.0/token")
  }

  /// Part of an engine key: everything here that changes the tokens.
  pub fn key(&self) -> String {
    format!(
      "{}|{}|{}|{:?}|{:?}",
      self.authority_host, self.tenant_id, self.client_id, self.region, self.retry
    )
  }

  /// Sends the token request and parses the answer into a token or a typed error.
  pub async fn request_token(
    &self,
    label: &str,
    request: &TokenRequest,
    grant: Grant<'_>,
    auth: ClientAuth<'_>,
  ) -> Result<AccessToken> {
    let tenant = self.tenant_for(request);
    let url = self.token_url(tenant);
    let scope = request.scopes.join(" ");
    let claims = merge_cae_claims(request.claims.as_deref(), request.enable_cae);
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let host = url::Url::parse(&url)
      .ok()
      .and_then(|u| {
        u.host_str().map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(443)))
      })
      .unwrap_or_default();
    crate::azlog!(crate::log::Level::Info, "{label}: POST https://{host}/{tenant}/oauth2/v2.0/token (client-request-id {correlation_id})");
    let what = format!("{label}: token request to {host}");
    let response = send(&self.transport, &self.retry, &what, |client| {
      let mut form: Vec<(&str, &str)> = match &grant {
        Grant::ClientCredentials => vec![("grant_type", "client_credentials")],
        Grant::OnBehalfOf { user_assertion } => vec![
          ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
          ("requested_token_use", "on_behalf_of"),
          ("assertion", user_assertion.expose()),
        ],
      };
      form.push(("client_id", &self.client_id));
      match &auth {
        ClientAuth::Secret(s) => form.push(("client_secret", s.expose())),
        ClientAuth::Assertion(a) => {
          form.push(("client_assertion_type", JWT_BEARER_ASSERTION));
          form.push(("client_assertion", a.expose()));
        }
      }
      form.push(("scope", &scope));
      if let Some(cl) = &claims {
        form.push(("claims", cl));
      }
      client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded;charset=utf-8")
        .header("client-request-id", &correlation_id)
        .header("return-client-request-id", "true")
        .header("x-client-SKU", "azid.node")
        .header("x-client-VER", env!("CARGO_PKG_VERSION"))
        .body(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish())
    })
    .await
    .map_err(|e| error_from_send(label, e))?;
    if response.is_success() {
      return token_from_response(label, &response);
    }
    let retryable = self.retry.retry_statuses.contains(&response.status);
    Err(error_from_response(label, &host, &response, retryable))
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn regional_hosts() {
    assert_eq!(
      regional_authority_host("https://login.microsoftonline.com", "westus2"),
      "https://westus2.login.microsoft.com"
    );
    assert_eq!(
      regional_authority_host("https://login.microsoftonline.us", "usgovvirginia"),
      "https://usgovvirginia.login.microsoftonline.us"
    );
    assert_eq!(resolve_region(Some("TryAutoDetect"), None), None);
    assert_eq!(
      resolve_region(Some("AutoDiscoverRegion"), Some("eastus")).as_deref(),
      Some("eastus")
    );
    assert_eq!(resolve_region(Some("WestUS2"), Some("eastus")).as_deref(), Some("westus2"));
    assert_eq!(resolve_region(None, Some("eastus")), None);
  }
}
