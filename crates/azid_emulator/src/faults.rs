//! Fault injection: what a fault is, and what it does to a request.

use serde::{Deserialize, Serialize};

/// A misbehaviour applied to a route before it is handled.
///
/// Order of effects: wait `latency_ms`; then `drop_connection` closes the socket with no
/// response; else `status` answers that status (`body`, or a default error body for the route);
/// else `malformed_body` answers 200 with truncated JSON; else the request proceeds normally.
/// `retry_after` is sent verbatim as `Retry-After` on any faulted response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Fault {
  pub latency_ms: u64,
  pub status: Option<u16>,
  pub body: Option<String>,
  pub retry_after: Option<String>,
  pub drop_connection: bool,
  pub malformed_body: bool,
  /// Apply to the next N requests only, then disappear; `None` = until cleared.
  pub times: Option<u32>,
}

impl Fault {
  /// Only latency: the request is delayed, then handled normally.
  pub(crate) fn is_latency_only(&self) -> bool {
    !self.drop_connection && self.status.is_none() && !self.malformed_body
  }
}

/// A body that starts like a token response and stops mid-value, so JSON parsing fails.
pub(crate) const MALFORMED_BODY: &str = "{\"token_type\":\"Bearer\",\"expires_in\":35";
