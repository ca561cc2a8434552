//! App Service / Functions identity endpoint, 2019-08-01 (reference §2.4):
//! `GET /msi/token` with `X-IDENTITY-HEADER`; `expires_on` is a string and there is no `expires_in`.

use hyper::{Method, Response};
use serde_json::json;

use crate::http::{self, Body, Req};
use crate::imds::error;
use crate::mi_token::{self, SelectorNames};
use crate::server::Shared;
use crate::state::IdentitySelector;

pub(crate) const PATH: &str = "/msi/token";

const SELECTORS: SelectorNames = &[
  ("client_id", IdentitySelector::ClientId),
  ("principal_id", IdentitySelector::ObjectId),
  ("object_id", IdentitySelector::ObjectId),
  ("mi_res_id", IdentitySelector::ResourceId),
];

pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  if req.method != Method::GET {
    return error(405, "invalid_request", "Only GET is supported");
  }
  match req.header("x-identity-header") {
    None => return error(400, "invalid_request", "The X-IDENTITY-HEADER header is missing"),
    Some(h) if !mi_token::secret_matches(Some(h), &shared.identity_header) => {
      return error(401, "unauthorized_client", "The X-IDENTITY-HEADER value is not valid")
    }
    Some(_) => {}
  }
  if matches!(req.query_param("api-version"), None | Some("")) {
    return error(400, "invalid_request", "Required query variable 'api-version' is missing");
  }
  let resource = match mi_token::resource(req.query_param("resource")) {
    Ok(r) => r,
    Err(resp) => return *resp,
  };
  let identity = match mi_token::identity(shared, req, SELECTORS) {
    Ok(i) => i,
    Err(resp) => return *resp,
  };
  let (access_token, now, lifetime) = mi_token::mint(shared, &identity, &resource);
  let body = json!({
      "access_token": access_token,
      "expires_on": (now + lifetime).to_string(),
      "resource": resource,
      "token_type": "Bearer",
      "client_id": identity.client_id,
  });
  http::json(200, body.to_string())
}
