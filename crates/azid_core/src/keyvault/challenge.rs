//! The `WWW-Authenticate` challenge of a vault's 401, parsed as keyvault-common does,
//! and the check that its resource belongs to the vault's domain.

use crate::error::{Error, KeyVaultFailure, Result};

/// What a challenge tells the client: the scope to ask for and the tenant to ask in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
  /// `resource + "/.default"`, or the challenge's `scope`.
  pub scope: String,
  /// The first path segment of `authorization` (or `authorization_url`), if any.
  pub tenant_id: Option<String>,
}

/// Parses `Bearer authorization="https://login…/{tenant}", resource="https://vault.azure.net"`.
/// Parameters are split on commas and spaces; values keep what is inside their quotes.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
  let params =
    header.trim().strip_prefix("Bearer").or_else(|| header.trim().strip_prefix("bearer"))?;
  let mut authorization = None;
  let mut resource = None;
  let mut scope = None;
  for part in params.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
    let Some((key, value)) = part.split_once('=') else { continue };
    let value = value.trim().trim_matches('"').to_string();
    match key.trim() {
      "authorization" | "authorization_uri" | "authorization_url" => authorization = Some(value),
      "resource" => resource = Some(value),
      "scope" => scope = Some(value),
      _ => {}
    }
  }
  let scope = match (resource, scope) {
    (Some(r), _) if !r.is_empty() => format!("{}/.default", r.trim_end_matches('/')),
    (_, Some(s)) if !s.is_empty() => s,
    _ => return None,
  };
  let tenant_id = authorization
    .and_then(|a| url::Url::parse(&a).ok())
    .and_then(|u| u.path_segments().and_then(|mut s| s.next().map(str::to_string)))
    .filter(|t| !t.is_empty());
  Some(Challenge { scope, tenant_id })
}

/// The claims of a CAE challenge (`error="insufficient_claims", claims="<base64 JSON>"`),
/// decoded; `None` for any other challenge.
pub fn parse_claims_challenge(header: &str) -> Option<String> {
  use base64::Engine as _;
  let params = header.trim().strip_prefix("Bearer")?;
  let mut error = None;
  let mut claims = None;
  for part in params.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
    let Some((key, value)) = part.split_once('=') else { continue };
    // base64 padding is part of the value, so only the quotes come off.
    let value = value.trim().trim_matches('"').to_string();
    match key.trim() {
      "error" => error = Some(value),
      "claims" => claims = Some(value),
      _ => {}
    }
  }
  if error.as_deref() != Some("insufficient_claims") {
    return None;
  }
  let raw = claims?;
  let bytes = base64::engine::general_purpose::STANDARD
    .decode(&raw)
    .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')))
    .ok()?;
  let text = String::from_utf8(bytes).ok()?;
  serde_json::from_str::<serde_json::Value>(&text).ok().map(|_| text)
}

/// The request host must end with `.` + the scope's host, so a vault cannot ask for a
/// token to another service (keyvault-common's `verifyChallengeResource`).
pub fn verify_challenge_resource(challenge: &Challenge, request_host: &str) -> Result<()> {
  let scope_host = url::Url::parse(&challenge.scope)
    .ok()
    .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    .unwrap_or_default();
  let host = request_host.to_ascii_lowercase();
  if !scope_host.is_empty() && host.ends_with(&format!(".{scope_host}")) {
    return Ok(());
  }
  Err(Error::KeyVault(Box::new(KeyVaultFailure {
    message: format!(
      "SecretClient: the vault at {request_host} asked for a token for '{}', which is not in its domain, so no token was sent. Check the vault URL; if this vault really is served from another domain (an emulator, a private endpoint), pass disableChallengeResourceVerification: true.",
      challenge.scope
    ),
    status_code: 401,
    code: "ChallengeResourceMismatch".into(),
    inner_code: None,
    service_message: String::new(),
    request_id: None,
    attempts: 1,
    retry_after_ms: None,
  })))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn parses_resource_and_tenant() {
    let c = parse_challenge(
      r#"Bearer authorization="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net""#,
    )
    .unwrap();
    assert_eq!(c.scope, "https://vault.azure.net/.default");
    assert_eq!(c.tenant_id.as_deref(), Some("72f988bf-86f1-41af-91ab-2d7cd011db47"));
  }

  #[test]
  fn scope_form_and_no_commas() {
    let c = parse_challenge(
      r#"Bearer authorization="https://login.microsoftonline.com/t1" scope="https://vault.azure.net/.default""#,
    )
    .unwrap();
    assert_eq!(c.scope, "https://vault.azure.net/.default");
    assert_eq!(c.tenant_id.as_deref(), Some("t1"));
    assert!(parse_challenge("Basic realm=\"x\"").is_none());
    assert!(parse_challenge("Bearer authorization=\"https://h/t\"").is_none());
  }

  #[test]
  fn cae_claims_challenge_is_decoded() {
    let h = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzI2MDc3NTk1In19fQ==""#;
    assert_eq!(
      parse_claims_challenge(h).as_deref(),
      Some(r#"{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}"#)
    );
    assert!(parse_claims_challenge(
      r#"Bearer authorization="https://h/t", resource="https://vault.azure.net""#
    )
    .is_none());
    assert!(parse_claims_challenge(r#"Bearer error="insufficient_claims", claims="not base64!""#)
      .is_none());
  }

  #[test]
  fn resource_must_match_the_vault_domain() {
    let c =
      parse_challenge(r#"Bearer authorization="https://h/t", resource="https://vault.azure.net""#)
        .unwrap();
    assert!(verify_challenge_resource(&c, "myvault.vault.azure.net").is_ok());
    assert!(verify_challenge_resource(&c, "MYVAULT.Vault.Azure.Net").is_ok());
    assert!(verify_challenge_resource(&c, "evilvault.azure.net").is_err());
    assert!(verify_challenge_resource(&c, "vault.azure.net").is_err());
    let err = verify_challenge_resource(&c, "127.0.0.1").unwrap_err();
    assert_eq!(err.code(), "KeyVault");
    assert!(err.to_string().contains("disableChallengeResourceVerification"));
  }
}
