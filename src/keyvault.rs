//! `NativeSecretClient`: the Rust Key Vault client seen from JS. Built either on an azid
//! credential's engine (tokens never cross into JS) or for a foreign credential, whose
//! token the facade passes with each call.

use std::sync::Arc;

use azid_core::keyvault::{
  ListKind, SecretBundle, SecretClient, SecretClientConfig, SecretPage, TenantPolicy, VaultAuth,
};
use azid_core::Secret;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::credential::NativeCredential;
use crate::error::to_napi;
use crate::options::NativeRetryOptions;

#[napi(object)]
#[derive(Default)]
pub struct NativeSecretClientOptions {
  pub api_version: Option<String>,
  pub disable_challenge_resource_verification: Option<bool>,
  pub retry: Option<NativeRetryOptions>,
  /// The credential's tenant rules (absent for credentials without tenants).
  pub home_tenant: Option<String>,
  pub additionally_allowed_tenants: Option<Vec<String>>,
  pub tenant_pinned: Option<bool>,
}

#[napi(object)]
pub struct NativeChallenge {
  pub scope: String,
  pub tenant_id: Option<String>,
}

#[napi]
pub struct NativeSecretClient {
  inner: Arc<SecretClient>,
}

fn config(vault_url: String, o: &NativeSecretClientOptions) -> SecretClientConfig {
  let mut c = SecretClientConfig::new(vault_url);
  if let Some(v) = o.api_version.clone().filter(|v| !v.is_empty()) {
    c.api_version = v;
  }
  c.disable_challenge_resource_verification =
    o.disable_challenge_resource_verification.unwrap_or(false);
  c.retry = NativeRetryOptions::apply(o.retry.as_ref(), c.retry);
  c
}

fn bundle_json(b: SecretBundle) -> serde_json::Value {
  serde_json::json!({
    "value": b.value.as_ref().map(Secret::expose),
    "properties": b.properties,
  })
}

fn page_json(p: SecretPage) -> serde_json::Value {
  serde_json::json!({ "items": p.items, "nextLink": p.next_link })
}

#[napi]
impl NativeSecretClient {
  /// A client whose tokens come from this azid credential's engine, in Rust.
  #[napi(factory)]
  pub fn with_credential(
    vault_url: String,
    credential: &NativeCredential,
    options: Option<NativeSecretClientOptions>,
  ) -> Result<Self> {
    let o = options.unwrap_or_default();
    let tenants = o.home_tenant.clone().map(|home| TenantPolicy {
      home,
      allowed: o.additionally_allowed_tenants.clone().unwrap_or_default(),
      pinned: o.tenant_pinned.unwrap_or(false),
    });
    let auth = VaultAuth::Engine { engine: credential.engine(), tenants };
    let inner = SecretClient::new(config(vault_url, &o), auth).map_err(to_napi)?;
    Ok(Self { inner: Arc::new(inner) })
  }

  /// A client that takes a bearer token with each call (any other `TokenCredential`).
  #[napi(factory)]
  pub fn external(vault_url: String, options: Option<NativeSecretClientOptions>) -> Result<Self> {
    let o = options.unwrap_or_default();
    let inner = SecretClient::new(config(vault_url, &o), VaultAuth::External).map_err(to_napi)?;
    Ok(Self { inner: Arc::new(inner) })
  }

  #[napi(getter)]
  pub fn vault_url(&self) -> String {
    self.inner.vault_url()
  }

  /// The vault's challenge (learned once): the scope and tenant a token must be for.
  #[napi]
  pub async fn challenge(&self) -> Result<NativeChallenge> {
    let c = self.inner.challenge().await.map_err(to_napi)?;
    Ok(NativeChallenge { scope: c.scope, tenant_id: c.tenant_id })
  }

  /// `{ value, properties }`; `bearer` only for external clients.
  #[napi(ts_return_type = "Promise<{ value: string | null; properties: Record<string, any> }>")]
  pub async fn get_secret(
    &self,
    name: String,
    version: Option<String>,
    bearer: Option<String>,
  ) -> Result<serde_json::Value> {
    let inner = self.inner.clone();
    let b = inner
      .get_secret(&name, version.as_deref().filter(|v| !v.is_empty()), bearer.map(Secret::new))
      .await
      .map_err(to_napi)?;
    Ok(bundle_json(b))
  }

  /// `{ items, nextLink }`: secrets, or the versions of `versionsOf`.
  #[napi(ts_return_type = "Promise<{ items: Record<string, any>[]; nextLink: string | null }>")]
  pub async fn list_page(
    &self,
    versions_of: Option<String>,
    next_link: Option<String>,
    bearer: Option<String>,
  ) -> Result<serde_json::Value> {
    let kind = versions_of.map_or(ListKind::Secrets, ListKind::Versions);
    let p = self
      .inner
      .list_page(&kind, next_link.as_deref(), bearer.map(Secret::new))
      .await
      .map_err(to_napi)?;
    Ok(page_json(p))
  }
}
