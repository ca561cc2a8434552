//! The Azure Instance Metadata Service (`GET /metadata/identity/oauth2/token`).

use super::UserAssignedId;
use crate::credentials::response::{error_from_response, parse_error_body, token_from_response};
use crate::error::{Error, Result};
use crate::http::{send, RetryPolicy, Transport};
use crate::token::AccessToken;

const API_VERSION: &str = "2018-02-01";

pub fn validate_base(base: &str) -> Result<()> {
  let url = url::Url::parse(base).map_err(|_| {
    Error::invalid(format!("ManagedIdentityCredential: the IMDS endpoint '{base}' is not a valid URL (check AZURE_POD_IDENTITY_AUTHORITY_HOST)."))
  })?;
  if url.scheme() != "http" && url.scheme() != "https" {
    return Err(Error::invalid(format!(
      "ManagedIdentityCredential: the IMDS endpoint '{base}' must be an http(s) URL."
    )));
  }
  Ok(())
}

pub async fn fetch(
  label: &str,
  transport: &Transport,
  policy: &RetryPolicy,
  base: &str,
  id: Option<&UserAssignedId>,
  resource: &str,
) -> Result<AccessToken> {
  let mut url = url::Url::parse(base).map_err(|_| Error::invalid("invalid IMDS endpoint"))?;
  url.set_path("/metadata/identity/oauth2/token");
  {
    let mut q = url.query_pairs_mut();
    q.append_pair("api-version", API_VERSION).append_pair("resource", resource);
    match id {
      Some(UserAssignedId::ClientId(v)) => q.append_pair("client_id", v),
      Some(UserAssignedId::ObjectId(v)) => q.append_pair("object_id", v),
      Some(UserAssignedId::ResourceId(v)) => q.append_pair("msi_res_id", v),
      None => &mut q,
    };
  }
  let host =
    format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(80));
  crate::azlog!(
    crate::log::Level::Info,
    "{label}: GET http://{host}/metadata/identity/oauth2/token (resource {resource})"
  );
  let what = format!("{label}: IMDS request to {host}");
  let response = send(transport, policy, &what, |client| client.get(url.clone()).header("Metadata", "true"))
    .await
    .map_err(|e| {
      let mut err = Error::unavailable(format!(
        "{label}: no managed identity endpoint answered at {host} ({}). This is not an Azure host with managed identity, or IMDS is blocked; set AZURE_POD_IDENTITY_AUTHORITY_HOST to point at another endpoint.",
        e.message
      ));
      if !e.connect {
        // It answered once but then failed: that is transient, not "not here".
        err = crate::credentials::response::error_from_send(label, e);
      }
      err
    })?;
  if response.is_success() {
    return token_from_response(label, &response);
  }
  let parsed = parse_error_body(response.status, &response.body);
  if response.status == 400
    && parsed.error_description.to_ascii_lowercase().contains("identity not found")
  {
    let which = id.map_or("the system-assigned identity".to_string(), |i| {
      format!("the user-assigned identity {}", i.describe())
    });
    return Err(Error::Unavailable {
      message: format!("{label}: IMDS answered 'Identity not found': {which} is not assigned to this resource. Assign it, or pass the id of an identity that is."),
      status_code: Some(400),
      error_response: Some(Box::new(parsed)),
    });
  }
  let retryable = policy.retry_statuses.contains(&response.status);
  Err(error_from_response(label, &host, &response, retryable))
}
