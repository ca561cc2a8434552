//! Entra (AADSTS) error bodies, shaped like the real ones (reference §1.7).

use serde_json::json;

use crate::clock;

/// One Entra error: HTTP status, OAuth `error`, AADSTS code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AadError {
  pub status: u16,
  pub error: &'static str,
  pub code: u32,
  pub message: String,
}

impl AadError {
  fn new(status: u16, error: &'static str, code: u32, message: impl Into<String>) -> Self {
    AadError { status, error, code, message: message.into() }
  }

  /// The JSON body: `error_description` starts `AADSTS<n>: ` and ends with the three trailer lines.
  pub fn body(&self, trace_id: &str, correlation_id: &str) -> String {
    let ts = clock::entra_timestamp(clock::now_secs());
    let description = format!(
      "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {ts}",
      self.code, self.message
    );
    json!({
        "error": self.error,
        "error_description": description,
        "error_codes": [self.code],
        "timestamp": ts,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
    })
    .to_string()
  }

  pub fn post_only(method: &str) -> Self {
    Self::new(
      400,
      "invalid_request",
      900561,
      format!("The endpoint only accepts POST requests. Received a {method} request."),
    )
  }

  /// Client credentials need a real tenant. Entra answers AADSTS9001023 for /common and
  /// /consumers; we use the same code for /organizations too.
  pub fn tenant_not_allowed(tenant: &str) -> Self {
    Self::new(
            400,
            "invalid_request",
            9001023,
            format!("The grant type is not supported over the /{tenant} endpoint. Please use a tenant-specific endpoint."),
        )
  }

  pub fn tenant_not_found(tenant: &str) -> Self {
    Self::new(
            400,
            "invalid_tenant",
            90002,
            format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
        )
  }

  pub fn missing_parameter(name: &str) -> Self {
    Self::new(
      400,
      "invalid_request",
      900144,
      format!("The request body must contain the following parameter: '{name}'."),
    )
  }

  pub fn unsupported_grant_type(grant: &str) -> Self {
    Self::new(
      400,
      "unsupported_grant_type",
      70003,
      format!("The app requested an unsupported grant type '{grant}'."),
    )
  }

  pub fn app_not_found(client_id: &str, tenant: &str) -> Self {
    Self::new(
            400,
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        )
  }

  pub fn no_credential() -> Self {
    Self::new(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
  }

  pub fn assertion_key_not_found(thumbprint: &str, client_id: &str) -> Self {
    Self::new(
      401,
      "invalid_client",
      700027,
      format!("Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]"),
    )
  }

  pub fn assertion_bad_signature(thumbprint: &str) -> Self {
    Self::new(
      401,
      "invalid_client",
      700027,
      format!("Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '{thumbprint}']"),
    )
  }

  pub fn assertion_audience(aud: &str, expected: &str) -> Self {
    Self::new(
      401,
      "invalid_client",
      700027,
      format!("Client assertion failed signature validation. [Reason - The audience claim '{aud}' is not the token endpoint '{expected}'.]"),
    )
  }

  pub fn assertion_subject_mismatch() -> Self {
    Self::new(
      401,
      "invalid_client",
      50048,
      "Subject mismatches Issuer claim in the client assertion.",
    )
  }

  pub fn assertion_expired() -> Self {
    Self::new(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
  }

  pub fn assertion_malformed() -> Self {
    Self::new(401, "invalid_client", 50027, "JWT token is invalid or malformed.")
  }

  pub fn federation_none(client_id: &str) -> Self {
    Self::new(
      401,
      "invalid_client",
      70021,
      format!("No matching federated identity record found for presented assertion. The app '{client_id}' has no federated identity credentials."),
    )
  }

  pub fn federation_issuer(iss: &str) -> Self {
    Self::new(
      401,
      "invalid_client",
      700211,
      format!("No matching federated identity record found for presented assertion issuer '{iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."),
    )
  }

  pub fn federation_subject(sub: &str, iss: &str) -> Self {
    Self::new(
      401,
      "invalid_client",
      700213,
      format!("No matching federated identity record found for presented assertion subject '{sub}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. Assertion Issuer: '{iss}'."),
    )
  }

  pub fn federation_audience(aud: &str) -> Self {
    Self::new(
      401,
      "invalid_client",
      700212,
      format!("No matching federated identity record found for presented assertion audience '{aud}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."),
    )
  }

  pub fn obo_expired() -> Self {
    Self::new(
      400,
      "invalid_grant",
      500133,
      "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.",
    )
  }

  pub fn obo_invalid(why: &str) -> Self {
    Self::new(
      400,
      "invalid_grant",
      50013,
      format!("Assertion failed signature validation. [Reason - {why}]"),
    )
  }

  pub fn wrong_secret(client_id: &str) -> Self {
    Self::new(
            401,
            "invalid_client",
            7000215,
            format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
        )
  }

  pub fn scope_needs_default(scope: &str) -> Self {
    Self::new(
            400,
            "invalid_scope",
            1002012,
            format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        )
  }

  pub fn scope_two_resources(scope: &str) -> Self {
    Self::new(
            400,
            "invalid_scope",
            700022,
            format!("The provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid."),
        )
  }

  pub fn scope_invalid(scope: &str) -> Self {
    Self::new(
            400,
            "invalid_scope",
            70011,
            format!("The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
        )
  }

  /// Default body of an injected fault with this status.
  pub fn for_fault_status(status: u16) -> Self {
    match status {
            429 => Self::new(
                429,
                "temporarily_unavailable",
                90055,
                "TenantThrottlingError - There are too many incoming requests. This exception is thrown for blocked tenants. (Injected by the azid emulator.)",
            ),
            500..=599 => Self::new(
                status,
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again. (Injected by the azid emulator.)",
            ),
            _ => Self::new(
                status,
                "invalid_request",
                90100,
                "Invalid request. (Injected by the azid emulator.)",
            ),
        }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn body_has_trailer_and_fields() {
    let body = AadError::wrong_secret("app").body("t-1", "c-1");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let d = v["error_description"].as_str().unwrap();
    assert!(d.starts_with("AADSTS7000215: "));
    assert!(d.contains("\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\nTimestamp: "));
    assert!(d.ends_with('Z'));
    assert_eq!(v["error_codes"][0], 7000215);
    assert_eq!(v["error"], "invalid_client");
    assert_eq!(v["timestamp"].as_str().unwrap().len(), 20);
  }
}
