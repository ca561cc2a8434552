//! Service Fabric: https to the cluster's identity endpoint with the `secret` header;
//! the cluster certificate is trusted by chain or by published thumbprint (§2.6).

use super::common::{finish, parse_endpoint, reject_user_assigned, send_to, Ctx};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::token::AccessToken;

const API_VERSION: &str = "2019-07-01-preview";
pub(crate) const SOURCE: &str = "Service Fabric";

pub(crate) fn validate(endpoint: &str) -> Result<()> {
  let url = parse_endpoint(SOURCE, "IDENTITY_ENDPOINT", endpoint)?;
  if url.scheme() != "https" {
    return Err(Error::invalid(format!(
      "ManagedIdentityCredential (Service Fabric): IDENTITY_ENDPOINT='{endpoint}' must be https; the secret header is never sent in clear."
    )));
  }
  Ok(())
}

pub(crate) async fn fetch(
  ctx: &Ctx<'_>,
  endpoint: &str,
  header: &Secret,
  resource: &str,
) -> Result<AccessToken> {
  reject_user_assigned(
    ctx,
    SOURCE,
    "the cluster configuration decides which identity an application gets.",
  )?;
  let mut url = parse_endpoint(SOURCE, "IDENTITY_ENDPOINT", endpoint)?;
  url.query_pairs_mut().append_pair("api-version", API_VERSION).append_pair("resource", resource);
  let response = send_to(ctx, "GET", &url, resource, |client| {
    client.get(url.clone()).header("secret", header.expose())
  })
  .await
  .map_err(|e| match e {
    Error::Unavailable { message, .. } if message.contains("certificate") => {
      Error::unavailable(format!(
        "{}: the Service Fabric endpoint's TLS certificate is not trusted: its chain does not validate and its SHA-1 thumbprint differs from IDENTITY_SERVER_THUMBPRINT. Check that IDENTITY_SERVER_THUMBPRINT is the cluster certificate's thumbprint. ({message})",
        ctx.label
      ))
    }
    other => other,
  })?;
  finish(ctx, &url, &response, Some("IDENTITY_HEADER"))
}
