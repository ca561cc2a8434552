//! Requests to the vault: challenge, token check, RBAC, then get, list or versions.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hyper::header::HeaderName;
use hyper::{Method, Response};
use serde_json::{json, Map, Value};

use super::store::{SecretVersion, StoredSecret};
use super::VAULT_RESOURCE;
use crate::clock;
use crate::http::{self, Body, Req};
use crate::server::Shared;

/// Versions the service accepts (older ones appear in its own nextLinks).
const API_VERSIONS: &[&str] =
  &["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6-preview.2", "7.6", "2025-07-01"];
const MAX_RESULTS: usize = 25;

/// A Key Vault error: status, code, optional inner code, message.
struct KvError {
  status: u16,
  code: &'static str,
  inner: Option<&'static str>,
  message: String,
}

impl KvError {
  fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
    Self { status, code, inner: None, message: message.into() }
  }

  fn forbidden(inner: &'static str, message: impl Into<String>) -> Self {
    Self { status: 403, code: "Forbidden", inner: Some(inner), message: message.into() }
  }

  fn body(&self) -> String {
    let mut error = json!({"code": self.code, "message": self.message});
    if let Some(inner) = self.inner {
      error["innererror"] = json!({"code": inner});
    }
    json!({ "error": error }).to_string()
  }
}

/// The error body of an injected fault on the `keyvault` route, in the vault's dialect.
pub(crate) fn fault_body(status: u16) -> String {
  let e = match status {
    429 => KvError::new(
      429,
      "Throttled",
      "Operation failed because client was throttled. Reason: VaultRequestTypeLimitReached",
    ),
    401 => KvError::new(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token."),
    403 => KvError::forbidden("AccessDenied", "Access denied by an injected fault."),
    s if s >= 500 => KvError::new(
      s,
      "InternalServerError",
      "The service encountered an internal error. Please try again.",
    ),
    s => KvError::new(s, "BadParameter", "Rejected by an injected fault."),
  };
  e.body()
}

pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  let mut resp = match serve(shared, req) {
    Ok(body) => http::json(200, body.to_string()),
    Err(e) => {
      let mut resp = http::json(e.status, e.body());
      if e.status == 401 {
        http::set_header(
          &mut resp,
          HeaderName::from_static("www-authenticate"),
          &challenge(shared),
        );
      }
      resp
    }
  };
  http::set_header(
    &mut resp,
    HeaderName::from_static("x-ms-request-id"),
    &uuid::Uuid::new_v4().to_string(),
  );
  http::set_header(
    &mut resp,
    HeaderName::from_static("x-ms-keyvault-service-version"),
    "1.9.azid-emulator",
  );
  http::set_header(&mut resp, HeaderName::from_static("x-ms-keyvault-region"), "local");
  if let Some(id) = req
    .header("x-ms-client-request-id")
    .filter(|v| v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
  {
    http::set_header(&mut resp, HeaderName::from_static("x-ms-client-request-id"), id);
  }
  resp
}

/// `Bearer authorization="{authority}/{tenant}", resource="https://vault.azure.net"`.
fn challenge(shared: &Shared) -> String {
  format!(
    "Bearer authorization=\"{}/{}\", resource=\"{VAULT_RESOURCE}\"",
    shared.authority_host,
    shared.state.vault().tenant()
  )
}

fn serve(shared: &Shared, req: &Req) -> Result<Value, KvError> {
  let Some(token) = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")) else {
    return Err(KvError::new(
      401,
      "Unauthorized",
      "AKV10000: Request is missing a Bearer or PoP token.",
    ));
  };
  let claims = check_token(shared, token.trim())?;
  match req.query_param("api-version") {
    Some(v) if API_VERSIONS.contains(&v) => {}
    Some(v) => return Err(KvError::new(400, "BadParameter", format!("The specified version ({v}) is not recognized. Consider using the latest supported version (2025-07-01)."))),
    None => return Err(KvError::new(400, "BadParameter", "The api-version query parameter is missing.")),
  }
  if req.method != Method::GET {
    return Err(KvError::new(
      405,
      "MethodNotAllowed",
      format!("The azid emulator serves GET on secrets, not {}.", req.method),
    ));
  }
  let principals: Vec<&str> =
    ["oid", "appid"].iter().filter_map(|k| claims.get(*k).and_then(Value::as_str)).collect();
  let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
  let origin = &shared.authority_host;
  let vault = shared.state.vault();
  let forbidden_rbac = |action: &str, name: Option<&str>| {
    if vault.is_denied(name, &principals) {
      Err(KvError::forbidden(
        "ForbiddenByRbac",
        format!(
          "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: oid={}\r\nAction: 'Microsoft.KeyVault/vaults/secrets/{action}'\r\nResource: '{}'\r\nAssignment: (not found)\r\nVault: azid-emulator;location=local\r\n",
          principals.first().unwrap_or(&"unknown"),
          name.map_or("secrets".to_string(), |n| format!("secrets/{}", n.to_ascii_lowercase()))
        ),
      ))
    } else {
      Ok(())
    }
  };
  match segments.as_slice() {
    ["secrets"] => {
      forbidden_rbac("readMetadata/action", None)?;
      let items: Vec<Value> = vault
        .all()
        .iter()
        .filter_map(|s| s.versions.last().map(|v| properties(origin, &s.name, v, false)))
        .collect();
      page(req, origin, items)
    }
    ["secrets", name, "versions"] => {
      forbidden_rbac("readMetadata/action", Some(name))?;
      let secret = vault.get(name).ok_or_else(|| not_found(name, None))?;
      let items =
        secret.versions.iter().map(|v| properties(origin, &secret.name, v, true)).collect();
      page(req, origin, items)
    }
    ["secrets", name] | ["secrets", name, ""] => get(origin, vault, name, None, &forbidden_rbac),
    ["secrets", name, version] => get(origin, vault, name, Some(version), &forbidden_rbac),
    _ => Err(KvError::new(
      404,
      "NotFound",
      format!("The azid emulator's vault has no route {}", req.path),
    )),
  }
}

/// Answers 403 ForbiddenByRbac when a denial matches (action, secret name).
type RbacCheck<'a> = dyn Fn(&str, Option<&str>) -> Result<(), KvError> + 'a;

fn get(
  origin: &str,
  vault: &super::VaultStore,
  name: &str,
  version: Option<&str>,
  rbac: &RbacCheck<'_>,
) -> Result<Value, KvError> {
  rbac("getSecret/action", Some(name))?;
  let secret: StoredSecret = vault.get(name).ok_or_else(|| not_found(name, version))?;
  let found = match version {
    None => secret.versions.last(),
    Some(v) => secret.versions.iter().find(|s| s.version.eq_ignore_ascii_case(v)),
  };
  let v = found.ok_or_else(|| not_found(name, version))?;
  if !v.enabled {
    return Err(KvError::forbidden(
      "SecretDisabled",
      "Operation get is not allowed on a disabled secret.",
    ));
  }
  // The service serves expired secrets (exp is advisory); clients decide what to do.
  let mut bundle = properties(origin, &secret.name, v, true);
  bundle["value"] = json!(v.value);
  Ok(bundle)
}

fn not_found(name: &str, version: Option<&str>) -> KvError {
  let id = version.map_or(name.to_string(), |v| format!("{name}/{v}"));
  KvError::new(404, "SecretNotFound", format!("A secret with (name/id) {id} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"))
}

/// A bundle without its value; `id` with the version for gets and version lists.
fn properties(origin: &str, name: &str, v: &SecretVersion, with_version: bool) -> Value {
  let mut attributes = Map::new();
  attributes.insert("enabled".into(), json!(v.enabled));
  if let Some(nbf) = v.nbf {
    attributes.insert("nbf".into(), json!(nbf));
  }
  if let Some(exp) = v.exp {
    attributes.insert("exp".into(), json!(exp));
  }
  attributes.insert("created".into(), json!(v.created));
  attributes.insert("updated".into(), json!(v.created));
  attributes.insert("recoveryLevel".into(), json!("Recoverable+Purgeable"));
  attributes.insert("recoverableDays".into(), json!(90));
  let id = if with_version {
    format!("{origin}/secrets/{name}/{}", v.version)
  } else {
    format!("{origin}/secrets/{name}")
  };
  let mut out = json!({ "id": id, "attributes": attributes, "tags": v.tags });
  if let Some(ct) = &v.content_type {
    out["contentType"] = json!(ct);
  }
  out
}

/// One page of `items`: `maxresults` (1–25) from the `$skiptoken` offset, and a
/// `nextLink` with an explicit port and an older api-version, as the service writes it.
fn page(req: &Req, origin: &str, items: Vec<Value>) -> Result<Value, KvError> {
  let max = match req.query_param("maxresults") {
    None => MAX_RESULTS,
    Some(m) => match m.parse::<usize>() {
      Ok(n) if (1..=MAX_RESULTS).contains(&n) => n,
      _ => {
        return Err(KvError::new(
          400,
          "BadParameter",
          format!("maxresults must be between 1 and {MAX_RESULTS}, not '{m}'."),
        ))
      }
    },
  };
  let skip = match req.query_param("$skiptoken") {
    None => 0,
    Some(t) => URL_SAFE_NO_PAD
      .decode(t)
      .ok()
      .and_then(|b| String::from_utf8(b).ok())
      .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse::<usize>().ok()))
      .ok_or_else(|| {
        KvError::new(400, "BadParameter", "The $skiptoken is not one this vault issued.")
      })?,
  };
  let end = (skip + max).min(items.len());
  let value: Vec<Value> = items.get(skip..end).map(<[Value]>::to_vec).unwrap_or_default();
  let next = (end < items.len()).then(|| {
    let token = URL_SAFE_NO_PAD.encode(format!("offset:{end}"));
    format!("{origin}{}?api-version=7.2&$skiptoken={token}&maxresults={max}", req.path)
  });
  Ok(json!({ "value": value, "nextLink": next }))
}

/// A token this emulator signed, for the vault audience, not expired; else 401 as the
/// service words it.
fn check_token(shared: &Shared, token: &str) -> Result<Value, KvError> {
  let claims = shared.signer.verify(token).ok_or_else(|| {
    KvError::new(
      401,
      "Unauthorized",
      "AKV10022: Invalid audience or signature: the token was not issued by this emulator.",
    )
  })?;
  let aud = claims.get("aud").and_then(Value::as_str).unwrap_or_default();
  if aud.trim_end_matches('/') != VAULT_RESOURCE {
    return Err(KvError::new(
      401,
      "Unauthorized",
      format!("AKV10022: Invalid audience. Expected {VAULT_RESOURCE}, found: {aud}."),
    ));
  }
  let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
  if exp <= clock::now_secs() {
    return Err(KvError::new(401, "Unauthorized", "AKV10032: Token expired."));
  }
  Ok(claims)
}
