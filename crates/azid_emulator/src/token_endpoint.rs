//! `POST /{tenant}/oauth2/v2.0/token`: client credentials (secret, certificate assertion or
//! federated token) and the on-behalf-of grant.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hyper::{Method, Response};
use serde_json::json;

use crate::client_assertion;
use crate::clock;
use crate::errors::AadError;
use crate::http::{self, find, Body, Req};
use crate::jwt::stable_guid;
use crate::on_behalf_of;
use crate::server::Shared;

const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Tenants that name no directory; client credentials need a real one.
pub(crate) fn is_multi_tenant_alias(tenant: &str) -> bool {
  ["common", "organizations", "consumers"].iter().any(|t| t.eq_ignore_ascii_case(tenant))
}

pub(crate) fn handle(shared: &Shared, req: &Req, tenant: &str) -> Response<Body> {
  let form = if req.method == Method::POST { req.form() } else { Vec::new() };
  let echoed = req.client_request_id(&form);
  let correlation_id = echoed.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
  let trace_id = uuid::Uuid::new_v4().to_string();
  let mut resp = match issue(shared, req, tenant, &form) {
    Ok(body) => http::json(200, body),
    Err(e) => http::json(e.status, e.body(&trace_id, &correlation_id)),
  };
  http::add_entra_headers(&mut resp, &trace_id, echoed.as_deref());
  resp
}

/// Validates in Entra's order and mints the token. Returns the JSON success body.
fn issue(
  shared: &Shared,
  req: &Req,
  tenant: &str,
  form: &[(String, String)],
) -> Result<String, AadError> {
  if req.method != Method::POST {
    return Err(AadError::post_only(req.method.as_str()));
  }
  if is_multi_tenant_alias(tenant) {
    return Err(AadError::tenant_not_allowed(&tenant.to_ascii_lowercase()));
  }
  let state = &shared.state;
  if !state.has_tenant(tenant) {
    return Err(AadError::tenant_not_found(tenant));
  }
  let grant =
    non_empty(form, "grant_type").ok_or_else(|| AadError::missing_parameter("grant_type"))?;
  let on_behalf_of = grant == JWT_BEARER_GRANT
    && find(form, "requested_token_use").is_some_and(|u| u == "on_behalf_of");
  if grant != "client_credentials" && !on_behalf_of {
    return Err(AadError::unsupported_grant_type(grant));
  }

  let basic = req.header("authorization").and_then(parse_basic);
  let client_id = non_empty(form, "client_id")
    .map(str::to_string)
    .or_else(|| basic.as_ref().map(|(id, _)| id.clone()))
    .filter(|id| !id.is_empty())
    .ok_or_else(|| AadError::missing_parameter("client_id"))?;
  let app = state
    .find_app(tenant, &client_id)
    .ok_or_else(|| AadError::app_not_found(&client_id, tenant))?;

  let secret = non_empty(form, "client_secret")
    .map(str::to_string)
    .or_else(|| basic.map(|(_, secret)| secret))
    .filter(|s| !s.is_empty());
  match (secret, non_empty(form, "client_assertion")) {
    (None, Some(assertion)) => {
      let token_endpoint = format!("{}/{}/oauth2/v2.0/token", shared.authority_host, tenant);
      let jws = client_assertion::decode(assertion).ok_or_else(AadError::assertion_malformed)?;
      if client_assertion::is_self_signed(&jws, &app.client_id) {
        client_assertion::verify_certificate_assertion(&app, &jws, &token_endpoint)?;
      } else {
        client_assertion::verify_federated_token(&app, &jws)?;
      }
    }
    (None, None) => return Err(AadError::no_credential()),
    (Some(given), _) => match &app.client_secret {
      Some(expected) if !constant_time_eq(given.as_bytes(), expected.as_bytes()) => {
        return Err(AadError::wrong_secret(&app.client_id))
      }
      _ => {}
    },
  }

  // On-behalf-of: the user assertion must be a token this emulator issued to this app.
  let user = if on_behalf_of {
    let assertion =
      non_empty(form, "assertion").ok_or_else(|| AadError::missing_parameter("assertion"))?;
    Some(on_behalf_of::verify_user_assertion(shared, &app, assertion)?)
  } else {
    None
  };

  let scope = find(form, "scope").ok_or_else(|| AadError::missing_parameter("scope"))?;
  let resource = resource_of_scope(scope)?;
  if let Some(user) = user {
    return Ok(on_behalf_of::issue(shared, &app, tenant, &resource, &user));
  }

  let now = clock::now_secs();
  let lifetime = app.token_lifetime_secs.unwrap_or_else(|| state.token_lifetime());
  let tid = tenant.to_ascii_lowercase();
  // A service principal's object ID: stable per app, so callers can assert on it.
  let oid = stable_guid(&format!("azid-emulator/app/{}", app.client_id.to_ascii_lowercase()));
  let claims = json!({
      "aud": resource,
      "iss": format!("{}/{}/v2.0", shared.authority_host, tid),
      "iat": now,
      "nbf": now,
      "exp": now + lifetime,
      "tid": tid,
      "appid": app.client_id,
      "azp": app.client_id,
      "azpacr": "1",
      "idtyp": "app",
      "oid": oid,
      "sub": oid,
      "ver": "2.0",
      "uti": URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes()),
      "jti": uuid::Uuid::new_v4().to_string(),
  });
  let mut body = json!({
      "token_type": "Bearer",
      "expires_in": lifetime,
      "ext_expires_in": lifetime,
      "access_token": shared.signer.sign(&claims),
  });
  if let Some(refresh_in) = state.refresh_in() {
    body["refresh_in"] = json!(refresh_in);
  }
  Ok(body.to_string())
}

fn non_empty<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
  find(form, name).filter(|v| !v.trim().is_empty())
}

/// RFC 6749 §2.3.1: `Basic base64(urlencode(id) ":" urlencode(secret))`.
fn parse_basic(header: &str) -> Option<(String, String)> {
  let (scheme, encoded) = header.trim().split_once(' ')?;
  if !scheme.eq_ignore_ascii_case("basic") {
    return None;
  }
  let decoded = STANDARD.decode(encoded.trim()).ok()?;
  let decoded = String::from_utf8(decoded).ok()?;
  let (id, secret) = decoded.split_once(':')?;
  Some((http::form_decode(id), http::form_decode(secret)))
}

/// So response timing says nothing about how much of a wrong secret matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
  a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

enum ScopeItem<'a> {
  Default(&'a str),
  Permission,
  Invalid,
}

/// Reference §1.2: exactly one `{resource}/.default`; OIDC scopes are ignored.
fn resource_of_scope(scope: &str) -> Result<String, AadError> {
  let items: Vec<&str> = scope
    .split_whitespace()
    .filter(|s| !["openid", "profile", "offline_access"].iter().any(|o| o.eq_ignore_ascii_case(s)))
    .collect();
  let mut resources: Vec<&str> = Vec::new();
  let mut has_permission = false;
  for item in &items {
    match classify_scope(item) {
      ScopeItem::Default(r) => {
        if !resources.iter().any(|x| x.eq_ignore_ascii_case(r)) {
          resources.push(r);
        }
      }
      ScopeItem::Permission => has_permission = true,
      ScopeItem::Invalid => return Err(AadError::scope_invalid(scope)),
    }
  }
  if resources.len() > 1 {
    return Err(AadError::scope_two_resources(scope));
  }
  if has_permission {
    return Err(AadError::scope_needs_default(scope));
  }
  resources.first().map(|r| r.to_string()).ok_or_else(|| AadError::scope_invalid(scope))
}

fn classify_scope(s: &str) -> ScopeItem<'_> {
  if let Some(resource) = s.strip_suffix("/.default") {
    return if is_resource(resource) { ScopeItem::Default(resource) } else { ScopeItem::Invalid };
  }
  // `User.Read`, or `https://graph.microsoft.com/User.Read`: a permission, not `.default`.
  let (prefix, name) = match s.rsplit_once('/') {
    Some((p, n)) => (Some(p), n),
    None => (None, s),
  };
  let name_ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
    && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
  let prefix_ok = match prefix {
    None => !s.contains("://"),
    // A URI needs a host before the permission: `https://host` alone is not a scope.
    Some(p) => is_resource(p) && !p.ends_with(":/") && p.contains(['.', ':']),
  };
  if name_ok && prefix_ok {
    ScopeItem::Permission
  } else {
    ScopeItem::Invalid
  }
}

fn is_resource(r: &str) -> bool {
  !r.is_empty()
    && !r.starts_with(['/', '.'])
    && !r.ends_with("://")
    && !r.contains(".default")
    && r.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
  use super::*;

  fn code(scope: &str) -> Option<u32> {
    resource_of_scope(scope).err().map(|e| e.code)
  }

  #[test]
  fn scopes() {
    assert_eq!(
      resource_of_scope("https://graph.microsoft.com/.default openid profile offline_access")
        .unwrap(),
      "https://graph.microsoft.com"
    );
    assert_eq!(
      resource_of_scope("https://database.windows.net//.default").unwrap(),
      "https://database.windows.net/"
    );
    assert_eq!(resource_of_scope("api://x/.default").unwrap(), "api://x");
    assert_eq!(code("User.Read"), Some(1002012));
    assert_eq!(code("https://graph.microsoft.com/User.Read"), Some(1002012));
    assert_eq!(code("https://a.example/.default https://b.example/.default"), Some(700022));
    assert_eq!(code("/.default"), Some(70011));
    assert_eq!(code("https://graph.microsoft.com"), Some(70011));
    assert_eq!(code("openid profile"), Some(70011));
    assert_eq!(code("bad!scope"), Some(70011));
    assert_eq!(code(""), Some(70011));
  }

  #[test]
  fn basic_credentials() {
    let header = format!("Basic {}", STANDARD.encode("my%3Aapp:s%2Bcr+t"));
    assert_eq!(parse_basic(&header), Some(("my:app".to_string(), "s+cr t".to_string())));
    assert_eq!(parse_basic("Bearer x"), None);
  }
}
