//! An access token and the moments that govern it: when to refresh it in the
//! background, and until when it may still be served.

use crate::secret::Secret;

const TWO_HOURS_MS: u64 = 2 * 3600 * 1000;
const FIVE_MINUTES_MS: u64 = 5 * 60 * 1000;
const MAX_EXPIRY_MARGIN_MS: u64 = 30 * 1000;

/// What a token endpoint gave us, normalised to milliseconds since the epoch.
#[derive(Debug, Clone)]
pub struct AccessToken {
  pub token: Secret,
  pub token_type: String,
  /// When the token stops being valid.
  pub expires_on_ms: u64,
  /// From this moment a call still gets this token but starts one background refresh.
  pub refresh_after_ms: u64,
  /// Past this moment the token is not served any more: callers wait for a new one.
  pub usable_until_ms: u64,
}

impl AccessToken {
  /// Builds a token received at `now_ms`, applying the refresh policy:
  /// the server's `refresh_in` if given; otherwise half the lifetime for tokens of
  /// two hours or more, else five minutes before expiry; but never sooner than halfway
  /// through the lifetime left on arrival, so short-lived tokens do not cause a storm.
  pub fn new(
    token: Secret,
    token_type: String,
    now_ms: u64,
    expires_on_ms: u64,
    refresh_in_ms: Option<u64>,
  ) -> Self {
    let lifetime = expires_on_ms.saturating_sub(now_ms);
    let halfway = now_ms + lifetime / 2;
    let refresh_after_ms = match refresh_in_ms {
      Some(refresh_in) => (now_ms + refresh_in).min(expires_on_ms),
      None if lifetime >= TWO_HOURS_MS => halfway,
      None => expires_on_ms.saturating_sub(FIVE_MINUTES_MS).max(halfway),
    };
    // A margin of seconds before expiry, scaled down for short lifetimes, so a token
    // is never handed out just as it dies on its way to the resource.
    let margin = (lifetime / 10).min(MAX_EXPIRY_MARGIN_MS);
    let usable_until_ms = expires_on_ms.saturating_sub(margin).max(refresh_after_ms);
    Self { token, token_type, expires_on_ms, refresh_after_ms, usable_until_ms }
  }

  pub fn is_fresh(&self, now_ms: u64) -> bool {
    now_ms < self.refresh_after_ms
  }

  pub fn is_usable(&self, now_ms: u64) -> bool {
    now_ms < self.usable_until_ms
  }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
  std::time::SystemTime::now()
    .duration_since(std::time::UNIX_EPOCH)
    .map(|d| d.as_millis() as u64)
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
  use super::*;

  fn tok(now: u64, lifetime_s: u64, refresh_in_s: Option<u64>) -> AccessToken {
    AccessToken::new(
      Secret::new("t"),
      "Bearer".into(),
      now,
      now + lifetime_s * 1000,
      refresh_in_s.map(|s| s * 1000),
    )
  }

  #[test]
  fn one_hour_token_refreshes_five_minutes_before_expiry() {
    let t = tok(0, 3600, None);
    assert_eq!(t.refresh_after_ms, 3300 * 1000);
    assert_eq!(t.usable_until_ms, 3570 * 1000);
  }

  #[test]
  fn long_token_refreshes_at_half_life() {
    let t = tok(1000, 86_400, None);
    assert_eq!(t.refresh_after_ms, 1000 + 43_200 * 1000);
  }

  #[test]
  fn short_token_never_refreshes_before_halfway() {
    // A 4-minute token: five minutes before expiry is already past; halfway wins.
    let t = tok(0, 240, None);
    assert_eq!(t.refresh_after_ms, 120 * 1000);
    assert!(t.is_fresh(119_999) && !t.is_fresh(120_000));
    // The margin is scaled down (24 s for 240 s) and never precedes the refresh point.
    assert_eq!(t.usable_until_ms, 216 * 1000);
  }

  #[test]
  fn server_refresh_in_wins() {
    let t = tok(0, 3600, Some(600));
    assert_eq!(t.refresh_after_ms, 600 * 1000);
  }
}
