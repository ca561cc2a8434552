//! The control API under `/_emulator/` (HTTPS listener only), so any process can drive the emulator.

use hyper::{Method, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::faults::Fault;
use crate::http::{self, Body, Req};
use crate::keyvault::{AccessDenial, SecretOptions};
use crate::route::Route;
use crate::server::Shared;
use crate::state::{AppRegistration, IdentityRegistration, ServiceConnection};
use crate::{client_assertion, on_behalf_of};

/// `POST /_emulator/secrets`: a new version of a secret.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretBody {
  name: String,
  value: String,
  #[serde(flatten)]
  options: SecretOptions,
}

pub(crate) const PREFIX: &str = "/_emulator";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantBody {
  tenant_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserTokenBody {
  tenant_id: String,
  audience: String,
  upn: Option<String>,
  expires_in_secs: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultBody {
  route: Route,
  #[serde(default)]
  fault: Fault,
}

fn ok(status: u16, body: Value) -> Response<Body> {
  http::json(status, body.to_string())
}

fn bad_request(message: impl std::fmt::Display) -> Response<Body> {
  ok(400, json!({"error": "bad_request", "message": message.to_string()}))
}

/// A rejected admin request: answered 400 with this message.
struct BadRequest(String);

impl<E: std::fmt::Display> From<E> for BadRequest {
  fn from(e: E) -> Self {
    BadRequest(e.to_string())
  }
}

fn parse<T: for<'de> Deserialize<'de>>(req: &Req) -> Result<T, BadRequest> {
  Ok(serde_json::from_slice(&req.body)?)
}

pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  route(shared, req).unwrap_or_else(|BadRequest(message)| bad_request(message))
}

fn route(shared: &Shared, req: &Req) -> Result<Response<Body>, BadRequest> {
  let state = &shared.state;
  let path = req.path.strip_prefix(PREFIX).unwrap_or("");
  let path = path.trim_end_matches('/');
  let resp = match (&req.method, path) {
    (&Method::POST, "/apps") => {
      let app: AppRegistration = parse(req)?;
      if app.tenant_id.trim().is_empty() || app.client_id.trim().is_empty() {
        return Err("tenantId and clientId are required".into());
      }
      client_assertion::validate_certificates(&app).map_err(|e| format!("certificates: {e}"))?;
      let body = json!({"tenantId": app.tenant_id, "clientId": app.client_id});
      state.register_app(app);
      ok(201, body)
    }
    (&Method::POST, "/identities") => {
      let identity: IdentityRegistration = parse(req)?;
      let identity = state.register_identity(identity);
      ok(201, json!(identity))
    }
    (&Method::POST, "/service-connections") => {
      let sc: ServiceConnection = parse(req)?;
      if sc.service_connection_id.is_empty() || sc.system_access_token.is_empty() {
        return Err("serviceConnectionId and systemAccessToken are required".into());
      }
      let sc = state.register_service_connection(sc);
      ok(
        201,
        json!({"serviceConnectionId": sc.service_connection_id, "issuer": sc.issuer, "subject": sc.subject}),
      )
    }
    (&Method::POST, "/user-tokens") => {
      let body: UserTokenBody = parse(req)?;
      let token = on_behalf_of::user_token(
        shared,
        &body.tenant_id,
        &body.audience,
        body.upn.as_deref().unwrap_or("user@azid.example"),
        body.expires_in_secs.unwrap_or(3600),
      );
      ok(201, json!({"accessToken": token}))
    }
    (&Method::POST, "/tenants") => {
      let body: TenantBody = parse(req)?;
      if body.tenant_id.trim().is_empty() {
        return Err("tenantId is required".into());
      }
      state.register_tenant(&body.tenant_id);
      ok(201, json!({"tenantId": body.tenant_id}))
    }
    (&Method::POST, "/secrets") => {
      let body: SecretBody = parse(req)?;
      let version = state.set_secret(&body.name, &body.value, body.options)?;
      ok(201, json!({"name": body.name, "version": version}))
    }
    (&Method::POST, "/secret-denials") => {
      let denial: AccessDenial = parse(req)?;
      state.deny_secret_access(denial.clone());
      ok(201, json!(denial))
    }
    (&Method::DELETE, "/secret-denials") => {
      state.clear_secret_denials();
      ok(200, json!({}))
    }
    (&Method::POST, "/vault") => {
      let body: TenantBody = parse(req)?;
      state.set_vault_tenant(&body.tenant_id);
      ok(200, json!({"tenantId": body.tenant_id}))
    }
    (&Method::GET, "/settings") => ok(200, settings(shared)),
    (&Method::POST, "/settings") => {
      let body: Map<String, Value> = parse(req)?;
      let secs = |key: &str| -> Result<Option<u64>, BadRequest> {
        match body.get(key) {
          None | Some(Value::Null) => Ok(None),
          Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("{key} must be a non-negative integer").into()),
        }
      };
      let token = secs("tokenLifetimeSecs")?;
      let imds = secs("imdsTokenLifetimeSecs")?;
      let refresh = secs("refreshInSecs")?;
      if let Some(s) = token {
        state.set_token_lifetime(s);
      }
      if let Some(s) = imds {
        state.set_imds_token_lifetime(s);
      }
      // Present-and-null clears refresh_in; absent leaves it alone.
      if body.contains_key("refreshInSecs") {
        state.set_refresh_in(refresh);
      }
      ok(200, settings(shared))
    }
    (&Method::GET, "/faults") => {
      let faults: Map<String, Value> = Route::ALL
        .into_iter()
        .filter_map(|r| state.fault(r).map(|f| (r.as_str().to_string(), json!(f))))
        .collect();
      ok(200, Value::Object(faults))
    }
    (&Method::POST, "/faults") => {
      let body: FaultBody = parse(req)?;
      state.set_fault(body.route, body.fault);
      ok(201, json!({"route": body.route}))
    }
    (&Method::DELETE, "/faults") => {
      state.clear_faults();
      ok(200, json!({}))
    }
    (&Method::DELETE, p) if p.starts_with("/faults/") => {
      let route: Route = p["/faults/".len()..].parse()?;
      state.clear_fault(route);
      ok(200, json!({}))
    }
    (&Method::GET, "/counts") => {
      let counts: Map<String, Value> = state
        .request_counts()
        .into_iter()
        .map(|(r, n)| (r.as_str().to_string(), json!(n)))
        .collect();
      ok(200, Value::Object(counts))
    }
    (&Method::DELETE, "/counts") => {
      state.reset_counts();
      ok(200, json!({}))
    }
    (&Method::GET, "/ca.pem") => {
      http::response(200, "application/x-pem-file", shared.ca_pem.clone())
    }
    (&Method::GET, "/info") => ok(200, shared.info()),
    _ => ok(
      404,
      json!({"error": "not_found", "message": format!("no admin route {} {}", req.method, req.path)}),
    ),
  };
  Ok(resp)
}

fn settings(shared: &Shared) -> Value {
  let s = &shared.state;
  json!({
      "tokenLifetimeSecs": s.token_lifetime(),
      "imdsTokenLifetimeSecs": s.imds_token_lifetime(),
      "refreshInSecs": s.refresh_in(),
  })
}
