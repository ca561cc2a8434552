//! Client credentials with a client secret (`grant_type=client_credentials`).

use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use super::response::{error_from_response, error_from_send, token_from_response};
use crate::engine::{BoxFuture, TokenSource};
use crate::error::{Error, Result};
use crate::http::{send, RetryPolicy, Transport, TransportKind};
use crate::request::{validate_tenant, TokenRequest};
use crate::secret::Secret;
use crate::token::AccessToken;

#[derive(Debug, Clone)]
pub struct ClientSecretConfig {
  /// `https://login.microsoftonline.com` or another https authority host.
  pub authority_host: String,
  pub tenant_id: String,
  pub client_id: String,
  pub client_secret: Secret,
  /// Set for a secret that rotates (a file, a function, a Key Vault secret): the engine is
  /// keyed on this id instead of the secret, so a rotation keeps the engine and its cache.
  pub source_id: Option<String>,
  pub retry: RetryPolicy,
}

impl ClientSecretConfig {
  /// Everything that identifies the tokens this config yields; the secret only as a hash.
  pub fn engine_key(&self) -> String {
    if let Some(id) = &self.source_id {
      return format!(
        "client_secret_source|{}|{}|{}|{id}|{:?}",
        self.authority_host, self.tenant_id, self.client_id, self.retry
      );
    }
    let secret_hash = Sha256::digest(self.client_secret.expose().as_bytes());
    format!(
      "client_secret|{}|{}|{}|{:x}|{:?}",
      self.authority_host, self.tenant_id, self.client_id, secret_hash, self.retry
    )
  }
}

/// Validates and normalises an authority host: https only, no trailing slash.
pub fn normalise_authority_host(host: &str) -> Result<String> {
  let url = url::Url::parse(host.trim()).map_err(|_| {
    Error::invalid(format!(
      "The authorityHost '{host}' is not a valid URL; use e.g. https://login.microsoftonline.com"
    ))
  })?;
  if url.scheme() != "https" {
    return Err(Error::invalid("The authorityHost address must use the 'https' protocol."));
  }
  Ok(url.as_str().trim_end_matches('/').to_string())
}

pub struct ClientSecretSource {
  config: ClientSecretConfig,
  /// The secret sent now; replaced when a rotating source yields a new one.
  secret: RwLock<Secret>,
  transport: Transport,
}

impl ClientSecretSource {
  pub fn new(mut config: ClientSecretConfig) -> Result<Self> {
    config.authority_host = normalise_authority_host(&config.authority_host)?;
    validate_tenant(&config.tenant_id)?;
    if config.client_id.trim().is_empty() {
      return Err(Error::invalid(
        "ClientSecretCredential: clientId is empty; pass the application (client) id.",
      ));
    }
    if config.client_secret.expose().is_empty() {
      return Err(Error::invalid(
        "ClientSecretCredential: clientSecret is empty; pass the secret's value.",
      ));
    }
    let secret = RwLock::new(config.client_secret.clone());
    Ok(Self { config, secret, transport: Transport::shared(TransportKind::Proxied)? })
  }
}

/// `{"access_token":{"xms_cc":{"values":["cp1"]}}}` merged into the caller's claims.
pub fn merge_cae_claims(claims: Option<&str>, enable_cae: bool) -> Option<String> {
  if !enable_cae {
    return claims.map(str::to_string);
  }
  let mut value: serde_json::Value =
    claims.and_then(|c| serde_json::from_str(c).ok()).unwrap_or_else(|| serde_json::json!({}));
  if let Some(obj) = value.as_object_mut() {
    let at = obj.entry("access_token").or_insert_with(|| serde_json::json!({}));
    if let Some(at) = at.as_object_mut() {
      at.insert("xms_cc".into(), serde_json::json!({ "values": ["cp1"] }));
    }
  }
  Some(value.to_string())
}

impl TokenSource for ClientSecretSource {
  fn label(&self) -> String {
    format!(
      "ClientSecretCredential(tenant={}, client={})",
      self.config.tenant_id, self.config.client_id
    )
  }

  fn replace_secret(&self, secret: Secret) -> Result<()> {
    if secret.expose().is_empty() {
      return Err(Error::invalid(
        "ClientSecretCredential: the secret source gave an empty secret; check that it holds the secret's value.",
      ));
    }
    *self.secret.write().unwrap_or_else(|e| e.into_inner()) = secret;
    Ok(())
  }

  fn fetch(self: Arc<Self>, request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
    Box::pin(async move {
      let c = &self.config;
      let client_secret = self.secret.read().unwrap_or_else(|e| e.into_inner()).clone();
      let label = self.label();
      let tenant = request.tenant_id.as_deref().unwrap_or(&c.tenant_id);
      let url = if tenant.eq_ignore_ascii_case("adfs") {
        format!("{}/adfs/oauth2/token", c.authority_host)
      } else {
        format!("{}/{}/oauth2/v2.0/token", c.authority_host, tenant)
      };
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
      let response = send(&self.transport, &c.retry, &what, |client| {
        let mut form: Vec<(&str, &str)> = vec![
          ("grant_type", "client_credentials"),
          ("client_id", &c.client_id),
          ("client_secret", client_secret.expose()),
          ("scope", &scope),
        ];
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
      .map_err(|e| error_from_send(&label, e))?;
      if response.is_success() {
        return token_from_response(&label, &response);
      }
      let retryable = c.retry.retry_statuses.contains(&response.status);
      Err(error_from_response(&label, &host, &response, retryable))
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn authority_host_must_be_https() {
    assert_eq!(
      normalise_authority_host("https://login.microsoftonline.com/").unwrap(),
      "https://login.microsoftonline.com"
    );
    assert!(normalise_authority_host("http://login.microsoftonline.com").is_err());
    assert!(normalise_authority_host("not a url").is_err());
  }

  #[test]
  fn cae_merges_cp1_into_claims() {
    let merged =
      merge_cae_claims(Some(r#"{"access_token":{"nbf":{"essential":true}}}"#), true).unwrap();
    let v: serde_json::Value = serde_json::from_str(&merged).unwrap();
    assert_eq!(v["access_token"]["xms_cc"]["values"][0], "cp1");
    assert_eq!(v["access_token"]["nbf"]["essential"], true);
    assert_eq!(merge_cae_claims(None, false), None);
  }

  #[test]
  fn engine_key_hides_the_secret() {
    let c = ClientSecretConfig {
      authority_host: "https://h".into(),
      tenant_id: "t".into(),
      client_id: "c".into(),
      client_secret: Secret::new("super-secret-value"),
      source_id: None,
      retry: RetryPolicy::entra(),
    };
    assert!(!c.engine_key().contains("super-secret-value"));
    assert!(!format!("{c:?}").contains("super-secret-value"));
  }
}
