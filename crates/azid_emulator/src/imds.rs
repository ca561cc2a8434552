//! The IMDS managed-identity endpoint (reference §2.2): plain HTTP, string-valued JSON.

use hyper::header::{HeaderName, SERVER};
use hyper::{Method, Response};
use serde_json::json;

use crate::http::{self, Body, Req};
use crate::mi_token::{self, SelectorNames};
use crate::server::Shared;
use crate::state::IdentitySelector;

pub(crate) const TOKEN_PATH: &str = "/metadata/identity/oauth2/token";
const SERVER_HEADER: &str = "IMDS/150.870.65.1325";

/// Every IMDS answer carries the `Server: IMDS/...` header, errors included.
pub(crate) fn with_server_header(mut resp: Response<Body>) -> Response<Body> {
  http::set_header(&mut resp, SERVER, SERVER_HEADER);
  resp
}

pub(crate) fn error(status: u16, error: &str, description: &str) -> Response<Body> {
  with_server_header(http::json(
    status,
    json!({"error": error, "error_description": description}).to_string(),
  ))
}

/// Default body of an injected IMDS fault.
pub(crate) fn fault_error(status: u16) -> Response<Body> {
  let code = match status {
    429 => "too_many_requests",
    500..=599 => "unknown",
    _ => "invalid_request",
  };
  error(status, code, "Injected by the azid emulator")
}

pub(crate) fn not_found() -> Response<Body> {
  error(404, "not_found", "Resource not found")
}

/// IMDS takes `msi_res_id`; `mi_res_id` is accepted too, as real IMDS does.
const SELECTORS: SelectorNames = &[
  ("client_id", IdentitySelector::ClientId),
  ("object_id", IdentitySelector::ObjectId),
  ("msi_res_id", IdentitySelector::ResourceId),
  ("mi_res_id", IdentitySelector::ResourceId),
];

/// `GET /metadata/identity/oauth2/token`
pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  if req.method != Method::GET {
    return error(405, "invalid_request", "Only GET is supported");
  }
  // The SSRF guard. DefaultAzureCredential's probe sends no header and expects this 400.
  if !req.header("metadata").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
    return error(400, "bad_request_102", "Required metadata header not specified");
  }
  if matches!(req.query_param("api-version"), None | Some("")) {
    return error(400, "invalid_request", "Required query variable 'api-version' is missing");
  }
  let Some(resource) = req.query_param("resource").map(str::trim).filter(|r| !r.is_empty()) else {
    return error(
      400,
      "invalid_resource",
      "Required query variable 'resource' is missing or empty",
    );
  };
  let identity = match mi_token::identity(shared, req, SELECTORS) {
    Ok(identity) => identity,
    Err(resp) => return *resp,
  };
  let (access_token, now, lifetime) = mi_token::mint(shared, &identity, resource);
  // IMDS sends every value as a string.
  let body = json!({
      "access_token": access_token,
      "client_id": identity.client_id,
      "expires_in": lifetime.to_string(),
      "expires_on": (now + lifetime).to_string(),
      "ext_expires_in": lifetime.to_string(),
      "not_before": now.to_string(),
      "resource": resource,
      "token_type": "Bearer",
  });
  let mut resp = with_server_header(http::json(200, body.to_string()));
  http::set_header(&mut resp, HeaderName::from_static("cache-control"), "no-store");
  resp
}
