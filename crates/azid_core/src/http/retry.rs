//! When to retry and how long to wait: exponential backoff with jitter, `Retry-After`
//! honoured (capped), transient statuses only.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
  /// Retries after the first attempt.
  pub max_retries: u32,
  pub base_delay: Duration,
  pub max_delay: Duration,
  /// The longest `Retry-After` we will sleep for inside one call; longer ones end the call.
  pub max_retry_after: Duration,
  /// Statuses worth another attempt.
  pub retry_statuses: &'static [u16],
  /// Whether connection errors are retried (IMDS: an unreachable endpoint means "not here").
  pub retry_connect_errors: bool,
  /// Timeout of one attempt.
  pub attempt_timeout: Duration,
  /// Deadline of the whole call, retries included.
  pub deadline: Duration,
  /// A 410 from IMDS means "updating, back within 70 s": keep trying at least this long.
  pub gone_retry_window: Option<Duration>,
}

/// 408, 429 and 5xx other than 501/505: the statuses Entra ID and Azure core treat as transient.
pub const ENTRA_RETRY_STATUSES: &[u16] = &[408, 429, 500, 502, 503, 504, 507, 508, 509, 510, 511];
/// IMDS adds 404 (identity not yet assigned during updates) and 410 (updating).
pub const IMDS_RETRY_STATUSES: &[u16] =
  &[404, 408, 410, 429, 500, 502, 503, 504, 507, 508, 509, 510, 511];

/// msal-node's list for the managed identity sources other than IMDS (reference §2.8).
pub const MI_SOURCE_RETRY_STATUSES: &[u16] = &[404, 408, 429, 500, 503, 504];

impl RetryPolicy {
  pub fn entra() -> Self {
    Self {
      max_retries: 3,
      base_delay: Duration::from_millis(800),
      max_delay: Duration::from_secs(16),
      max_retry_after: Duration::from_secs(60),
      retry_statuses: ENTRA_RETRY_STATUSES,
      retry_connect_errors: true,
      attempt_timeout: Duration::from_secs(15),
      deadline: Duration::from_secs(90),
      gone_retry_window: None,
    }
  }

  pub fn imds() -> Self {
    Self {
      max_retries: 5,
      base_delay: Duration::from_millis(1000),
      max_delay: Duration::from_secs(30),
      max_retry_after: Duration::from_secs(60),
      retry_statuses: IMDS_RETRY_STATUSES,
      retry_connect_errors: false,
      attempt_timeout: Duration::from_secs(10),
      deadline: Duration::from_secs(120),
      gone_retry_window: Some(Duration::from_secs(70)),
    }
  }

  /// App Service, Arc, Service Fabric, Cloud Shell and Azure ML: 3 retries from 1 s on
  /// msal-node's statuses. These agents are local, so a refused connection is retried too.
  pub fn managed_identity_source() -> Self {
    Self {
      max_retries: 3,
      base_delay: Duration::from_millis(1000),
      max_delay: Duration::from_secs(8),
      max_retry_after: Duration::from_secs(60),
      retry_statuses: MI_SOURCE_RETRY_STATUSES,
      retry_connect_errors: true,
      attempt_timeout: Duration::from_secs(10),
      deadline: Duration::from_secs(60),
      gone_retry_window: None,
    }
  }

  /// The backoff before retry number `retry` (1-based): base·2^(n-1), capped, jittered to 50–100 %.
  pub fn backoff(&self, retry: u32) -> Duration {
    let exp = self.base_delay.saturating_mul(1u32 << (retry.saturating_sub(1)).min(16));
    let capped = exp.min(self.max_delay);
    let factor = 0.5 + rand::random::<f64>() * 0.5;
    capped.mul_f64(factor)
  }
}

/// `Retry-After` as delta-seconds or an HTTP-date; also `retry-after-ms` / `x-ms-retry-after-ms`.
pub fn parse_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
  for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
    if let Some(ms) =
      headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
    {
      return Some(Duration::from_millis(ms));
    }
  }
  let value = headers.get("retry-after")?.to_str().ok()?.trim();
  if let Ok(secs) = value.parse::<f64>() {
    // "inf", "1e20" and negatives parse as f64 too: none may panic, and a day is plenty.
    return Duration::try_from_secs_f64(secs).ok().map(|d| d.min(Duration::from_secs(86_400)));
  }
  let at = httpdate_ms(value)?;
  let now = crate::token::now_ms();
  Some(Duration::from_millis(at.saturating_sub(now)))
}

/// IMF-fixdate, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`.
fn httpdate_ms(value: &str) -> Option<u64> {
  let parts: Vec<&str> = value.split_whitespace().collect();
  if parts.len() != 6 {
    return None;
  }
  const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  let month = MONTHS.iter().position(|m| *m == parts[2])? + 1;
  let rfc3339 = format!("{}-{:02}-{:0>2}T{}Z", parts[3], month, parts[1], parts[4]);
  crate::expiry::expires_on_ms(Some(&serde_json::Value::String(rfc3339)))
}

#[cfg(test)]
mod tests {
  use super::*;
  use reqwest::header::{HeaderMap, HeaderValue};

  #[test]
  fn retry_after_forms() {
    let mut h = HeaderMap::new();
    h.insert("retry-after", HeaderValue::from_static("7"));
    assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(7)));
    h.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
    assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
    for hostile in ["inf", "1e20", "-5", "NaN"] {
      h.insert("retry-after", HeaderValue::from_static(hostile));
      assert!(parse_retry_after(&h).is_none_or(|d| d <= Duration::from_secs(86_400)), "{hostile}");
    }
    h.insert("retry-after-ms", HeaderValue::from_static("250"));
    assert_eq!(parse_retry_after(&h), Some(Duration::from_millis(250)));
  }

  #[test]
  fn backoff_is_exponential_capped_and_jittered() {
    let p = RetryPolicy {
      base_delay: Duration::from_millis(100),
      max_delay: Duration::from_millis(300),
      ..RetryPolicy::entra()
    };
    for _ in 0..50 {
      let first = p.backoff(1);
      assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
      let fifth = p.backoff(5);
      assert!(fifth >= Duration::from_millis(150) && fifth <= Duration::from_millis(300));
    }
  }
}
