//! Azure Arc (HIMDS): a 401 challenge names a key file; the retry carries its contents
//! as `Authorization: Basic` (reference §2.5).

use serde_json::Value;

use super::arc_key::{read_key, realm_path, refused, token_folder};
use super::common::{finish, parse_endpoint, send_to, Ctx};
use super::UserAssignedId;
use crate::error::{Error, Result};
use crate::token::AccessToken;

const API_VERSION: &str = "2020-06-01";
pub(crate) const SOURCE: &str = "Azure Arc";
/// Where the agent listens when only its binary tells us it is installed.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:40342/metadata/identity/oauth2/token";

pub(crate) fn validate(endpoint: &str) -> Result<()> {
  parse_endpoint(SOURCE, "IDENTITY_ENDPOINT", endpoint).map(drop)
}

/// The response field that must echo a user-assigned selector, and its name on the wire.
fn selector(id: &UserAssignedId) -> (&'static str, &str) {
  match id {
    UserAssignedId::ClientId(v) => ("client_id", v),
    UserAssignedId::ObjectId(v) => ("object_id", v),
    UserAssignedId::ResourceId(v) => ("msi_res_id", v),
  }
}

pub(crate) async fn fetch(ctx: &Ctx<'_>, endpoint: &str, resource: &str) -> Result<AccessToken> {
  let folder = token_folder().ok_or_else(|| {
    Error::unavailable(format!(
      "{}: Azure Arc managed identity is supported on Linux and Windows only.",
      ctx.label
    ))
  })?;
  let mut url = parse_endpoint(SOURCE, "IDENTITY_ENDPOINT", endpoint)?;
  // The agent listens on IPv4 loopback; `localhost` may resolve to ::1 first.
  if url.host_str() == Some("localhost") {
    let _ = url.set_host(Some("127.0.0.1"));
  }
  {
    let mut q = url.query_pairs_mut();
    q.append_pair("api-version", API_VERSION).append_pair("resource", resource);
    if let Some(id) = ctx.id {
      let (name, value) = selector(id);
      q.append_pair(name, value);
    }
  }
  let first = send_to(ctx, "GET", &url, resource, |client| {
    client.get(url.clone()).header("Metadata", "true")
  })
  .await?;
  let response = if first.status == 401 {
    let header = first.headers.get("www-authenticate").and_then(|v| v.to_str().ok());
    let path = realm_path(ctx.label, header)?;
    let key = read_key(ctx.label, &path, &folder)?;
    let authorization = format!("Basic {}", key.expose());
    let second = send_to(ctx, "GET", &url, resource, |client| {
      client.get(url.clone()).header("Metadata", "true").header("Authorization", &authorization)
    })
    .await?;
    if second.status == 401 {
      return Err(refused(
        ctx.label,
        "the agent answered 401 again after the key file's contents were sent. Check that the Azure Connected Machine agent is healthy (azcmagent show).",
      ));
    }
    second
  } else {
    first
  };
  let token = finish(ctx, &url, &response, None)?;
  if let Some(id) = ctx.id {
    check_echo(ctx.label, id, &response.body)?;
  }
  Ok(token)
}

/// Fails closed: a user-assigned token is used only if the agent says it is for that id.
fn check_echo(label: &str, id: &UserAssignedId, body: &[u8]) -> Result<()> {
  let (field, wanted) = selector(id);
  let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
  match body.get(field).and_then(Value::as_str) {
    Some(got) if got.eq_ignore_ascii_case(wanted) => Ok(()),
    got => Err(Error::unavailable(format!(
      "{label}: the Azure Arc agent answered for {} instead of the requested {}. This agent does not serve that user-assigned identity; remove the id to use the machine's identity.",
      got.map_or_else(|| format!("an unnamed identity (no {field} in the answer)"), |g| format!("{field}={g}")),
      id.describe()
    ))),
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn user_assigned_answer_must_echo_the_id() {
    let id = UserAssignedId::ClientId("abc".into());
    assert!(check_echo("X", &id, br#"{"client_id":"ABC"}"#).is_ok());
    assert!(check_echo("X", &id, br#"{"client_id":"other"}"#).is_err());
    assert!(check_echo("X", &id, br#"{"access_token":"t"}"#).is_err());
    let res = UserAssignedId::ResourceId("/sub/x".into());
    assert!(check_echo("X", &res, br#"{"msi_res_id":"/sub/x"}"#).is_ok());
  }
}
