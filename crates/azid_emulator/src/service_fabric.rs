//! Service Fabric's identity endpoint (reference §2.6), on its own HTTPS listener whose
//! self-signed certificate clients trust by thumbprint: `secret` header; `expires_on` a number.

use hyper::{Method, Response};
use serde_json::json;

use crate::http::{self, Body, Req};
use crate::imds::error;
use crate::mi_token;
use crate::server::Shared;
use crate::state::IdentitySelector;

pub(crate) const PATH: &str = "/metadata/identity/oauth2/token";

pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  if req.method != Method::GET {
    return error(405, "invalid_request", "Only GET is supported");
  }
  match req.header("secret") {
    None => return error(400, "invalid_request", "The secret header is missing"),
    Some(s) if !mi_token::secret_matches(Some(s), &shared.identity_header) => {
      return error(401, "unauthorized_client", "The secret header value is not valid")
    }
    Some(_) => {}
  }
  // The docs and msal-node send 2019-07-01-preview; MSAL.NET sends 2020-05-01.
  if !matches!(req.query_param("api-version"), Some("2019-07-01-preview" | "2020-05-01")) {
    return error(400, "invalid_request", "api-version must be 2019-07-01-preview or 2020-05-01");
  }
  let resource = match mi_token::resource(req.query_param("resource")) {
    Ok(r) => r,
    Err(resp) => return *resp,
  };
  let Some(identity) = shared.state.find_identity(&IdentitySelector::SystemAssigned) else {
    return error(400, "invalid_request", "Identity not found");
  };
  let (access_token, now, lifetime) = mi_token::mint(shared, &identity, &resource);
  let body = json!({
      "token_type": "Bearer",
      "access_token": access_token,
      "expires_on": now + lifetime,
      "resource": resource,
  });
  http::json(200, body.to_string())
}
