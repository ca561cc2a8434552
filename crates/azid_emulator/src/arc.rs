//! The Azure Arc agent's identity endpoint (reference §2.5): the first request gets a 401
//! whose `WWW-Authenticate: Basic realm=<file>` names a fresh key file; the retry must
//! carry `Authorization: Basic <contents of that file>`.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use hyper::header::{HeaderName, WWW_AUTHENTICATE};
use hyper::{Method, Response};
use serde_json::json;

use crate::http::{self, Body, Req};
use crate::imds::{error, with_server_header};
use crate::mi_token::{self, SelectorNames};
use crate::server::Shared;
use crate::state::IdentitySelector;

pub(crate) const PATH: &str = "/arc/metadata/identity/oauth2/token";

/// Arc takes IMDS's names (`msi_res_id`, not `mi_res_id`).
const SELECTORS: SelectorNames = &[
  ("client_id", IdentitySelector::ClientId),
  ("object_id", IdentitySelector::ObjectId),
  ("msi_res_id", IdentitySelector::ResourceId),
];

/// Key files issued and not yet redeemed. Files left over are removed on drop.
#[derive(Debug)]
pub(crate) struct Challenges {
  dir: PathBuf,
  issued: Mutex<HashMap<String, PathBuf>>,
  /// When set, challenges name this path instead of writing a file (to test clients' checks).
  realm_override: Mutex<Option<String>>,
  last_key: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
  m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Challenges {
  pub(crate) fn new(dir: PathBuf) -> Self {
    Self {
      dir,
      issued: Mutex::default(),
      realm_override: Mutex::default(),
      last_key: Mutex::default(),
    }
  }

  pub(crate) fn set_realm_override(&self, path: Option<String>) {
    *lock(&self.realm_override) = path;
  }

  /// The secret of the latest challenge (tests search logs for it).
  pub(crate) fn last_key(&self) -> Option<String> {
    lock(&self.last_key).clone()
  }

  /// Writes a new random key file readable by its owner only; returns its path.
  fn issue(&self) -> std::io::Result<String> {
    if let Some(path) = lock(&self.realm_override).clone() {
      return Ok(path);
    }
    std::fs::create_dir_all(&self.dir)?;
    let secret = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let path = self.dir.join(format!("{}.key", uuid::Uuid::new_v4().simple()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&path)?.write_all(secret.as_bytes())?;
    lock(&self.issued).insert(secret.clone(), path.clone());
    *lock(&self.last_key) = Some(secret);
    Ok(path.to_string_lossy().into_owned())
  }

  /// Whether `secret` is an issued key; each key works once and its file goes with it.
  fn redeem(&self, secret: &str) -> bool {
    match lock(&self.issued).remove(secret) {
      Some(path) => {
        let _ = std::fs::remove_file(path);
        true
      }
      None => false,
    }
  }
}

impl Drop for Challenges {
  fn drop(&mut self) {
    for path in lock(&self.issued).values() {
      let _ = std::fs::remove_file(path);
    }
  }
}

fn challenge(shared: &Shared, status_error: &str) -> Response<Body> {
  match shared.arc.issue() {
    Ok(path) => {
      let mut resp = error(401, "unauthorized", status_error);
      http::set_header(&mut resp, WWW_AUTHENTICATE, &format!("Basic realm={path}"));
      resp
    }
    Err(e) => error(500, "unknown", &format!("the emulator could not write the Arc key file: {e}")),
  }
}

pub(crate) fn handle(shared: &Shared, req: &Req) -> Response<Body> {
  if req.method != Method::GET {
    return error(405, "invalid_request", "Only GET is supported");
  }
  if !req.header("metadata").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
    return error(400, "bad_request_102", "Required metadata header not specified");
  }
  if matches!(req.query_param("api-version"), None | Some("")) {
    return error(400, "invalid_request", "Required query variable 'api-version' is missing");
  }
  let Some(authorization) = req.header("authorization") else {
    return challenge(shared, "Authentication required");
  };
  let presented = authorization.strip_prefix("Basic ").unwrap_or("").trim();
  if !shared.arc.redeem(presented) {
    return challenge(shared, "The key is not valid");
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
  let mut body = json!({
      "access_token": access_token,
      "client_id": identity.client_id,
      "expires_in": lifetime.to_string(),
      "expires_on": (now + lifetime).to_string(),
      "not_before": now.to_string(),
      "resource": resource,
      "token_type": "Bearer",
  });
  // Echo the selector, so clients can check the token is for the identity they named.
  if req.query_param("object_id").is_some() {
    body["object_id"] = json!(identity.object_id);
  }
  if req.query_param("msi_res_id").is_some() {
    body["msi_res_id"] = json!(identity.resource_id);
  }
  let mut resp = with_server_header(http::json(200, body.to_string()));
  http::set_header(&mut resp, HeaderName::from_static("cache-control"), "no-store");
  resp
}
