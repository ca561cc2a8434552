//! Azure Machine Learning compute: App Service's 2017 protocol on `MSI_ENDPOINT` with
//! the `secret` header; `clientid` is always sent (§2.7).

use super::common::{finish, parse_endpoint, send_to, Ctx};
use super::UserAssignedId;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::token::AccessToken;

const API_VERSION: &str = "2017-09-01";
pub(crate) const SOURCE: &str = "Azure ML";

pub(crate) fn validate(endpoint: &str) -> Result<()> {
  parse_endpoint(SOURCE, "MSI_ENDPOINT", endpoint).map(drop)
}

/// The `clientid` to send: the caller's client id, else the compute's default identity.
fn client_id<'a>(ctx: &'a Ctx<'_>, default_client_id: Option<&'a str>) -> Result<&'a str> {
  match ctx.id {
    Some(UserAssignedId::ClientId(id)) => Ok(id),
    Some(other) => Err(Error::unavailable(format!(
      "{}: Azure ML selects user-assigned identities by client id only ({} was given). Pass the identity's clientId instead.",
      ctx.label,
      other.describe()
    ))),
    None => default_client_id.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
      Error::unavailable(format!(
        "{}: Azure ML needs DEFAULT_IDENTITY_CLIENT_ID for the compute's own identity, and it is not set. Set it, or pass a clientId.",
        ctx.label
      ))
    }),
  }
}

pub(crate) async fn fetch(
  ctx: &Ctx<'_>,
  endpoint: &str,
  secret: &Secret,
  default_client_id: Option<&str>,
  resource: &str,
) -> Result<AccessToken> {
  let client_id = client_id(ctx, default_client_id)?;
  let mut url = parse_endpoint(SOURCE, "MSI_ENDPOINT", endpoint)?;
  url
    .query_pairs_mut()
    .append_pair("api-version", API_VERSION)
    .append_pair("resource", resource)
    .append_pair("clientid", client_id);
  let response = send_to(ctx, "GET", &url, resource, |client| {
    client.get(url.clone()).header("Metadata", "true").header("secret", secret.expose())
  })
  .await?;
  finish(ctx, &url, &response, Some("MSI_SECRET"))
}
