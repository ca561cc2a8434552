//! Turns token endpoint responses (Entra ID and managed identity) into tokens or typed errors.

use serde_json::Value;

use crate::error::{Error, ErrorResponse, Result};
use crate::expiry;
use crate::http::{HttpResponse, SendError};
use crate::secret::Secret;
use crate::token::{now_ms, AccessToken};

/// A JWT `exp` earlier than the stated expiry by more than this is believed instead.
const EXP_DISAGREEMENT_MS: u64 = 60_000;

/// Parses a 2xx token response. `label` names the credential in errors.
pub fn token_from_response(label: &str, response: &HttpResponse) -> Result<AccessToken> {
  let malformed = |why: &str| Error::AuthenticationFailed {
    message: format!(
      "{label}: the token endpoint answered HTTP {} with a response that is not a token ({why})",
      response.status
    ),
    status_code: response.status,
    error_response: Box::new(ErrorResponse {
      error: "invalid_response".into(),
      error_description: why.into(),
      ..Default::default()
    }),
  };
  let body: Value =
    serde_json::from_slice(&response.body).map_err(|_| malformed("body is not JSON"))?;
  let token = body
    .get("access_token")
    .and_then(Value::as_str)
    .filter(|t| !t.is_empty())
    .ok_or_else(|| malformed("no access_token"))?;
  let now = now_ms();
  let stated = expiry::expires_on_ms(body.get("expires_on"))
    .or_else(|| expiry::seconds(body.get("expires_in")).map(|s| now + s * 1000));
  let from_jwt = expiry::jwt_exp_ms(token);
  let expires_on = match (stated, from_jwt) {
    (Some(s), Some(j)) if s > j + EXP_DISAGREEMENT_MS || s <= now => j,
    (Some(s), _) => s,
    (None, Some(j)) => j,
    (None, None) => return Err(malformed("no expires_in, expires_on or JWT exp")),
  };
  if expires_on <= now {
    return Err(malformed("the token has already expired"));
  }
  let refresh_in = expiry::seconds(body.get("refresh_in")).map(|s| s * 1000);
  let token_type = body.get("token_type").and_then(Value::as_str).unwrap_or("Bearer").to_string();
  Ok(AccessToken::new(Secret::new(token), token_type, now, expires_on, refresh_in))
}

/// Parses an OAuth (`error`, `error_description`, `error_codes`...) or ARM
/// (`{"error":{"code","message"}}`) error body.
pub fn parse_error_body(status: u16, body: &[u8]) -> ErrorResponse {
  let fallback = || ErrorResponse {
    error: if status == 400 { "invalid_request" } else { "unknown_error" }.into(),
    error_description: untrusted_excerpt(body),
    ..Default::default()
  };
  let Ok(json) = serde_json::from_slice::<Value>(body) else { return fallback() };
  let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
  match json.get("error") {
    Some(Value::String(error)) => ErrorResponse {
      error: error.clone(),
      error_description: text(json.get("error_description")).unwrap_or_default(),
      error_codes: json
        .get("error_codes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default(),
      correlation_id: text(json.get("correlation_id")),
      trace_id: text(json.get("trace_id")),
      timestamp: text(json.get("timestamp")),
    },
    Some(Value::Object(arm)) => ErrorResponse {
      error: text(arm.get("code")).unwrap_or_else(|| "unknown_error".into()),
      error_description: text(arm.get("message")).unwrap_or_default(),
      ..Default::default()
    },
    _ => fallback(),
  }
}

/// A non-JSON body (a proxy's or firewall's page) is untrusted: it may echo the request form.
/// Show a short cleaned excerpt, or nothing at all if it looks like form data or credentials.
fn untrusted_excerpt(body: &[u8]) -> String {
  let text = String::from_utf8_lossy(&body[..body.len().min(2048)]);
  let lower = text.to_ascii_lowercase();
  let echoes_form = (lower.contains('=') && lower.contains('&'))
    || ["secret", "assertion", "password", "token="].iter().any(|w| lower.contains(w));
  if echoes_form {
    return format!("({} byte non-JSON body, not shown: it may echo request data)", body.len());
  }
  let excerpt = super::developer_cli::stderr::sanitize(&text);
  if body.is_empty() {
    "(empty body)".into()
  } else {
    excerpt.chars().take(300).collect()
  }
}

/// What to do about the common AADSTS codes.
fn hint(codes: &[i64]) -> Option<&'static str> {
  Some(match codes.first()? {
    7_000_215 => "The client secret is wrong: use the secret's Value (not its Secret ID) from the app registration.",
    7_000_222 => "The client secret has expired: create a new one in the app registration and update the configuration.",
    7_000_218 => "No client credential was sent: configure a client secret or certificate.",
    700_016 => "The application was not found in this tenant: check the client id and tenant id, and that the app is consented in that tenant.",
    90_002 => "The tenant was not found: check the tenant id and the authority host (sovereign clouds have their own).",
    1_002_012 | 70_011 | 700_022 => "Use exactly one scope of the form '<resource>/.default' for app-only tokens.",
    700_027 | 50_012 => "The client assertion or certificate was rejected: check the certificate registered on the app.",
    700_024 => "The client assertion is outside its valid time range: check the clock, or that the federated token file is being refreshed.",
    50_048 => "The client assertion's iss and sub must both be the client id.",
    70_021 | 700_211 | 700_212 | 700_213 | 7_002_138 => "No federated identity credential of the app matches the token's issuer, subject and audience (compared exactly, case-sensitive): check the app's federated credentials.",
    500_133 => "The user's access token has expired: get a new one from the client before calling on-behalf-of.",
    7_000_114 => "This application may not use the on-behalf-of flow.",
    7_000_112 | 70_001 => "The application is disabled in this tenant.",
    50_196 => "Too many identical requests: cache tokens (azid does) and do not create a credential per call.",
    _ => return None,
  })
}

/// Builds the error for a non-2xx response. Retryable statuses that outlasted the
/// retries are `TransientExhausted`; other statuses are `AuthenticationFailed`.
pub fn error_from_response(
  label: &str,
  host: &str,
  response: &HttpResponse,
  retryable: bool,
) -> Error {
  let parsed = parse_error_body(response.status, &response.body);
  let mut message =
    format!("{label} authentication failed: {} (HTTP {}", parsed.error, response.status);
  if let Some(code) = parsed.aadsts() {
    message.push_str(&format!(", AADSTS{code}"));
  }
  if let Some(c) = &parsed.correlation_id {
    message.push_str(&format!(", correlation id {c}"));
  }
  message.push(')');
  let first_line = parsed.error_description.lines().next().unwrap_or("").trim();
  if !first_line.is_empty() {
    message.push_str(&format!(": {first_line}"));
  }
  if let Some(h) = hint(&parsed.error_codes) {
    message.push_str(&format!(" {h}"));
  }
  if retryable {
    let retry_after_ms = response.retry_after.map(|d| d.as_millis() as u64);
    message = format!("{message} (gave up after {} attempt(s) to {host})", response.attempts);
    return Error::TransientExhausted {
      message,
      host: host.to_string(),
      attempts: response.attempts,
      status_code: Some(response.status),
      error_response: Some(Box::new(parsed)),
      retry_after_ms,
    };
  }
  Error::AuthenticationFailed {
    message,
    status_code: response.status,
    error_response: Box::new(parsed),
  }
}

/// A request that never got a response.
pub fn error_from_send(label: &str, e: SendError) -> Error {
  Error::TransientExhausted {
    message: format!(
      "{label}: could not reach {} after {} attempt(s): {}",
      e.host, e.attempts, e.message
    ),
    host: e.host,
    attempts: e.attempts,
    status_code: None,
    error_response: None,
    retry_after_ms: None,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse::for_test(status, body)
  }

  #[test]
  fn parses_expires_in_and_opaque_tokens() {
    let t = token_from_response(
      "X",
      &resp(200, r#"{"access_token":"opaque","expires_in":"3599","token_type":"Bearer"}"#),
    )
    .unwrap();
    let left = t.expires_on_ms - now_ms();
    assert!((3_598_000..=3_599_000).contains(&left));
    assert!(token_from_response("X", &resp(200, r#"{"access_token":"opaque"}"#)).is_err());
    assert!(token_from_response("X", &resp(200, "{not json")).is_err());
  }

  #[test]
  fn oauth_error_body_fields() {
    let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: 2023-05-06 06:03:00Z","error_codes":[7000215],"timestamp":"2023-05-06 06:03:00Z","trace_id":"t","correlation_id":"c"}"#;
    let e = error_from_response("ClientSecretCredential", "h", &resp(401, body), false);
    let Error::AuthenticationFailed { message, status_code, error_response } = e else {
      panic!("wrong kind")
    };
    assert_eq!(status_code, 401);
    assert_eq!(error_response.error_codes, vec![7000215]);
    assert_eq!(error_response.correlation_id.as_deref(), Some("c"));
    assert!(
      message.contains("AADSTS7000215") && message.contains("Value (not its Secret ID)"),
      "{message}"
    );
  }

  #[test]
  fn arm_and_plain_text_error_bodies() {
    assert_eq!(parse_error_body(500, br#"{"error":{"code":"Boom","message":"m"}}"#).error, "Boom");
    assert_eq!(parse_error_body(400, b"nope").error, "invalid_request");
    assert_eq!(parse_error_body(429, b"Too Many Requests").error, "unknown_error");
    assert_eq!(parse_error_body(429, b"Too Many Requests").error_description, "Too Many Requests");
    // A proxy that echoes the form never gets the secret into a message.
    let echoed =
      parse_error_body(502, b"bad gateway: grant_type=client_credentials&client_secret=hunter2");
    assert!(!echoed.error_description.contains("hunter2"), "{}", echoed.error_description);
  }
}
