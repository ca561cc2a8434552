//! Azure Pipelines' OIDC token route (`SYSTEM_OIDCREQUESTURI`):
//! `POST {uri}?api-version=7.1&serviceConnectionId=…` with the job's `System.AccessToken`
//! as a bearer token answers `{"oidcToken": "<jwt>"}` for a registered service connection.

use hyper::{Method, Response};
use serde_json::json;

use crate::client_assertion::EXCHANGE_AUDIENCE;
use crate::clock;
use crate::http::{self, Body, Req};
use crate::server::Shared;

pub(crate) const OIDC_PATH: &str = "/_pipelines/oidctoken";

/// Lifetime of the OIDC tokens handed out (Azure DevOps uses minutes, not hours).
const OIDC_LIFETIME_SECS: u64 = 600;

fn error(status: u16, message: &str) -> Response<Body> {
  http::json(status, json!({ "message": message, "typeKey": "AzidEmulatorException" }).to_string())
}

pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  if req.method != Method::POST {
    return error(405, "The OIDC token endpoint only accepts POST.");
  }
  if req.query_param("api-version").is_none() {
    return error(400, "No api-version was supplied for the POST request.");
  }
  let Some(id) = req.query_param("serviceConnectionId").filter(|s| !s.is_empty()) else {
    return error(400, "The serviceConnectionId query parameter is required.");
  };
  let Some(sc) = shared.state.find_service_connection(id) else {
    return error(404, &format!("Service connection {id} was not found."));
  };
  let bearer = req
    .header("authorization")
    .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
    .unwrap_or("");
  if bearer.is_empty() || bearer != sc.system_access_token {
    return error(401, "The System.AccessToken is missing or not valid for this pipeline.");
  }
  let now = clock::now_secs();
  let claims = json!({
    "iss": sc.issuer,
    "sub": sc.subject,
    "aud": EXCHANGE_AUDIENCE,
    "iat": now,
    "nbf": now,
    "exp": now + OIDC_LIFETIME_SECS,
    "jti": uuid::Uuid::new_v4().to_string(),
  });
  http::json(200, json!({ "oidcToken": shared.signer.sign(&claims) }).to_string())
}
