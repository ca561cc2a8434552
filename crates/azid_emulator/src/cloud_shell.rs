//! Cloud Shell's identity endpoint (reference §2.7): `POST` with `Metadata: true` and a
//! form body `resource=<r>`; the signed-in identity only; IMDS-shaped answer.

use hyper::{Method, Response};
use serde_json::json;

use crate::http::{self, find, Body, Req};
use crate::imds::error;
use crate::mi_token;
use crate::server::Shared;
use crate::state::IdentitySelector;

pub(crate) const PATH: &str = "/cloudshell/oauth2/token";

pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  if req.method != Method::POST {
    return error(405, "invalid_request", "Only POST is supported");
  }
  if !req.header("metadata").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
    return error(400, "bad_request_102", "Required metadata header not specified");
  }
  let form = req.form();
  let resource = match mi_token::resource(find(&form, "resource")) {
    Ok(r) => r,
    Err(resp) => return *resp,
  };
  let Some(identity) = shared.state.find_identity(&IdentitySelector::SystemAssigned) else {
    return error(400, "invalid_request", "Identity not found");
  };
  let (access_token, now, lifetime) = mi_token::mint(shared, &identity, &resource);
  let body = json!({
      "access_token": access_token,
      "expires_in": lifetime.to_string(),
      "expires_on": (now + lifetime).to_string(),
      "not_before": now.to_string(),
      "resource": resource,
      "token_type": "Bearer",
  });
  http::json(200, body.to_string())
}
