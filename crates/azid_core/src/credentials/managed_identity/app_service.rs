//! App Service, Functions and Container Apps (2019-08-01 protocol, reference §2.4).

use super::common::{finish, parse_endpoint, send_to, Ctx};
use super::UserAssignedId;
use crate::error::Result;
use crate::secret::Secret;
use crate::token::AccessToken;

const API_VERSION: &str = "2019-08-01";
pub(crate) const SOURCE: &str = "App Service";

pub(crate) fn validate(endpoint: &str) -> Result<()> {
  parse_endpoint(SOURCE, "IDENTITY_ENDPOINT", endpoint).map(drop)
}

pub(crate) async fn fetch(
  ctx: &Ctx<'_>,
  endpoint: &str,
  header: &Secret,
  resource: &str,
) -> Result<AccessToken> {
  let mut url = parse_endpoint(SOURCE, "IDENTITY_ENDPOINT", endpoint)?;
  {
    let mut q = url.query_pairs_mut();
    q.append_pair("api-version", API_VERSION).append_pair("resource", resource);
    // Note `mi_res_id` here, not IMDS's `msi_res_id`.
    match ctx.id {
      Some(UserAssignedId::ClientId(v)) => q.append_pair("client_id", v),
      Some(UserAssignedId::ObjectId(v)) => q.append_pair("principal_id", v),
      Some(UserAssignedId::ResourceId(v)) => q.append_pair("mi_res_id", v),
      None => &mut q,
    };
  }
  let response = send_to(ctx, "GET", &url, resource, |client| {
    client.get(url.clone()).header("X-IDENTITY-HEADER", header.expose())
  })
  .await?;
  finish(ctx, &url, &response, Some("IDENTITY_HEADER"))
}
