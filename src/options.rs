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
  /// Set for a rotating secret source: the engine is keyed on it, not on the secret.
  pub source_id: Option<String>,
  pub retry: Option<NativeRetryOptions>,
  pub regional_authority: Option<String>,
  pub region_name: Option<String>,
  pub token_cache: Option<NativeTokenCacheOptions>,
}

#[napi(object)]
pub struct NativeManagedIdentityOptions {
  /// `imds` (default), `appService`, `azureArc`, `serviceFabric`, `cloudShell` or `azureMl`.
  pub source: Option<String>,
  /// Base URL of IMDS (`http://169.254.169.254` or the pod identity override).
  pub imds_endpoint: String,
  /// `IDENTITY_ENDPOINT` or `MSI_ENDPOINT` for the other sources.
  pub endpoint: Option<String>,
  /// `IDENTITY_HEADER` or `MSI_SECRET`: a secret, kept in `Secret`.
  pub identity_header: Option<String>,
  /// `IDENTITY_SERVER_THUMBPRINT` (Service Fabric).
  pub server_thumbprint: Option<String>,
  /// `DEFAULT_IDENTITY_CLIENT_ID` (Azure ML).
  pub default_client_id: Option<String>,
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

/// What every Entra ID credential is configured with.
#[napi(object)]
pub struct NativeEntraOptions {
  pub authority_host: String,
  pub tenant_id: String,
  pub client_id: String,
  pub retry: Option<NativeRetryOptions>,
  /// `regionalAuthority` / `AZURE_REGIONAL_AUTHORITY_NAME`: a region or `TryAutoDetect`.
  pub regional_authority: Option<String>,
  /// `REGION_NAME`, the only source auto-detection reads.
  pub region_name: Option<String>,
  /// A shared (Redis) and/or file cache behind the engine's memory.
  pub token_cache: Option<NativeTokenCacheOptions>,
}

/// A certificate: exactly one of a path, PEM text or bytes (PEM or PKCS#12).
#[napi(object)]
pub struct NativeCertificateOptions {
  pub certificate_path: Option<String>,
  pub certificate: Option<String>,
  pub certificate_bytes: Option<napi::bindgen_prelude::Buffer>,
  pub certificate_password: Option<String>,
  pub send_certificate_chain: Option<bool>,
  /// Set for a rotating certificate source (function, Key Vault secret): the engine is
  /// keyed on it, and `certificate`/`certificateBytes` are its first value, if known yet.
  pub source_id: Option<String>,
}

#[napi(object)]
pub struct NativeClientCertificateOptions {
  pub entra: NativeEntraOptions,
  pub certificate: NativeCertificateOptions,
}

#[napi(object)]
pub struct NativeWorkloadIdentityOptions {
  pub entra: NativeEntraOptions,
  pub token_file_path: String,
}

#[napi(object)]
pub struct NativeAzurePipelinesOptions {
  pub entra: NativeEntraOptions,
  pub oidc_request_uri: String,
  pub service_connection_id: String,
  pub system_access_token: String,
}

#[napi(object)]
pub struct NativeOnBehalfOfOptions {
  pub entra: NativeEntraOptions,
  pub client_secret: Option<String>,
  pub certificate: Option<NativeCertificateOptions>,
  pub user_assertion_token: String,
}
