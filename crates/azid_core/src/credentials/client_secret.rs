//! Client credentials with a client secret (`grant_type=client_credentials`).

use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use super::entra::{ClientAuth, EntraClient, Grant};
use crate::engine::{BoxFuture, TokenSource};
use crate::error::{Error, Result};
use crate::http::RetryPolicy;
use crate::request::TokenRequest;
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
  /// ESTS-R region, already resolved (see `entra::resolve_region`).
  pub region: Option<String>,
}

impl ClientSecretConfig {
  /// Everything that identifies the tokens this config yields; the secret only as a hash.
  pub fn engine_key(&self) -> String {
    if let Some(id) = &self.source_id {
      return format!(
        "client_secret_source|{}|{}|{}|{id}|{:?}|{:?}",
        self.authority_host, self.tenant_id, self.client_id, self.retry, self.region
      );
    }
    let secret_hash = Sha256::digest(self.client_secret.expose().as_bytes());
    format!(
      "client_secret|{}|{}|{}|{:x}|{:?}|{:?}",
      self.authority_host, self.tenant_id, self.client_id, secret_hash, self.retry, self.region
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
  client: EntraClient,
  /// The secret sent now; replaced when a rotating source yields a new one.
  secret: RwLock<Secret>,
}

impl ClientSecretSource {
  pub fn new(config: ClientSecretConfig) -> Result<Self> {
    let mut client = EntraClient::new(
      "ClientSecretCredential",
      &config.authority_host,
      &config.tenant_id,
      &config.client_id,
      config.retry,
    )?;
    client.region = config.region;
    if config.client_secret.expose().is_empty() {
      return Err(Error::invalid(
        "ClientSecretCredential: clientSecret is empty; pass the secret's value.",
      ));
    }
    Ok(Self { client, secret: RwLock::new(config.client_secret) })
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
      self.client.tenant_id, self.client.client_id
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
      let label = self.label();
      let secret = self.secret.read().unwrap_or_else(|e| e.into_inner()).clone();
      let auth = ClientAuth::Secret(&secret);
      self.client.request_token(&label, &request, Grant::ClientCredentials, auth).await
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
      region: None,
    };
    assert!(!c.engine_key().contains("super-secret-value"));
    assert!(!format!("{c:?}").contains("super-secret-value"));
  }
}
