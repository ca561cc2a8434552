//! The emulated vault's contents: secrets with their versions, and RBAC denials.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

use crate::clock;

/// Attributes given when a secret version is set (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretOptions {
  /// Default true; a disabled version answers 403 `SecretDisabled`.
  pub enabled: Option<bool>,
  /// Expiry, Unix seconds.
  pub exp: Option<u64>,
  /// Not-before, Unix seconds.
  pub nbf: Option<u64>,
  pub content_type: Option<String>,
  pub tags: BTreeMap<String, String>,
}

/// One version of a secret.
#[derive(Clone)]
pub(crate) struct SecretVersion {
  pub version: String,
  pub value: String,
  pub enabled: bool,
  pub exp: Option<u64>,
  pub nbf: Option<u64>,
  pub content_type: Option<String>,
  pub tags: BTreeMap<String, String>,
  pub created: u64,
}

// Hand-written so a debug print never shows the value.
impl fmt::Debug for SecretVersion {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.debug_struct("SecretVersion")
      .field("version", &self.version)
      .field("enabled", &self.enabled)
      .finish_non_exhaustive()
  }
}

/// A secret: its name as first set, and its versions, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct StoredSecret {
  pub name: String,
  pub versions: Vec<SecretVersion>,
}

/// Who may not read what. Both fields empty denies everyone everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccessDenial {
  /// A secret name (case-insensitive); `None` = every secret.
  pub secret_name: Option<String>,
  /// A caller's `oid` or `appid`; `None` = every caller.
  pub principal_id: Option<String>,
}

impl AccessDenial {
  fn matches(&self, secret: Option<&str>, principals: &[&str]) -> bool {
    let secret_ok = match (&self.secret_name, secret) {
      (None, _) => true,
      (Some(n), Some(s)) => n.eq_ignore_ascii_case(s),
      (Some(_), None) => false,
    };
    let principal_ok = match &self.principal_id {
      None => true,
      Some(p) => principals.iter().any(|c| c.eq_ignore_ascii_case(p)),
    };
    secret_ok && principal_ok
  }
}

#[derive(Debug, Default)]
pub(crate) struct VaultStore {
  secrets: RwLock<BTreeMap<String, StoredSecret>>,
  denials: RwLock<Vec<AccessDenial>>,
  /// The tenant the challenge names; empty = the default tenant.
  tenant: RwLock<String>,
}

/// Secret names are 1–127 characters of `[0-9A-Za-z-]`.
pub(crate) fn valid_name(name: &str) -> bool {
  (1..=127).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl VaultStore {
  /// Adds a new version and returns its id (32 lowercase hex characters).
  pub fn set(&self, name: &str, value: &str, options: SecretOptions) -> Result<String, String> {
    if !valid_name(name) {
      return Err(format!(
        "secret name '{name}' is invalid: use 1-127 characters of 0-9, a-z, A-Z and '-'"
      ));
    }
    let version = uuid::Uuid::new_v4().simple().to_string();
    let entry = SecretVersion {
      version: version.clone(),
      value: value.to_string(),
      enabled: options.enabled.unwrap_or(true),
      exp: options.exp,
      nbf: options.nbf,
      content_type: options.content_type,
      tags: options.tags,
      created: clock::now_secs(),
    };
    let mut secrets = self.secrets.write().unwrap_or_else(|e| e.into_inner());
    secrets
      .entry(name.to_ascii_lowercase())
      .or_insert_with(|| StoredSecret { name: name.to_string(), versions: Vec::new() })
      .versions
      .push(entry);
    Ok(version)
  }

  pub fn get(&self, name: &str) -> Option<StoredSecret> {
    self.secrets.read().unwrap_or_else(|e| e.into_inner()).get(&name.to_ascii_lowercase()).cloned()
  }

  /// Every secret, ordered by name.
  pub fn all(&self) -> Vec<StoredSecret> {
    self.secrets.read().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
  }

  pub fn tenant(&self) -> String {
    let t = self.tenant.read().unwrap_or_else(|e| e.into_inner()).clone();
    if t.is_empty() {
      crate::config::DEFAULT_TENANT_ID.to_string()
    } else {
      t
    }
  }

  pub fn set_tenant(&self, tenant: &str) {
    *self.tenant.write().unwrap_or_else(|e| e.into_inner()) = tenant.to_string();
  }

  pub fn deny(&self, denial: AccessDenial) {
    self.denials.write().unwrap_or_else(|e| e.into_inner()).push(denial);
  }

  pub fn clear_denials(&self) {
    self.denials.write().unwrap_or_else(|e| e.into_inner()).clear();
  }

  pub fn is_denied(&self, secret: Option<&str>, principals: &[&str]) -> bool {
    self
      .denials
      .read()
      .unwrap_or_else(|e| e.into_inner())
      .iter()
      .any(|d| d.matches(secret, principals))
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn versions_accumulate_and_names_fold_case() {
    let s = VaultStore::default();
    let v1 = s.set("Db-Password", "a", SecretOptions::default()).unwrap();
    let v2 = s.set("db-password", "b", SecretOptions::default()).unwrap();
    assert_ne!(v1, v2);
    assert_eq!(v1.len(), 32);
    let got = s.get("DB-PASSWORD").unwrap();
    assert_eq!(got.name, "Db-Password");
    assert_eq!(got.versions.len(), 2);
    assert!(s.set("bad_name", "x", SecretOptions::default()).is_err());
  }

  #[test]
  fn denials_match_secret_and_principal() {
    let s = VaultStore::default();
    s.deny(AccessDenial { secret_name: Some("a".into()), principal_id: None });
    s.deny(AccessDenial { secret_name: None, principal_id: Some("oid-1".into()) });
    assert!(s.is_denied(Some("A"), &["x"]));
    assert!(!s.is_denied(Some("b"), &["x"]));
    assert!(s.is_denied(Some("b"), &["OID-1"]));
    assert!(s.is_denied(None, &["oid-1"]));
  }
}
