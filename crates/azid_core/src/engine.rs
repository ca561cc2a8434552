//! The engine: a token source behind a cache with single-flight requests and
//! refresh-ahead. Engines of equal configuration are shared process-wide, so two
//! credential objects (or two worker threads) with one config share one cache.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use tokio::sync::watch;

use crate::azlog;
use crate::error::{Error, Result};
use crate::log::Level;
use crate::request::TokenRequest;
use crate::shared_cache::{EntryKey, Tiers, TokenCacheConfig};
use crate::slot::{Flight, Outcome, Slot, SlotState};
use crate::token::{now_ms, AccessToken};

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Where tokens come from: one implementation per credential kind.
pub trait TokenSource: Send + Sync + 'static {
  /// A label for log lines, e.g. `ClientSecretCredential(tenant=…, client=…)`. No secrets.
  fn label(&self) -> String;
  /// Fetches a new token from upstream (retries included).
  fn fetch(self: Arc<Self>, request: TokenRequest) -> BoxFuture<Result<AccessToken>>;
  /// Replaces the secret material a rotating source sends from now on (client secret;
  /// a certificate source can take its PEM here). Cached tokens stay valid.
  fn replace_secret(&self, _secret: crate::secret::Secret) -> Result<()> {
    Err(Error::invalid(format!("{}: this credential has no secret to replace", self.label())))
  }
  /// Replaces the certificate (PEM or PKCS#12 bytes) a rotating certificate source signs
  /// with from now on. Cached tokens stay valid.
  fn replace_certificate(&self, _certificate: &[u8]) -> Result<()> {
    Err(Error::invalid(format!("{}: this credential has no certificate to replace", self.label())))
  }
}

/// Backoff of background refreshes after a failure: 5 s doubling to 60 s, and never
/// so long that the next attempt would come after the cached token stops being served.
fn refresh_backoff_ms(failures: u32, token: Option<&AccessToken>, now: u64) -> u64 {
  let exp = 5_000u64.saturating_mul(1 << failures.saturating_sub(1).min(4)).min(60_000);
  let left = token.map_or(exp, |t| t.usable_until_ms.saturating_sub(now) / 4);
  exp.min(left).max(200)
}

/// The longest Retry-After honoured, as msal-common caps it.
const MAX_THROTTLE_MS: u64 = 3_600_000;

pub struct Engine {
  source: Arc<dyn TokenSource>,
  label: String,
  slots: RwLock<HashMap<String, Arc<Slot>>>,
  sweep_at: AtomicUsize,
  next_flight: AtomicU64,
  upstream_requests: AtomicU64,
  /// The configuration identity (entries outside the process are bound to it).
  engine_key: Arc<str>,
  /// Redis and file caches, when the credential has a `tokenCache`.
  tiers: Option<Tiers>,
}

/// Engines alive in this process (a diagnostic for leak tests).
static LIVE_ENGINES: AtomicUsize = AtomicUsize::new(0);

impl Drop for Engine {
  fn drop(&mut self) {
    LIVE_ENGINES.fetch_sub(1, Ordering::Relaxed);
  }
}

impl Engine {
  pub fn new(source: Arc<dyn TokenSource>) -> Arc<Engine> {
    Self::build(source, Arc::from(""), None)
  }

  fn build(
    source: Arc<dyn TokenSource>,
    engine_key: Arc<str>,
    tiers: Option<Tiers>,
  ) -> Arc<Engine> {
    LIVE_ENGINES.fetch_add(1, Ordering::Relaxed);
    let label = source.label();
    Arc::new(Engine {
      source,
      label,
      slots: RwLock::new(HashMap::new()),
      sweep_at: AtomicUsize::new(4096),
      next_flight: AtomicU64::new(1),
      upstream_requests: AtomicU64::new(0),
      engine_key,
      tiers,
    })
  }

  /// How many engines are alive in this process.
  pub fn live_count() -> usize {
    LIVE_ENGINES.load(Ordering::Relaxed)
  }

  /// An engine with Redis and/or file caches behind its memory cache. Tokens in the
  /// file are loaded now, so a restarted process serves them without a request.
  pub fn with_cache(
    source: Arc<dyn TokenSource>,
    config_key: &str,
    cache: &TokenCacheConfig,
  ) -> Result<Arc<Engine>> {
    let tiers = Tiers::new(cache, &source.label())?;
    let file = tiers.file.clone();
    // Stored names derive from a keyed hash of the configuration, so someone who can list
    // Redis keys or read the file cannot test guesses (say, of a certificate password).
    let storage_key = cache.storage_key(config_key);
    let engine = Self::build(source, Arc::from(storage_key.as_str()), Some(tiers));
    if let Some(file) = file {
      let now = now_ms();
      for (cache_key, token) in file.load(&engine.engine_key, &engine.label) {
        let slot = engine.slot(&cache_key);
        let mut st = slot.lock();
        if st.token.as_ref().is_none_or(|t| t.expires_on_ms < token.expires_on_ms) {
          azlog!(
            Level::Info,
            "{}: reusing a token from the token cache file, expires in {} s",
            engine.label,
            token.expires_on_ms.saturating_sub(now) / 1000
          );
          st.token = Some(Arc::new(token));
        }
      }
    }
    Ok(engine)
  }

  /// The engine for `config_key`, created by `make` if no live engine has that key.
  /// `config_key` must identify everything that changes the tokens (authority, tenant,
  /// client, a hash of the secret, the managed identity id...).
  pub fn shared(
    config_key: &str,
    make: impl FnOnce() -> Result<Arc<dyn TokenSource>>,
  ) -> Result<Arc<Engine>> {
    Self::shared_cached(config_key, None, make)
  }

  /// As `shared`, with the credential's `tokenCache` (engines with different caches
  /// are different engines).
  pub fn shared_cached(
    config_key: &str,
    cache: Option<&TokenCacheConfig>,
    make: impl FnOnce() -> Result<Arc<dyn TokenSource>>,
  ) -> Result<Arc<Engine>> {
    static ENGINES: OnceLock<Mutex<HashMap<String, Weak<Engine>>>> = OnceLock::new();
    let map_key = match cache {
      Some(c) => format!("{config_key}\u{2}{}", c.fingerprint()),
      None => config_key.to_string(),
    };
    let mut engines =
      ENGINES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(engine) = engines.get(&map_key).and_then(Weak::upgrade) {
      return Ok(engine);
    }
    let engine = match cache {
      Some(c) => Engine::with_cache(make()?, config_key, c)?,
      None => Engine::new(make()?),
    };
    engines.retain(|_, w| w.strong_count() > 0);
    engines.insert(map_key, Arc::downgrade(&engine));
    Ok(engine)
  }

  pub fn label(&self) -> &str {
    &self.label
  }

  /// Hands a rotated secret to the source (see `TokenSource::replace_secret`).
  pub fn replace_secret(&self, secret: crate::secret::Secret) -> Result<()> {
    self.source.replace_secret(secret)
  }

  /// Hands a rotated certificate to the source (see `TokenSource::replace_certificate`).
  pub fn replace_certificate(&self, certificate: &[u8]) -> Result<()> {
    self.source.replace_certificate(certificate)
  }

  /// How many upstream fetches this engine started (for tests and metrics); tokens
  /// taken from Redis do not count.
  pub fn upstream_requests(&self) -> u64 {
    self.upstream_requests.load(Ordering::Relaxed)
  }

  pub fn cached_entries(&self) -> usize {
    self.slots.read().unwrap_or_else(|e| e.into_inner()).len()
  }

  /// The cached token if it is fresh (before its refresh moment). Never blocks on
  /// the network and never spawns: the synchronous fast path.
  pub fn get_fresh(&self, request: &TokenRequest) -> Option<Arc<AccessToken>> {
    if request.claims.is_some() {
      return None;
    }
    let slot =
      self.slots.read().unwrap_or_else(|e| e.into_inner()).get(&request.cache_key()).cloned()?;
    let token = slot.lock().token.clone()?;
    token.is_fresh(now_ms()).then_some(token)
  }

  /// A token for `request`: cached if usable (starting a background refresh when due),
  /// else from the one request in flight for this key. Must run inside a tokio runtime.
  pub async fn get_token(self: &Arc<Self>, request: TokenRequest) -> Outcome {
    self.get_token_traced(request).await.map(|(token, _)| token)
  }

  /// As `get_token`, also telling whether the token came from the cache (MSAL's `fromCache`).
  pub async fn get_token_traced(
    self: &Arc<Self>,
    request: TokenRequest,
  ) -> Result<(Arc<AccessToken>, bool)> {
    let now = now_ms();
    let slot = self.slot(&request.cache_key());
    let flight = {
      let mut st = slot.lock();
      if request.claims.is_some() || request.force_refresh {
        let claims = request.claims.clone();
        match &st.claims_flight {
          Some(f) if f.claims == claims => f.clone(),
          _ => {
            azlog!(
              Level::Info,
              "{}: {} for [{}]; bypassing the cache",
              self.label,
              if claims.is_some() { "claims challenge" } else { "forced refresh" },
              request.scopes_for_log()
            );
            let f = self.start_flight(&slot, &mut st, request, claims);
            st.claims_flight = Some(f.clone());
            f
          }
        }
      } else {
        if let Some(token) = st.token.clone() {
          if token.is_fresh(now) {
            azlog!(Level::Verbose, "{}: cache hit for [{}]", self.label, request.scopes_for_log());
            return Ok((token, true));
          }
          if token.is_usable(now) {
            if st.flight.is_none() && now >= st.next_refresh_ms {
              azlog!(
                Level::Info,
                "{}: token for [{}] is due for refresh; refreshing in the background",
                self.label,
                request.scopes_for_log()
              );
              let f = self.start_flight(&slot, &mut st, request, None);
              st.flight = Some(f);
            }
            return Ok((token, true));
          }
        }
        match &st.flight {
          Some(f) => f.clone(),
          None if now < st.throttled_until_ms => return Err(self.throttled(&st, now)),
          None => {
            azlog!(
              Level::Info,
              "{}: cache miss for [{}]; requesting a token",
              self.label,
              request.scopes_for_log()
            );
            let f = self.start_flight(&slot, &mut st, request, None);
            st.flight = Some(f.clone());
            f
          }
        }
      }
    };
    flight.outcome().await.map(|token| (token, false))
  }

  /// The error for a caller with no usable token while the key is throttled.
  fn throttled(&self, st: &SlotState, now: u64) -> Error {
    let left = st.throttled_until_ms.saturating_sub(now);
    let (host, status_code, error_response) = match &st.throttle_error {
      Some(Error::TransientExhausted { host, status_code, error_response, .. }) => {
        (host.clone(), *status_code, error_response.clone())
      }
      _ => (String::new(), None, None),
    };
    azlog!(Level::Warning, "{}: throttled by {host}; not asking again for {} ms", self.label, left);
    Error::TransientExhausted {
      message: format!(
        "{}: the identity endpoint {host} throttled this request (HTTP {}); azid will not send it again for {} s, as its Retry-After asked. Retry after that.",
        self.label,
        status_code.map_or("?".to_string(), |s| s.to_string()),
        left.div_ceil(1000)
      ),
      host,
      attempts: 0,
      status_code,
      error_response,
      retry_after_ms: Some(left),
    }
  }

  fn slot(&self, key: &str) -> Arc<Slot> {
    if let Some(slot) = self.slots.read().unwrap_or_else(|e| e.into_inner()).get(key) {
      return slot.clone();
    }
    let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
    let slot = slots.entry(key.to_string()).or_default().clone();
    if slots.len() >= self.sweep_at.load(Ordering::Relaxed) {
      // Amortised O(1): sweep expired entries when the map doubles.
      let now = now_ms();
      slots.retain(|k, s| k == key || !s.is_dead(now));
      self.sweep_at.store((slots.len() * 2).max(4096), Ordering::Relaxed);
    }
    slot
  }

  /// Starts one upstream request on the runtime. Its outcome lands in the slot and in
  /// every subscriber, whether or not any caller is still waiting (an aborted caller
  /// does not cancel the request for the others).
  fn start_flight(
    self: &Arc<Self>,
    slot: &Arc<Slot>,
    _st: &mut SlotState,
    request: TokenRequest,
    claims: Option<String>,
  ) -> Flight {
    let id = self.next_flight.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = watch::channel(None);
    let engine = self.clone();
    let slot = slot.clone();
    let is_claims = claims.is_some() || request.force_refresh;
    tokio::spawn(async move {
      let outcome = match &engine.tiers {
        Some(tiers) => {
          let key = EntryKey::new(engine.engine_key.clone(), &request.cache_key());
          tiers
            .fetch_through(&engine.label, &key, is_claims, || {
              engine.fetch_upstream(request.clone())
            })
            .await
        }
        None => engine.fetch_upstream(request.clone()).await,
      }
      .map(Arc::new);
      engine.settle(&slot, id, is_claims, &request, &outcome);
      let _ = tx.send(Some(outcome));
    });
    Flight { id, rx, claims }
  }

  async fn fetch_upstream(&self, request: TokenRequest) -> Result<AccessToken> {
    self.upstream_requests.fetch_add(1, Ordering::Relaxed);
    // The fetch runs in its own task so that a panic becomes an error, not a hang.
    match tokio::spawn(self.source.clone().fetch(request)).await {
      Ok(result) => result,
      Err(_) => Err(Error::unavailable(format!(
        "{}: the token request failed unexpectedly (internal error)",
        self.label
      ))),
    }
  }

  fn settle(
    &self,
    slot: &Slot,
    id: u64,
    is_claims: bool,
    request: &TokenRequest,
    outcome: &Outcome,
  ) {
    let now = now_ms();
    let mut st = slot.lock();
    let current = if is_claims { &mut st.claims_flight } else { &mut st.flight };
    if current.as_ref().is_some_and(|f| f.id == id) {
      *current = None;
    }
    match outcome {
      Ok(token) => {
        st.token = Some(token.clone());
        st.refresh_failures = 0;
        st.next_refresh_ms = 0;
        st.throttled_until_ms = 0;
        st.throttle_error = None;
        azlog!(
          Level::Info,
          "{}: got a token for [{}], expires in {} s",
          self.label,
          request.scopes_for_log(),
          token.expires_on_ms.saturating_sub(now) / 1000
        );
      }
      Err(e) => {
        st.refresh_failures += 1;
        let still_usable = st.token.as_ref().filter(|t| t.is_usable(now)).cloned();
        st.next_refresh_ms =
          now + refresh_backoff_ms(st.refresh_failures, still_usable.as_deref(), now);
        if let Error::TransientExhausted { retry_after_ms: Some(ms), .. } = e {
          // As msal-node: honour Retry-After (capped at an hour) for identical requests.
          st.throttled_until_ms = now + (*ms).min(MAX_THROTTLE_MS);
          st.throttle_error = Some(e.clone());
          st.next_refresh_ms = st.next_refresh_ms.max(st.throttled_until_ms);
        }
        match still_usable {
          Some(t) => azlog!(
            Level::Warning,
            "{}: background refresh for [{}] failed ({}); serving the cached token for up to {} s more, next attempt in {} ms",
            self.label,
            request.scopes_for_log(),
            e,
            t.usable_until_ms.saturating_sub(now) / 1000,
            st.next_refresh_ms - now
          ),
          None => azlog!(Level::Error, "{}: token request for [{}] failed: {}", self.label, request.scopes_for_log(), e),
        }
      }
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::secret::Secret;
  use std::sync::atomic::AtomicU32;
  use std::time::Duration;

  /// A source whose behaviour the test scripts: lifetime, delay and failure.
  struct Scripted {
    calls: AtomicU32,
    lifetime_ms: u64,
    delay: Duration,
    fail: std::sync::atomic::AtomicBool,
  }

  impl TokenSource for Scripted {
    fn label(&self) -> String {
      "Scripted".into()
    }
    fn fetch(self: Arc<Self>, _request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
      Box::pin(async move {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.delay).await;
        if self.fail.load(Ordering::SeqCst) {
          return Err(Error::unavailable("scripted failure"));
        }
        let now = now_ms();
        Ok(AccessToken::new(
          Secret::new(format!("token-{n}")),
          "Bearer".into(),
          now,
          now + self.lifetime_ms,
          None,
        ))
      })
    }
  }

  fn engine(lifetime_ms: u64, delay_ms: u64) -> (Arc<Engine>, Arc<Scripted>) {
    let source = Arc::new(Scripted {
      calls: AtomicU32::new(0),
      lifetime_ms,
      delay: Duration::from_millis(delay_ms),
      fail: Default::default(),
    });
    (Engine::new(source.clone()), source)
  }

  fn req(scope: &str) -> TokenRequest {
    TokenRequest::new(&[scope.to_string()], None, None, false).unwrap()
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn concurrent_misses_make_one_request_and_share_its_result() {
    let (engine, source) = engine(3_600_000, 50);
    let calls: Vec<_> = (0..1000)
      .map(|_| {
        tokio::spawn({
          let e = engine.clone();
          async move { e.get_token(req("a/.default")).await }
        })
      })
      .collect();
    for c in calls {
      assert_eq!(c.await.unwrap().unwrap().token.expose(), "token-1");
    }
    assert_eq!(source.calls.load(Ordering::SeqCst), 1);
    assert!(engine.get_fresh(&req("a/.default")).is_some());
    assert!(engine.get_fresh(&req("b/.default")).is_none());
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn errors_reach_every_waiter_and_are_not_cached() {
    let (engine, source) = engine(3_600_000, 20);
    source.fail.store(true, Ordering::SeqCst);
    let (a, b) = tokio::join!(engine.get_token(req("a")), engine.get_token(req("a")));
    assert!(a.is_err() && b.is_err());
    assert_eq!(source.calls.load(Ordering::SeqCst), 1);
    source.fail.store(false, Ordering::SeqCst);
    assert!(engine.get_token(req("a")).await.is_ok());
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn stale_token_is_served_while_one_background_refresh_runs() {
    // 2 s lifetime: fresh for 1 s, then served while refreshing.
    let (engine, source) = engine(2_000, 100);
    let first = engine.get_token(req("a")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    assert!(engine.get_fresh(&req("a")).is_none());
    let started = std::time::Instant::now();
    for _ in 0..50 {
      let t = engine.get_token(req("a")).await.unwrap();
      assert_eq!(t.token, first.token, "the caller gets the cached token at once");
    }
    assert!(started.elapsed() < Duration::from_millis(100), "no caller waited for the refresh");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(source.calls.load(Ordering::SeqCst), 2, "exactly one background refresh");
    assert_eq!(engine.get_token(req("a")).await.unwrap().token.expose(), "token-2");
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn failed_refresh_keeps_serving_until_shortly_before_expiry() {
    let (engine, source) = engine(2_000, 10);
    let first = engine.get_token(req("a")).await.unwrap();
    source.fail.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    for _ in 0..20 {
      assert_eq!(engine.get_token(req("a")).await.unwrap().token, first.token);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    // One failed refresh, then backoff: not one attempt per call.
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
    tokio::time::sleep(Duration::from_millis(first.usable_until_ms.saturating_sub(now_ms()) + 10))
      .await;
    assert!(engine.get_token(req("a")).await.is_err(), "past the margin, callers see the failure");
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn claims_bypass_the_cache_and_replace_the_token() {
    let (engine, source) = engine(3_600_000, 5);
    let first = engine.get_token(req("a")).await.unwrap();
    let with_claims =
      TokenRequest::new(&["a".into()], None, Some("{\"access_token\":{}}".into()), false).unwrap();
    let second = engine.get_token(with_claims).await.unwrap();
    assert_ne!(first.token, second.token);
    assert_eq!(engine.get_token(req("a")).await.unwrap().token, second.token);
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn forced_refresh_bypasses_the_cache_and_reports_from_cache() {
    let (engine, source) = engine(3_600_000, 5);
    let (first, cached) = engine.get_token_traced(req("a")).await.unwrap();
    assert!(!cached);
    let (again, cached) = engine.get_token_traced(req("a")).await.unwrap();
    assert!(cached && again.token == first.token);
    let (forced, cached) = engine.get_token_traced(req("a").forced(true)).await.unwrap();
    assert!(!cached && forced.token != first.token);
    assert_eq!(engine.get_token(req("a")).await.unwrap().token, forced.token);
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn many_keys_stay_cheap_and_expired_ones_are_swept() {
    let (engine, _) = engine(1, 0);
    for i in 0..5000 {
      let _ = engine.get_token(req(&format!("s{i}"))).await;
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    let _ = engine.get_token(req("last")).await;
    assert!(
      engine.cached_entries() < 5000,
      "expired entries were swept, {} left",
      engine.cached_entries()
    );
  }

  /// Fails with a Retry-After like a throttled endpoint, counting calls.
  struct Throttling {
    calls: AtomicU32,
  }

  impl TokenSource for Throttling {
    fn label(&self) -> String {
      "Throttling".into()
    }
    fn fetch(self: Arc<Self>, _request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
      Box::pin(async move {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(Error::TransientExhausted {
          message: "429".into(),
          host: "login.example:443".into(),
          attempts: 1,
          status_code: Some(429),
          error_response: None,
          retry_after_ms: Some(60_000),
        })
      })
    }
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn retry_after_keeps_identical_requests_local() {
    let source = Arc::new(Throttling { calls: AtomicU32::new(0) });
    let engine = Engine::new(source.clone());
    assert!(engine.get_token(req("a")).await.is_err());
    for _ in 0..10 {
      match engine.get_token(req("a")).await {
        Err(Error::TransientExhausted {
          retry_after_ms: Some(ms), status_code: Some(429), ..
        }) => {
          assert!(ms > 59_000 && ms <= 60_000)
        }
        other => panic!("expected a throttled error, got {other:?}"),
      }
    }
    assert_eq!(source.calls.load(Ordering::SeqCst), 1, "no request while throttled");
    // Another key is not throttled.
    let _ = engine.get_token(req("b")).await;
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
  }

  #[test]
  fn shared_engines_are_one_per_config() {
    let make = || -> Result<Arc<dyn TokenSource>> { Ok(engine(1000, 0).1) };
    let a = Engine::shared("k1", make).unwrap();
    let b = Engine::shared("k1", make).unwrap();
    let c = Engine::shared("k2", make).unwrap();
    assert!(Arc::ptr_eq(&a, &b) && !Arc::ptr_eq(&a, &c));
  }
}
