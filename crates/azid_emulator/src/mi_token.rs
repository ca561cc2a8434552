//! What every managed identity route shares: picking the identity from the request's
//! selector, and minting its token.

use hyper::Response;
use serde_json::json;

use crate::clock;
use crate::config::DEFAULT_TENANT_ID;
use crate::http::{Body, Req};
use crate::imds::error;
use crate::server::Shared;
use crate::state::{IdentityRegistration, IdentitySelector};

// Errors are boxed: a response is large and these paths are rare.

/// Query parameter names a route accepts, and what each selects by.
pub(crate) type SelectorNames = &'static [(&'static str, fn(String) -> IdentitySelector)];

/// The identity named by at most one of `names`; system-assigned if none.
pub(crate) fn identity(
  shared: &Shared,
  req: &Req,
  names: SelectorNames,
) -> Result<IdentityRegistration, Box<Response<Body>>> {
  let mut selectors: Vec<IdentitySelector> = names
    .iter()
    .filter_map(|(name, make)| req.query_param(name).map(|v| make(v.to_string())))
    .collect();
  if selectors.len() > 1 {
    return Err(Box::new(error(
      400,
      "invalid_request",
      "Only one identity selector may be specified",
    )));
  }
  let selector = selectors.pop().unwrap_or(IdentitySelector::SystemAssigned);
  shared
    .state
    .find_identity(&selector)
    .ok_or_else(|| Box::new(error(400, "invalid_request", "Identity not found")))
}

/// A token for `identity` and `resource`: the signed JWT, its issue time and lifetime.
pub(crate) fn mint(
  shared: &Shared,
  identity: &IdentityRegistration,
  resource: &str,
) -> (String, u64, u64) {
  let now = clock::now_secs();
  let lifetime = shared.state.imds_token_lifetime();
  let claims = json!({
      "aud": resource,
      "iss": format!("{}/{}/v2.0", shared.authority_host, DEFAULT_TENANT_ID),
      "iat": now,
      "nbf": now,
      "exp": now + lifetime,
      "tid": DEFAULT_TENANT_ID,
      "appid": identity.client_id,
      "azp": identity.client_id,
      "azpacr": "2",
      "idtyp": "app",
      "oid": identity.object_id,
      "sub": identity.object_id,
      "xms_mirid": identity.resource_id,
      "ver": "2.0",
      "uti": uuid::Uuid::new_v4().simple().to_string(),
      "jti": uuid::Uuid::new_v4().to_string(),
  });
  (shared.signer.sign(&claims), now, lifetime)
}

/// The `resource` parameter, or the 400 every source answers without it.
pub(crate) fn resource(value: Option<&str>) -> Result<String, Box<Response<Body>>> {
  value.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).ok_or_else(|| {
    Box::new(error(400, "invalid_resource", "Required parameter 'resource' is missing or empty"))
  })
}

/// Compares a presented secret with the expected one without an early exit.
pub(crate) fn secret_matches(presented: Option<&str>, expected: &str) -> bool {
  let Some(p) = presented else { return false };
  p.len() == expected.len()
    && p.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}
