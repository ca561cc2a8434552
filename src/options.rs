//! Options objects passed from the facade. Secrets arrive here and go straight into
//! `Secret`, which never prints itself.

use std::time::Duration;

use azid_core::http::RetryPolicy;
use napi_derive::napi;

use crate::token_cache::NativeTokenCacheOptions;

/// Retry settings, named as in `@azure/core-rest-pipeline`'s `retryOptions`.
#[napi(object)]
#[derive(Default)]
pub struct NativeRetryOptions {
  pub max_retries: Option<u32>,
  pub retry_delay_in_ms: Option<u32>,
  pub max_retry_delay_in_ms: Option<u32>,
  /// Timeout of one attempt.
  pub attempt_timeout_in_ms: Option<u32>,
}

impl NativeRetryOptions {
  pub fn apply(opts: Option<&NativeRetryOptions>, mut policy: RetryPolicy) -> RetryPolicy {
    if let Some(o) = opts {
      if let Some(n) = o.max_retries {
        policy.max_retries = n;
      }
      if let Some(ms) = o.retry_delay_in_ms {
        policy.base_delay = Duration::from_millis(ms.into());
      }
      if let Some(ms) = o.max_retry_delay_in_ms {
        policy.max_delay = Duration::from_millis(ms.into());
      }
      if let Some(ms) = o.attempt_timeout_in_ms {
        policy.attempt_timeout = Duration::from_millis(ms.into());
      }
    }
    policy
  }
}

#[napi(object)]
pub struct NativeClientSecretOptions {
  pub authority_host: String,
  pub tenant_id: String,
  pub client_id: String,
  pub client_secret: String,
  pub retry: Option<NativeRetryOptions>,
  pub token_cache: Option<NativeTokenCacheOptions>,
}

#[napi(object)]
pub struct NativeManagedIdentityOptions {
  /// Base URL of IMDS (`http://169.254.169.254` or the pod identity override).
  pub imds_endpoint: String,
  pub client_id: Option<String>,
  pub object_id: Option<String>,
  pub resource_id: Option<String>,
  pub retry: Option<NativeRetryOptions>,
  pub token_cache: Option<NativeTokenCacheOptions>,
}

/// Options of the developer tool credentials (az, azd, pwsh).
#[napi(object)]
pub struct NativeDeveloperCliOptions {
  pub tenant_id: Option<String>,
  /// Default 10 s; the tool is killed past it.
  pub process_timeout_in_ms: Option<u32>,
  /// az only.
  pub subscription: Option<String>,
  /// az only: this machine's UTC offset, for CLIs that print expiry in local time.
  pub local_offset_minutes: Option<i32>,
  pub token_cache: Option<NativeTokenCacheOptions>,
}

/// An access token as `@azure/core-auth` shapes it.
#[napi(object)]
pub struct NativeAccessToken {
  pub token: String,
  pub expires_on_timestamp: f64,
  pub refresh_after_timestamp: f64,
  pub token_type: String,
  /// Served from the cache (MSAL's `fromCache`).
  pub from_cache: bool,
}

impl From<&azid_core::AccessToken> for NativeAccessToken {
  fn from(t: &azid_core::AccessToken) -> Self {
    NativeAccessToken {
      token: t.token.expose().to_string(),
      expires_on_timestamp: t.expires_on_ms as f64,
      refresh_after_timestamp: t.refresh_after_ms as f64,
      token_type: t.token_type.clone(),
      from_cache: true,
    }
  }
}
