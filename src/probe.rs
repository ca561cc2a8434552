//! DefaultAzureCredential's IMDS probe, run by the engine's HTTP stack (never a proxy).

use std::time::Duration;

use napi_derive::napi;

use crate::error::to_napi;

/// Resolves when something answers at `endpoint` like IMDS; rejects with a
/// CredentialUnavailable error (as JSON) when nothing does within `timeout_ms`.
#[napi]
pub async fn probe_imds(endpoint: String, timeout_ms: u32) -> napi::Result<()> {
  azid_core::credentials::managed_identity::probe_imds(
    &endpoint,
    Duration::from_millis(timeout_ms.into()),
  )
  .await
  .map_err(to_napi)
}
