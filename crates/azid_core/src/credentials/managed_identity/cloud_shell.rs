//! Azure Cloud Shell: a form POST to `MSI_ENDPOINT`; the signed-in user's identity only (§2.7).

use super::common::{finish, parse_endpoint, reject_user_assigned, send_to, Ctx};
use crate::error::Result;
use crate::token::AccessToken;

pub(crate) const SOURCE: &str = "Cloud Shell";

pub(crate) fn validate(endpoint: &str) -> Result<()> {
  parse_endpoint(SOURCE, "MSI_ENDPOINT", endpoint).map(drop)
}

pub(crate) async fn fetch(ctx: &Ctx<'_>, endpoint: &str, resource: &str) -> Result<AccessToken> {
  reject_user_assigned(ctx, SOURCE, "Cloud Shell issues tokens for the signed-in user only.")?;
  let url = parse_endpoint(SOURCE, "MSI_ENDPOINT", endpoint)?;
  let body =
    url::form_urlencoded::Serializer::new(String::new()).append_pair("resource", resource).finish();
  let response = send_to(ctx, "POST", &url, resource, |client| {
    client
      .post(url.clone())
      .header("Metadata", "true")
      .header("content-type", "application/x-www-form-urlencoded")
      .body(body.clone())
  })
  .await?;
  finish(ctx, &url, &response, None)
}
