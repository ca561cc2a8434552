//! Azure ML's identity endpoint: App Service's 2017-09-01 protocol (reference §2.4, §2.7):
//! `secret` header, `clientid` always, legacy `expires_on` (`MM/dd/yyyy hh:mm:ss AM +00:00`).

use hyper::{Method, Response};
use serde_json::json;

use crate::clock;
use crate::http::{self, Body, Req};
use crate::imds::error;
use crate::mi_token;
use crate::server::Shared;
use crate::state::IdentitySelector;

pub(crate) const PATH: &str = "/ml/msi/token";

pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  if req.method != Method::GET {
    return error(405, "invalid_request", "Only GET is supported");
  }
  match req.header("secret") {
    None => return error(400, "invalid_request", "The secret header is missing"),
    Some(s) if !mi_token::secret_matches(Some(s), &shared.msi_secret) => {
      return error(401, "unauthorized_client", "The secret header value is not valid")
    }
    Some(_) => {}
  }
  if req.query_param("api-version") != Some("2017-09-01") {
    return error(400, "invalid_request", "api-version must be 2017-09-01");
  }
  let resource = match mi_token::resource(req.query_param("resource")) {
    Ok(r) => r,
    Err(resp) => return *resp,
  };
  let Some(client_id) = req.query_param("clientid").filter(|c| !c.is_empty()) else {
    return error(400, "invalid_request", "Required query variable 'clientid' is missing");
  };
  let Some(identity) =
    shared.state.find_identity(&IdentitySelector::ClientId(client_id.to_string()))
  else {
    return error(400, "invalid_request", "Identity not found");
  };
  let (access_token, now, lifetime) = mi_token::mint(shared, &identity, &resource);
  let body = json!({
      "access_token": access_token,
      "expires_on": clock::legacy_timestamp(now + lifetime),
      "resource": resource,
      "token_type": "Bearer",
      "client_id": identity.client_id,
  });
  http::json(200, body.to_string())
}
