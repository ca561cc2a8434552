//! The assertion of `AzurePipelinesCredential`: the job's OIDC token for a service
//! connection, from `POST {SYSTEM_OIDCREQUESTURI}?api-version=7.1&serviceConnectionId=…`
//! with the job's `System.AccessToken` as bearer. Answer: `{"oidcToken": "<jwt>"}`.

use std::sync::Arc;

use super::federated::AssertionProvider;
use crate::engine::BoxFuture;
use crate::error::{Error, Result};
use crate::http::{send, RetryPolicy, Transport, TransportKind};
use crate::secret::Secret;

const API_VERSION: &str = "7.1";

pub struct PipelinesOidc {
  url: String,
  system_access_token: Secret,
  retry: RetryPolicy,
  transport: Transport,
}

impl PipelinesOidc {
  pub fn new(
    oidc_request_uri: &str,
    service_connection_id: &str,
    system_access_token: Secret,
    retry: RetryPolicy,
  ) -> Result<Self> {
    let mut url = url::Url::parse(oidc_request_uri).map_err(|_| {
      Error::invalid(
        "AzurePipelinesCredential: SYSTEM_OIDCREQUESTURI is not a URL; run inside an Azure Pipelines job (it sets the variable).",
      )
    })?;
    // The system access token goes as a bearer: never over plain http.
    if url.scheme() != "https" {
      return Err(Error::invalid(
        "AzurePipelinesCredential: SYSTEM_OIDCREQUESTURI must be an https URL (Azure Pipelines sets it so).",
      ));
    }
    url
      .query_pairs_mut()
      .append_pair("api-version", API_VERSION)
      .append_pair("serviceConnectionId", service_connection_id);
    Ok(Self {
      url: url.to_string(),
      system_access_token,
      retry,
      transport: Transport::shared(TransportKind::Proxied)?,
    })
  }
}

impl AssertionProvider for PipelinesOidc {
  fn assertion(self: Arc<Self>) -> BoxFuture<Result<Secret>> {
    Box::pin(async move {
      let host = url::Url::parse(&self.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
      let what = format!("OIDC token request to {host}");
      let response = send(&self.transport, &self.retry, &what, |client| {
        client
          .post(&self.url)
          .header("content-type", "application/json")
          .header("authorization", format!("Bearer {}", self.system_access_token.expose()))
          .header("x-tfs-fedauthredirect", "Suppress")
      })
      .await
      .map_err(|e| {
        Error::unavailable(format!(
          "could not reach the Azure Pipelines OIDC endpoint {host} after {} attempt(s): {}",
          e.attempts, e.message
        ))
      })?;
      if !response.is_success() {
        let hint = match response.status {
          401 | 403 => "check that systemAccessToken is the job's $(System.AccessToken)",
          404 => "check the serviceConnectionId (the service connection's id, not its name)",
          _ => "see the pipeline's service connection settings",
        };
        return Err(Error::AuthenticationFailed {
          message: format!(
            "AzurePipelinesCredential: the OIDC token request to {host} failed with HTTP {}; {hint}.",
            response.status
          ),
          status_code: response.status,
          error_response: Box::new(crate::error::ErrorResponse {
            error: "oidc_token_request_failed".into(),
            error_description: format!("HTTP {}", response.status),
            ..Default::default()
          }),
        });
      }
      let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
      match body.get("oidcToken").and_then(|t| t.as_str()).filter(|t| !t.is_empty()) {
        Some(token) => Ok(Secret::new(token)),
        None => Err(Error::AuthenticationFailed {
          message: format!(
            "AzurePipelinesCredential: the OIDC endpoint {host} answered without an oidcToken; check the service connection is of the workload identity federation kind."
          ),
          status_code: response.status,
          error_response: Box::new(crate::error::ErrorResponse {
            error: "invalid_oidc_response".into(),
            error_description: "no oidcToken in the response".into(),
            ..Default::default()
          }),
        }),
      }
    })
  }
}
