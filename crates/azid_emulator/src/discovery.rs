//! OIDC metadata, JWKS and instance discovery (reference §1.10).

use hyper::header::{HeaderName, CACHE_CONTROL};
use hyper::Response;
use serde_json::{json, Value};

use crate::errors::AadError;
use crate::http::{self, Body, Req};
use crate::server::Shared;
use crate::token_endpoint::is_multi_tenant_alias;

/// Discovery documents are cacheable, unlike token responses.
fn document(req: &Req, body: Value) -> Response<Body> {
  let trace_id = uuid::Uuid::new_v4().to_string();
  let echoed = req.client_request_id(&[]);
  let mut resp = http::json(200, body.to_string());
  http::add_entra_headers(&mut resp, &trace_id, echoed.as_deref());
  http::set_header(&mut resp, CACHE_CONTROL, "max-age=86400, private");
  http::set_header(&mut resp, HeaderName::from_static("access-control-allow-origin"), "*");
  resp
}

fn unknown_tenant(req: &Req, tenant: &str) -> Response<Body> {
  let trace_id = uuid::Uuid::new_v4().to_string();
  let echoed = req.client_request_id(&[]);
  let correlation_id = echoed.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
  let err = AadError::tenant_not_found(tenant);
  let mut resp = http::json(err.status, err.body(&trace_id, &correlation_id));
  http::add_entra_headers(&mut resp, &trace_id, echoed.as_deref());
  resp
}

fn known(shared: &Shared, tenant: &str) -> bool {
  is_multi_tenant_alias(tenant) || shared.state.has_tenant(tenant)
}

/// The issuer as Entra writes it: multi-tenant documents carry the literal `{tenantid}`.
fn issuer(shared: &Shared, tenant: &str) -> String {
  let t = if is_multi_tenant_alias(tenant) { "{tenantid}" } else { tenant };
  format!("{}/{t}/v2.0", shared.authority_host)
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`
pub(crate) fn openid_configuration(shared: &Shared, req: &Req, tenant: &str) -> Response<Body> {
  if !known(shared, tenant) {
    return unknown_tenant(req, tenant);
  }
  let base = format!("{}/{tenant}", shared.authority_host);
  let multi = is_multi_tenant_alias(tenant);
  let body = json!({
      "token_endpoint": format!("{base}/oauth2/v2.0/token"),
      "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      "jwks_uri": format!("{base}/discovery/v2.0/keys"),
      "response_modes_supported": ["query", "fragment", "form_post"],
      "subject_types_supported": ["pairwise"],
      "id_token_signing_alg_values_supported": ["RS256"],
      "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
      "scopes_supported": ["openid", "profile", "email", "offline_access"],
      "issuer": issuer(shared, tenant),
      "request_uri_parameter_supported": false,
      "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
      "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
      "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
      "http_logout_supported": true,
      "frontchannel_logout_supported": true,
      "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
      "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
      "kerberos_endpoint": format!("{base}/kerberos"),
      "tenant_region_scope": if multi { Value::Null } else { json!("NA") },
      "cloud_instance_name": "microsoftonline.com",
      "cloud_graph_host_name": "graph.windows.net",
      "msgraph_host": "graph.microsoft.com",
      "rbac_url": "https://pas.windows.net",
  });
  document(req, body)
}

/// `GET /{tenant}/discovery/v2.0/keys`
pub(crate) fn jwks(shared: &Shared, req: &Req, tenant: &str) -> Response<Body> {
  if !known(shared, tenant) {
    return unknown_tenant(req, tenant);
  }
  document(req, shared.signer.jwks(&issuer(shared, tenant)))
}

/// `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...`
///
/// The emulator is its own (only) alias, so MSAL keeps talking to it.
pub(crate) fn instance_discovery(shared: &Shared, req: &Req) -> Response<Body> {
  let tenant = req
    .query_param("authorization_endpoint")
    .and_then(|e| url::Url::parse(e).ok())
    .and_then(|u| u.path_segments().and_then(|mut s| s.next().map(str::to_string)))
    .filter(|t| !t.is_empty())
    .unwrap_or_else(|| "common".to_string());
  let host = shared.host_port();
  let body = json!({
      "tenant_discovery_endpoint": format!("{}/{tenant}/v2.0/.well-known/openid-configuration", shared.authority_host),
      "api-version": "1.1",
      "metadata": [{
          "preferred_network": host,
          "preferred_cache": host,
          "aliases": [host],
      }],
  });
  document(req, body)
}
