//! A token request, normalised so that equal requests share one cache entry.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
  /// Trimmed, de-duplicated and sorted.
  pub scopes: Vec<String>,
  /// The tenant to ask, when it differs from the credential's own (already allowed by the caller).
  pub tenant_id: Option<String>,
  /// A claims challenge (JSON). Present means: bypass the cached token.
  pub claims: Option<String>,
  pub enable_cae: bool,
  /// Skip the cached token (MSAL's `skipCache` / `forceRefresh`); the result replaces it.
  pub force_refresh: bool,
}

impl TokenRequest {
  pub fn new(
    scopes: &[String],
    tenant_id: Option<String>,
    claims: Option<String>,
    enable_cae: bool,
  ) -> Result<Self> {
    let mut normalised: Vec<String> =
      scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if normalised.is_empty() {
      return Err(Error::invalid(
        "At least one scope is required, e.g. 'https://management.azure.com/.default'.",
      ));
    }
    normalised.sort();
    normalised.dedup();
    if let Some(t) = &tenant_id {
      validate_tenant(t)?;
    }
    let claims = claims.filter(|c| !c.trim().is_empty());
    Ok(Self {
      scopes: normalised,
      tenant_id: tenant_id.filter(|t| !t.is_empty()),
      claims,
      enable_cae,
      force_refresh: false,
    })
  }

  /// The same request, bypassing the cached token.
  pub fn forced(mut self, force: bool) -> Self {
    self.force_refresh = force;
    self
  }

  /// The cache key within one credential. Claims are not part of it: a claims
  /// challenge replaces the entry's token, as MSAL does.
  pub fn cache_key(&self) -> String {
    let mut key = self.scopes.join(" ");
    key.push('\u{1}');
    key.push_str(self.tenant_id.as_deref().unwrap_or(""));
    if self.enable_cae {
      key.push_str("\u{1}cae");
    }
    key
  }

  /// Scopes for log lines (scopes are not secret).
  pub fn scopes_for_log(&self) -> String {
    self.scopes.join(" ")
  }
}

/// Tenant ids are GUIDs or domain names: `^[0-9a-zA-Z-.]+$`.
pub fn validate_tenant(tenant: &str) -> Result<()> {
  // A leading '-' is no tenant and would read as an option to az/azd.
  if tenant.is_empty()
    || tenant.starts_with('-')
    || !tenant.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
  {
    return Err(Error::invalid(format!(
      "Invalid tenant id '{}'. A tenant id is a GUID or a domain name (letters, digits, '-' and '.'); see https://learn.microsoft.com/partner-center/find-ids-and-domain-names",
      tenant.chars().take(64).collect::<String>()
    )));
  }
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn equal_scope_sets_share_a_key() {
    let a =
      TokenRequest::new(&["b/.default".into(), " a/.default".into()], None, None, false).unwrap();
    let b = TokenRequest::new(
      &["a/.default".into(), "b/.default".into(), "a/.default".into()],
      None,
      None,
      false,
    )
    .unwrap();
    assert_eq!(a.cache_key(), b.cache_key());
    let t =
      TokenRequest::new(&["a/.default".into()], Some("contoso.com".into()), None, false).unwrap();
    assert_ne!(
      t.cache_key(),
      TokenRequest::new(&["a/.default".into()], None, None, false).unwrap().cache_key()
    );
  }

  #[test]
  fn rejects_empty_scopes_and_bad_tenants() {
    assert!(matches!(
      TokenRequest::new(&[" ".into()], None, None, false),
      Err(Error::InvalidArgument { .. })
    ));
    assert!(TokenRequest::new(&["a".into()], Some("bad tenant/..".into()), None, false).is_err());
  }
}
