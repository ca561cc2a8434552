//! One cache entry: the current token, and at most one request in flight for it.
//! Every caller that misses while a request is in flight waits on that request.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::token::AccessToken;

pub type Outcome = Result<Arc<AccessToken>>;

/// A request in flight; callers subscribe to its outcome.
#[derive(Clone)]
pub struct Flight {
  pub id: u64,
  pub rx: watch::Receiver<Option<Outcome>>,
  /// The claims the request carries (claims requests only join equal claims).
  pub claims: Option<String>,
}

impl Flight {
  /// Waits for the outcome; a flight whose task died counts as an error, not a hang.
  pub async fn outcome(mut self) -> Outcome {
    match self.rx.wait_for(Option::is_some).await {
      Ok(v) => {
        v.clone().unwrap_or_else(|| Err(Error::unavailable("token request ended without a result")))
      }
      Err(_) => Err(Error::unavailable("token request ended without a result")),
    }
  }
}

#[derive(Default)]
pub struct SlotState {
  pub token: Option<Arc<AccessToken>>,
  pub flight: Option<Flight>,
  pub claims_flight: Option<Flight>,
  /// Background refresh backoff after failures: no new attempt before this moment.
  pub next_refresh_ms: u64,
  pub refresh_failures: u32,
  /// After a 429/5xx with Retry-After: no identical request before this moment, and
  /// the error that set it (for callers who have no usable token meanwhile).
  pub throttled_until_ms: u64,
  pub throttle_error: Option<Error>,
}

#[derive(Default)]
pub struct Slot {
  state: Mutex<SlotState>,
}

impl Slot {
  pub fn lock(&self) -> MutexGuard<'_, SlotState> {
    // A panic while holding the lock cannot leave the state half-written in a way
    // that matters (each field is replaced whole), so poisoning is ignored.
    self.state.lock().unwrap_or_else(|e| e.into_inner())
  }

  /// True when nothing in it is worth keeping: for sweeping the map.
  pub fn is_dead(&self, now_ms: u64) -> bool {
    let st = self.lock();
    st.flight.is_none()
      && st.claims_flight.is_none()
      && st.token.as_ref().is_none_or(|t| t.expires_on_ms <= now_ms)
  }
}
