//! The on-behalf-of grant (§1.5): a middle-tier app trades a user's access token, issued
//! to it by this emulator, for a token to a downstream resource for the same user.

use serde_json::{json, Value};

use crate::client_assertion::decode;
use crate::clock;
use crate::errors::AadError;
use crate::jwt::stable_guid;
use crate::server::Shared;
use crate::state::AppRegistration;

/// Checks the user assertion: our signature, issued to this app, not expired. Returns its claims.
pub(crate) fn verify_user_assertion(
  shared: &Shared,
  app: &AppRegistration,
  assertion: &str,
) -> Result<Value, AadError> {
  let jws = decode(assertion).ok_or_else(|| AadError::obo_invalid("the assertion is not a JWT"))?;
  if !shared.signer.verify_signature(jws.signing_input, &jws.signature) {
    return Err(AadError::obo_invalid("the assertion was not issued by this authority"));
  }
  let aud = jws.claims.get("aud").and_then(Value::as_str).unwrap_or("");
  let id = app.client_id.to_ascii_lowercase();
  let aud = aud.to_ascii_lowercase();
  if aud != id && aud != format!("api://{id}") {
    return Err(AadError::obo_invalid("the assertion's audience is not this application"));
  }
  let exp = jws.claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
  if exp <= clock::now_secs() as i64 {
    return Err(AadError::obo_expired());
  }
  Ok(jws.claims)
}

/// The downstream token: the user's identity, this app as the client.
pub(crate) fn issue(
  shared: &Shared,
  app: &AppRegistration,
  tenant: &str,
  resource: &str,
  user: &Value,
) -> String {
  let now = clock::now_secs();
  let lifetime = app.token_lifetime_secs.unwrap_or_else(|| shared.state.token_lifetime());
  let tid = tenant.to_ascii_lowercase();
  let claims = json!({
    "aud": resource,
    "iss": format!("{}/{}/v2.0", shared.authority_host, tid),
    "iat": now,
    "nbf": now,
    "exp": now + lifetime,
    "tid": tid,
    "appid": app.client_id,
    "azp": app.client_id,
    "idtyp": "user",
    "oid": user.get("oid"),
    "sub": user.get("sub"),
    "upn": user.get("upn"),
    "scp": "user_impersonation",
    "ver": "2.0",
    "jti": uuid::Uuid::new_v4().to_string(),
  });
  json!({
    "token_type": "Bearer",
    "scope": format!("{resource}/.default"),
    "expires_in": lifetime,
    "ext_expires_in": lifetime,
    "access_token": shared.signer.sign(&claims),
  })
  .to_string()
}

/// A user's access token to `audience` (an app id or `api://…`), as a client app would
/// have received it; `expires_in_secs` may be negative for an expired one. For tests.
pub(crate) fn user_token(
  shared: &Shared,
  tenant: &str,
  audience: &str,
  upn: &str,
  expires_in_secs: i64,
) -> String {
  let now = clock::now_secs() as i64;
  let tid = tenant.to_ascii_lowercase();
  let oid = stable_guid(&format!("azid-emulator/user/{}", upn.to_ascii_lowercase()));
  let claims = json!({
    "aud": audience,
    "iss": format!("{}/{}/v2.0", shared.authority_host, tid),
    "iat": now.min(now + expires_in_secs) - 60,
    "nbf": now.min(now + expires_in_secs) - 60,
    "exp": now + expires_in_secs,
    "tid": tid,
    "idtyp": "user",
    "oid": oid,
    "sub": oid,
    "upn": upn,
    "scp": "access_as_user",
    "ver": "2.0",
  });
  shared.signer.sign(&claims)
}
