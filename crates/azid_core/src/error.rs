//! The engine's error type. Three kinds matter to callers: the credential cannot be
//! used here (`Unavailable`), the identity provider refused (`AuthenticationFailed`),
//! and a transient fault outlasted the retries (`TransientExhausted`); developer tools
//! add `ToolFailed`.

use serde::Serialize;

/// The OAuth error body of Entra ID or a managed identity endpoint, as parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
  pub error: String,
  pub error_description: String,
  pub error_codes: Vec<i64>,
  pub correlation_id: Option<String>,
  pub trace_id: Option<String>,
  pub timestamp: Option<String>,
}

impl ErrorResponse {
  /// The first AADSTS code, if the body carried one.
  pub fn aadsts(&self) -> Option<i64> {
    self.error_codes.first().copied()
  }
}

/// A Key Vault failure. `code`/`inner_code` are the service's (e.g. `Forbidden` /
/// `ForbiddenByRbac`); `service_message` is its message verbatim (never a secret value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyVaultFailure {
  pub message: String,
  pub status_code: u16,
  pub code: String,
  pub inner_code: Option<String>,
  pub service_message: String,
  pub request_id: Option<String>,
  pub attempts: u32,
  pub retry_after_ms: Option<u64>,
}

#[derive(Debug, Clone, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Error {
  /// The credential cannot be tried in this environment (configuration missing,
  /// endpoint unreachable, identity not assigned). A chain moves on.
  #[error("{message}")]
  #[serde(rename_all = "camelCase")]
  Unavailable {
    message: String,
    status_code: Option<u16>,
    error_response: Option<Box<ErrorResponse>>,
  },

  /// The identity provider answered with a definite refusal.
  #[error("{message}")]
  #[serde(rename_all = "camelCase")]
  AuthenticationFailed { message: String, status_code: u16, error_response: Box<ErrorResponse> },

  /// Transient failures (connection errors, 408, 429, 5xx) lasted past every retry.
  #[error("{message}")]
  #[serde(rename_all = "camelCase")]
  TransientExhausted {
    message: String,
    host: String,
    attempts: u32,
    status_code: Option<u16>,
    error_response: Option<Box<ErrorResponse>>,
    retry_after_ms: Option<u64>,
  },

  /// The caller passed something that can never work (bad scope, bad tenant id...).
  #[error("{message}")]
  InvalidArgument { message: String },

  /// Key Vault answered with an error, throttled past the retries, or sent a challenge
  /// that may not be answered (boxed: it is the largest kind).
  #[error("{}", .0.message)]
  KeyVault(Box<KeyVaultFailure>),

  /// A developer tool (az, azd, pwsh) ran and failed in a way that logging in does not
  /// fix. `error_response` carries the AADSTS code and correlation id found in its stderr.
  #[error("{message}")]
  #[serde(rename_all = "camelCase")]
  ToolFailed {
    message: String,
    tool: String,
    exit_code: Option<i32>,
    error_response: Option<Box<ErrorResponse>>,
  },
}

impl Error {
  pub fn invalid(message: impl Into<String>) -> Self {
    Self::InvalidArgument { message: message.into() }
  }

  pub fn unavailable(message: impl Into<String>) -> Self {
    Self::Unavailable { message: message.into(), status_code: None, error_response: None }
  }

  /// A stable machine-readable code, used as the JS error `code`.
  pub fn code(&self) -> &'static str {
    match self {
      Self::Unavailable { .. } => "CredentialUnavailable",
      Self::AuthenticationFailed { .. } => "AuthenticationFailed",
      Self::TransientExhausted { .. } => "TransientExhausted",
      Self::InvalidArgument { .. } => "InvalidArgument",
      Self::ToolFailed { .. } => "ToolFailed",
      Self::KeyVault(_) => "KeyVault",
    }
  }

  /// The whole error as JSON, for the binding to rebuild a typed JS error.
  pub fn to_json(&self) -> String {
    serde_json::to_string(self).unwrap_or_else(|_| format!("{{\"kind\":\"{}\"}}", self.code()))
  }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
