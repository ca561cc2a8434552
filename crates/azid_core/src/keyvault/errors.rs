//! Key Vault error responses turned into `Error::KeyVault`, with a hint that says what to fix.

use serde_json::Value;

use crate::error::{Error, KeyVaultFailure};
use crate::http::HttpResponse;

/// What to do about a service error, for the common codes.
fn hint(status: u16, code: &str, inner: Option<&str>) -> &'static str {
  match (status, code, inner) {
    (_, _, Some("ForbiddenByRbac")) => " Assign the caller a role that allows reading secrets (e.g. 'Key Vault Secrets User') on the vault or the secret.",
    (_, _, Some("AccessDenied")) => " Add a 'get' (and 'list') secret permission for the caller to the vault's access policy.",
    (_, _, Some("ForbiddenByFirewall")) => " Allow the caller's network in the vault's firewall, or use a private endpoint.",
    (_, _, Some("SecretDisabled")) => " Enable this version of the secret, or read another version.",
    (404, "SecretNotFound", _) => " Check the secret name and the vault URL.",
    (429, _, _) => " The vault throttled these requests past the retries; slow down or cache the secret.",
    (401, _, _) => " The token was refused; check that the credential's tenant is the vault's tenant.",
    _ => "",
  }
}

/// The error for a non-2xx vault response. `what` is e.g. `GET /secrets/db-password`.
pub fn error_from_vault(what: &str, response: &HttpResponse) -> Error {
  let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
  let error = body.get("error");
  let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
  let code = text(error.and_then(|e| e.get("code"))).unwrap_or_else(|| match response.status {
    404 => "NotFound".into(),
    429 => "Throttled".into(),
    s => format!("Http{s}"),
  });
  let inner_code = text(error.and_then(|e| e.get("innererror")).and_then(|i| i.get("code")));
  let service_message = text(error.and_then(|e| e.get("message"))).unwrap_or_default();
  let request_id =
    response.headers.get("x-ms-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
  let attempts = if response.attempts > 1 {
    format!(" after {} attempts", response.attempts)
  } else {
    String::new()
  };
  let inner = inner_code.as_deref().map(|i| format!(" ({i})")).unwrap_or_default();
  let first_line = service_message.lines().next().unwrap_or_default();
  Error::KeyVault(Box::new(KeyVaultFailure {
    message: format!(
      "SecretClient: {what} answered HTTP {} {code}{inner}{attempts}: {first_line}{}",
      response.status,
      hint(response.status, &code, inner_code.as_deref())
    ),
    status_code: response.status,
    code,
    inner_code,
    service_message,
    request_id,
    attempts: response.attempts,
    retry_after_ms: response.retry_after.map(|d| d.as_millis() as u64),
  }))
}

/// A 2xx whose body is not what the operation returns.
pub fn malformed(what: &str, status: u16) -> Error {
  Error::KeyVault(Box::new(KeyVaultFailure {
    message: format!("SecretClient: {what} answered HTTP {status} with a body that is not a Key Vault response. Check that the vault URL points at a Key Vault."),
    status_code: status,
    code: "InvalidResponse".into(),
    inner_code: None,
    service_message: String::new(),
    request_id: None,
    attempts: 1,
    retry_after_ms: None,
  }))
}

#[cfg(test)]
mod tests {
  use super::*;

  fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse::for_test(status, body)
  }

  #[test]
  fn forbidden_keeps_codes_and_says_what_to_fix() {
    let e = error_from_vault(
      "GET /secrets/a",
      &resp(
        403,
        r#"{"error":{"code":"Forbidden","message":"Caller is not authorized to perform action on resource.\r\nCaller: oid=x","innererror":{"code":"ForbiddenByRbac"}}}"#,
      ),
    );
    let Error::KeyVault(f) = e else { panic!() };
    let KeyVaultFailure { code, inner_code, status_code, message, .. } = *f;
    assert_eq!(
      (status_code, code.as_str(), inner_code.as_deref()),
      (403, "Forbidden", Some("ForbiddenByRbac"))
    );
    assert!(message.contains("Key Vault Secrets User"));
    assert!(!message.contains('\r'));
  }

  #[test]
  fn throttled_without_body() {
    let e = error_from_vault("GET /secrets/a", &HttpResponse { attempts: 4, ..resp(429, "") });
    let Error::KeyVault(f) = e else { panic!() };
    let KeyVaultFailure { code, message, .. } = *f;
    assert_eq!(code, "Throttled");
    assert!(message.contains("after 4 attempts"));
  }
}
