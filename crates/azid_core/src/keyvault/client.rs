//! The client: one per vault URL. It learns the challenge once (the first request goes
//! without a token, as the SDK's), then sends tokens straight away.

use std::sync::{Arc, RwLock};

use super::challenge::{
  parse_challenge, parse_claims_challenge, verify_challenge_resource, Challenge,
};
use super::errors::{error_from_vault, malformed};
use super::secret::{bundle_from_json, page_from_json, SecretBundle, SecretPage};
use crate::azlog;
use crate::credentials::error_from_send;
use crate::engine::Engine;
use crate::error::{Error, KeyVaultFailure, Result};
use crate::http::{send, HttpResponse, RetryPolicy, Transport, TransportKind};
use crate::log::Level;
use crate::request::TokenRequest;
use crate::secret::Secret;

/// keyvault-secrets 4.11's default.
pub const DEFAULT_API_VERSION: &str = "2025-07-01";

/// 408, 429 and 5xx: what the Azure SDK retries. A 429 without `Retry-After` backs off.
const VAULT_RETRY_STATUSES: &[u16] = &[408, 429, 500, 502, 503, 504];

#[derive(Debug, Clone)]
pub struct SecretClientConfig {
  /// `https://{vault}.vault.azure.net` (a path or trailing slash is ignored).
  pub vault_url: String,
  pub api_version: String,
  /// Skip the check that the challenge's resource is in the vault's domain.
  pub disable_challenge_resource_verification: bool,
  pub retry: RetryPolicy,
}

impl SecretClientConfig {
  pub fn new(vault_url: impl Into<String>) -> Self {
    let mut retry = RetryPolicy::entra();
    retry.retry_statuses = VAULT_RETRY_STATUSES;
    Self {
      vault_url: vault_url.into(),
      api_version: DEFAULT_API_VERSION.into(),
      disable_challenge_resource_verification: false,
      retry,
    }
  }
}

/// Which tenants an engine-backed credential may get tokens in (its own rules, from the facade).
#[derive(Debug, Clone)]
pub struct TenantPolicy {
  pub home: String,
  /// `additionallyAllowedTenants`; `*` allows any.
  pub allowed: Vec<String>,
  /// `AZURE_IDENTITY_DISABLE_MULTITENANTAUTH`: always the home tenant.
  pub pinned: bool,
}

/// Where tokens come from.
pub enum VaultAuth {
  /// An azid engine: tokens are fetched and cached in Rust, no JS per request.
  /// `tenants` is `None` for credentials without tenants (managed identity).
  Engine { engine: Arc<Engine>, tenants: Option<TenantPolicy> },
  /// The caller passes a bearer token with each request (a credential azid does not own).
  External,
}

/// What a list enumerates.
#[derive(Debug, Clone)]
pub enum ListKind {
  Secrets,
  Versions(String),
}

pub struct SecretClient {
  config: SecretClientConfig,
  /// The vault origin, e.g. `https://v.vault.azure.net`.
  origin: url::Url,
  auth: VaultAuth,
  transport: Transport,
  challenge: RwLock<Option<Challenge>>,
  label: String,
}

fn invalid_name(name: &str) -> Error {
  Error::invalid(format!(
    "SecretClient: '{name}' is not a valid secret name; names are 1-127 characters of 0-9, a-z, A-Z and '-'."
  ))
}

fn check_name(name: &str) -> Result<()> {
  let ok =
    (1..=127).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
  ok.then_some(()).ok_or_else(|| invalid_name(name))
}

impl SecretClient {
  pub fn new(config: SecretClientConfig, auth: VaultAuth) -> Result<Self> {
    let bad = || {
      Error::invalid(format!(
        "SecretClient: the vault URL '{}' is not valid; use https://<vault-name>.vault.azure.net",
        config.vault_url
      ))
    };
    let url = url::Url::parse(config.vault_url.trim()).map_err(|_| bad())?;
    if url.scheme() != "https" || url.host_str().is_none() {
      return Err(bad());
    }
    let origin = url::Url::parse(&url.origin().ascii_serialization()).map_err(|_| bad())?;
    let label = format!("SecretClient(vault={})", origin.host_str().unwrap_or_default());
    Ok(Self {
      config,
      origin,
      auth,
      transport: Transport::shared(TransportKind::Proxied)?,
      challenge: RwLock::new(None),
      label,
    })
  }

  pub fn label(&self) -> &str {
    &self.label
  }

  /// `https://host[:port]` with no trailing slash.
  pub fn vault_url(&self) -> String {
    self.origin.as_str().trim_end_matches('/').to_string()
  }

  fn known_challenge(&self) -> Option<Challenge> {
    self.challenge.read().unwrap_or_else(|e| e.into_inner()).clone()
  }

  /// The vault's challenge, learned with one unauthenticated request if not yet known.
  /// For `External` auth the caller gets the token for this scope and tenant.
  pub async fn challenge(&self) -> Result<Challenge> {
    if let Some(c) = self.known_challenge() {
      return Ok(c);
    }
    let url = self.url("/secrets", &[("maxresults", "1")]);
    let response = self.send_once("GET /secrets (challenge)", &url, None).await?;
    if response.status == 401 {
      if let Some(c) = self.learn(&response)? {
        return Ok(c);
      }
    }
    Err(Error::KeyVault(Box::new(KeyVaultFailure {
      message: format!("{}: the vault answered HTTP {} without a Bearer challenge to an unauthenticated request; check that the vault URL points at a Key Vault.", self.label, response.status),
      status_code: response.status,
      code: "NoChallenge".into(),
      inner_code: None,
      service_message: String::new(),
      request_id: None,
      attempts: response.attempts,
      retry_after_ms: None,
    })))
  }

  /// `GET /secrets/{name}/{version}`; the latest version when `version` is `None`.
  pub async fn get_secret(
    &self,
    name: &str,
    version: Option<&str>,
    bearer: Option<Secret>,
  ) -> Result<SecretBundle> {
    check_name(name)?;
    let version = version.unwrap_or_default();
    if !version.bytes().all(|b| b.is_ascii_alphanumeric()) {
      return Err(Error::invalid(format!(
        "SecretClient: '{version}' is not a valid secret version; versions are 32 hex characters."
      )));
    }
    let what = format!("GET /secrets/{name}/{version}");
    let url = self.url(&format!("/secrets/{name}/{version}"), &[]);
    let response = self.call(&what, &url, bearer.as_ref()).await?;
    let body =
      serde_json::from_slice(&response.body).map_err(|_| malformed(&what, response.status))?;
    bundle_from_json(&body).ok_or_else(|| malformed(&what, response.status))
  }

  /// One page: the first when `next_link` is `None`, else the service's `nextLink`, verbatim.
  pub async fn list_page(
    &self,
    kind: &ListKind,
    next_link: Option<&str>,
    bearer: Option<Secret>,
  ) -> Result<SecretPage> {
    let (what, url) = match (kind, next_link) {
      (_, Some(link)) => ("GET nextLink".to_string(), self.checked_next_link(link)?),
      (ListKind::Secrets, None) => {
        ("GET /secrets".to_string(), self.url("/secrets", &[("maxresults", "25")]))
      }
      (ListKind::Versions(name), None) => {
        check_name(name)?;
        (
          format!("GET /secrets/{name}/versions"),
          self.url(&format!("/secrets/{name}/versions"), &[("maxresults", "25")]),
        )
      }
    };
    let response = self.call(&what, &url, bearer.as_ref()).await?;
    let body =
      serde_json::from_slice(&response.body).map_err(|_| malformed(&what, response.status))?;
    page_from_json(&body).ok_or_else(|| malformed(&what, response.status))
  }

  /// A nextLink must point at this vault (a token is sent with it); it gets `api-version`
  /// only if it lacks one.
  fn checked_next_link(&self, link: &str) -> Result<String> {
    let url = url::Url::parse(link).ok().filter(|u| {
      u.scheme() == "https"
        && u.host_str() == self.origin.host_str()
        && u.port_or_known_default() == self.origin.port_or_known_default()
    });
    let Some(url) = url else {
      return Err(Error::invalid(format!(
        "{}: the nextLink does not point at this vault ({}); not following it.",
        self.label,
        self.vault_url()
      )));
    };
    if url.query_pairs().any(|(k, _)| k == "api-version") {
      Ok(link.to_string())
    } else {
      let sep = if url.query().is_some() { '&' } else { '?' };
      Ok(format!("{link}{sep}api-version={}", self.config.api_version))
    }
  }

  fn url(&self, path: &str, extra: &[(&str, &str)]) -> String {
    let mut url = self.origin.clone();
    url.set_path(path);
    {
      let mut q = url.query_pairs_mut();
      q.append_pair("api-version", &self.config.api_version);
      for (k, v) in extra {
        q.append_pair(k, v);
      }
    }
    url.to_string()
  }

  /// Stores the challenge of a 401 (after checking its resource). `None` if it had none.
  fn learn(&self, response: &HttpResponse) -> Result<Option<Challenge>> {
    let Some(challenge) = response
      .headers
      .get_all("www-authenticate")
      .iter()
      .filter_map(|v| v.to_str().ok())
      .find_map(parse_challenge)
    else {
      return Ok(None);
    };
    if !self.config.disable_challenge_resource_verification {
      verify_challenge_resource(&challenge, self.origin.host_str().unwrap_or_default())?;
    }
    azlog!(
      Level::Info,
      "{}: challenge names scope {} in tenant {}",
      self.label,
      challenge.scope,
      challenge.tenant_id.as_deref().unwrap_or("(none)")
    );
    *self.challenge.write().unwrap_or_else(|e| e.into_inner()) = Some(challenge.clone());
    Ok(Some(challenge))
  }

  /// Sends with the right token; answers a 401 challenge once (first request, or a refused
  /// token refreshed once). Returns the 2xx response or the typed error.
  async fn call(&self, what: &str, url: &str, bearer: Option<&Secret>) -> Result<HttpResponse> {
    let mut force = false;
    let mut claims: Option<String> = None;
    for round in 0..3 {
      let token = match &self.auth {
        VaultAuth::External => Some(bearer.cloned().ok_or_else(|| {
          Error::invalid(format!("{}: this client takes a bearer token with each request; call challenge() and get one for its scope.", self.label))
        })?),
        VaultAuth::Engine { .. } => match self.known_challenge() {
          Some(c) => Some(self.engine_token(&c, force, claims.take()).await?),
          None => None,
        },
      };
      let response = self.send_once(what, url, token.as_ref()).await?;
      if response.is_success() {
        return Ok(response);
      }
      if response.status == 401 && matches!(self.auth, VaultAuth::Engine { .. }) && round < 2 {
        // CAE: the token was revoked or needs claims; one new token with them, one retry.
        let cae = response
          .headers
          .get_all("www-authenticate")
          .iter()
          .filter_map(|v| v.to_str().ok())
          .find_map(parse_claims_challenge);
        if let (Some(c), Some(_)) = (cae, &token) {
          azlog!(
            Level::Info,
            "{}: {what} got a claims challenge; getting a new token with those claims",
            self.label
          );
          claims = Some(c);
          continue;
        }
        let before = self.known_challenge();
        if let Some(challenge) = self.learn(&response)? {
          // No token yet, a new challenge, or a first refusal: one more try.
          if token.is_none() || before.as_ref() != Some(&challenge) || !force {
            force = token.is_some();
            continue;
          }
        }
      }
      return Err(error_from_vault(what, &response));
    }
    unreachable!("the loop returns on its last round")
  }

  async fn send_once(&self, what: &str, url: &str, token: Option<&Secret>) -> Result<HttpResponse> {
    let request_id = uuid::Uuid::new_v4().to_string();
    azlog!(
      Level::Info,
      "{}: {what} (x-ms-client-request-id {request_id}){}",
      self.label,
      if token.is_some() { "" } else { " without a token, to learn the challenge" }
    );
    let log_what = format!("{}: {what}", self.label);
    send(&self.transport, &self.config.retry, &log_what, |client| {
      let r = client
        .get(url)
        .header("accept", "application/json")
        .header("x-ms-client-request-id", &request_id);
      match token {
        Some(t) => r.header("authorization", format!("Bearer {}", t.expose())),
        None => r,
      }
    })
    .await
    .map_err(|e| error_from_send(&self.label, e))
  }

  /// A token from the engine for the challenge's scope, in its tenant if the credential allows it.
  async fn engine_token(
    &self,
    challenge: &Challenge,
    force: bool,
    claims: Option<String>,
  ) -> Result<Secret> {
    let VaultAuth::Engine { engine, tenants } = &self.auth else {
      return Err(Error::invalid("engine_token on an external client"));
    };
    let tenant = match (&challenge.tenant_id, tenants) {
      (Some(t), Some(p)) if !p.pinned && !t.eq_ignore_ascii_case(&p.home) => {
        if p.allowed.iter().any(|a| a == "*" || a.eq_ignore_ascii_case(t)) {
          Some(t.clone())
        } else {
          return Err(Error::unavailable(format!(
            "{}: the vault is in tenant '{t}', and {} is not configured to acquire tokens for it. To enable acquiring tokens for this tenant, add it to the additionallyAllowedTenants on the credential options, or add \"*\" to additionallyAllowedTenants to allow acquiring tokens for any tenant.",
            self.label,
            engine.label()
          )));
        }
      }
      _ => None,
    };
    let request = TokenRequest::new(std::slice::from_ref(&challenge.scope), tenant, claims, false)?
      .forced(force);
    Ok(engine.get_token(request).await?.token.clone())
  }
}
