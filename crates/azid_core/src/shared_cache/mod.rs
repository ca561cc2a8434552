//! Second-level token caches shared beyond one process: Redis (replicas) and an
//! encrypted file (restarts). Both hold sealed entries only (see `crypto`).
//!
//! The engine calls `Tiers::fetch_through` from inside its one flight per key, so a
//! process makes at most one shared-cache round per key at a time.

pub mod crypto;
pub mod file;
pub mod redis;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::azlog;
use crate::error::{Error, Result};
use crate::log::Level;
use crate::token::{now_ms, AccessToken};
use crypto::Sealer;

pub type CacheFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The `tokenCache` option, validated.
#[derive(Clone)]
pub struct TokenCacheConfig {
  key: Arc<[u8]>,
  pub redis: Option<RedisConfig>,
  pub file: Option<PathBuf>,
}

#[derive(Clone)]
pub struct RedisConfig {
  /// `redis://` or `rediss://`, possibly with a password: never logged.
  pub url: String,
  pub key_prefix: String,
  /// How long one replica may hold the fetch lock before another takes over.
  pub lock_ttl: Duration,
  /// Bound of one Redis operation; past it the engine goes on without Redis.
  pub timeout: Duration,
}

impl RedisConfig {
  pub const DEFAULT_PREFIX: &'static str = "azid:";
  pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(10);
  pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(200);
}

impl TokenCacheConfig {
  /// The keyed identity of an engine's stored entries (see `storage_key`).
  pub(crate) fn storage_key(&self, config_key: &str) -> String {
    storage_key(&self.key, config_key)
  }

  /// `encryption_key_b64`: 32 bytes in base64 (standard or URL-safe).
  pub fn new(
    encryption_key_b64: &str,
    redis: Option<RedisConfig>,
    file: Option<PathBuf>,
  ) -> Result<Self> {
    let trimmed = encryption_key_b64.trim();
    let key = base64::engine::general_purpose::STANDARD
      .decode(trimmed)
      .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed))
      .map_err(|_| {
        Error::invalid(
          "tokenCache.encryptionKey is not valid base64; pass a 32-byte Buffer or crypto.randomBytes(32).toString('base64')",
        )
      })?;
    Sealer::new(&key)?;
    if redis.is_none() && file.is_none() {
      return Err(Error::invalid(
        "tokenCache needs `redis: { url }`, `file: { path }` or both; remove tokenCache to cache in memory only",
      ));
    }
    if let Some(r) = &redis {
      redis::RedisCache::check_url(&r.url)?;
    }
    Ok(Self { key: key.into(), redis, file })
  }

  /// Distinguishes engines of one credential config with different caches (hashed: the
  /// URL may carry a password).
  pub fn fingerprint(&self) -> String {
    let mut h = Sha256::new();
    h.update(&self.key);
    if let Some(r) = &self.redis {
      h.update(format!("\0redis\0{}\0{}\0{:?}\0{:?}", r.url, r.key_prefix, r.lock_ttl, r.timeout));
    }
    if let Some(f) = &self.file {
      h.update(format!("\0file\0{}", f.display()));
    }
    hex(&h.finalize())
  }
}

/// HMAC-SHA256 of the engine's configuration under the cache's encryption key: the
/// identity every stored name and sealed entry is derived from.
fn storage_key(encryption_key: &[u8], config_key: &str) -> String {
  let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, encryption_key);
  hex(ring::hmac::sign(&key, format!("azid-engine-v1\0{config_key}").as_bytes()).as_ref())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
  bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One cached token's identity outside the process. `id` is a hash, so stored keys
/// reveal neither scopes nor configuration.
#[derive(Clone)]
pub struct EntryKey {
  pub engine_key: Arc<str>,
  pub cache_key: String,
  pub id: String,
}

impl EntryKey {
  pub fn new(engine_key: Arc<str>, cache_key: &str) -> Self {
    let id = hex(&Sha256::digest(format!("azid-entry-v1\0{engine_key}\0{cache_key}")));
    Self { engine_key, cache_key: cache_key.to_string(), id }
  }

  /// Associated data for sealing: the storage location plus the engine and cache keys.
  pub fn aad(&self, location: &str) -> Vec<u8> {
    format!("azid-v1\0{location}\0{}\0{}", self.engine_key, self.cache_key).into_bytes()
  }
}

pub enum Lookup {
  Hit(AccessToken),
  Miss,
  /// The cache could not answer in time (down, slow, misconfigured): go on without it.
  Unavailable,
}

pub enum Lock {
  /// This process fetches; the string releases the lock.
  Acquired(String),
  /// Another replica is fetching.
  Held,
  Unavailable,
}

/// A cache shared by replicas, with a short lock so that one of them fetches.
/// Implementations never fail: trouble becomes `Unavailable` and a log line.
pub trait SharedCache: Send + Sync + 'static {
  fn get<'a>(&'a self, key: &'a EntryKey) -> CacheFuture<'a, Lookup>;
  /// Stores until the token expires.
  fn put<'a>(&'a self, key: &'a EntryKey, token: &'a AccessToken) -> CacheFuture<'a, ()>;
  fn lock<'a>(&'a self, key: &'a EntryKey) -> CacheFuture<'a, Lock>;
  fn unlock<'a>(&'a self, key: &'a EntryKey, lock: String) -> CacheFuture<'a, ()>;
  /// After this long a lock is considered abandoned.
  fn lock_ttl(&self) -> Duration;
}

/// The caches configured for one engine.
pub struct Tiers {
  pub shared: Option<Arc<dyn SharedCache>>,
  pub file: Option<Arc<file::FileCache>>,
}

impl Tiers {
  pub fn new(config: &TokenCacheConfig, label: &str) -> Result<Self> {
    let sealer = Arc::new(Sealer::new(&config.key)?);
    let shared = match &config.redis {
      Some(r) => Some(Arc::new(redis::RedisCache::new(r, sealer.clone(), label)?) as _),
      None => None,
    };
    let file = config.file.as_ref().map(|p| Arc::new(file::FileCache::new(p.clone(), sealer)));
    Ok(Self { shared, file })
  }

  /// A token for `key`: another replica's if fresh, else from `upstream` (fetched by
  /// one replica at a time while the shared lock holds). `bypass` (claims, forced
  /// refresh) skips reading and locking but still shares the result.
  pub async fn fetch_through<F, Fut>(
    &self,
    label: &str,
    key: &EntryKey,
    bypass: bool,
    upstream: F,
  ) -> Result<AccessToken>
  where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<AccessToken>>,
  {
    let token = match &self.shared {
      Some(shared) => fetch_shared(shared.as_ref(), label, key, bypass, upstream).await?,
      None => upstream().await?,
    };
    if let Some(file) = &self.file {
      let (file, key, t) = (file.clone(), key.clone(), token.clone());
      // Awaited so that a process that exits right after its call has written the file.
      let _ = tokio::task::spawn_blocking(move || file.save(&key, &t)).await;
    }
    Ok(token)
  }
}

async fn fetch_shared<F, Fut>(
  shared: &dyn SharedCache,
  label: &str,
  key: &EntryKey,
  bypass: bool,
  upstream: F,
) -> Result<AccessToken>
where
  F: FnOnce() -> Fut,
  Fut: Future<Output = Result<AccessToken>>,
{
  if bypass {
    let token = upstream().await?;
    shared.put(key, &token).await;
    return Ok(token);
  }
  match shared.get(key).await {
    Lookup::Hit(t) if t.is_fresh(now_ms()) => return Ok(t),
    Lookup::Unavailable => return upstream().await,
    _ => {}
  }
  // Polls with backoff while another replica holds the lock; past twice its TTL the
  // holder is presumed stuck and this process fetches itself.
  let give_up = tokio::time::Instant::now() + shared.lock_ttl() * 2;
  let mut delay = Duration::from_millis(20);
  loop {
    match shared.lock(key).await {
      Lock::Acquired(lock) => {
        // Another replica may have stored a token and released the lock between our
        // read and our lock: read again before fetching.
        if let Lookup::Hit(t) = shared.get(key).await {
          if t.is_fresh(now_ms()) {
            shared.unlock(key, lock).await;
            return Ok(t);
          }
        }
        let result = upstream().await;
        if let Ok(token) = &result {
          shared.put(key, token).await;
        }
        shared.unlock(key, lock).await;
        return result;
      }
      Lock::Unavailable => return upstream().await,
      Lock::Held => {}
    }
    if tokio::time::Instant::now() >= give_up {
      azlog!(
        Level::Warning,
        "{label}: another replica has held the shared fetch lock for over {} ms; fetching here",
        (shared.lock_ttl() * 2).as_millis()
      );
      return upstream().await;
    }
    let jitter = Duration::from_millis(rand::random::<u64>() % 10);
    tokio::time::sleep(delay + jitter).await;
    delay = (delay * 2).min(Duration::from_millis(250));
    match shared.get(key).await {
      Lookup::Hit(t) if t.is_fresh(now_ms()) => return Ok(t),
      Lookup::Unavailable => return upstream().await,
      _ => {}
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::secret::Secret;
  use std::collections::HashMap;
  use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
  use std::sync::Mutex;

  /// Redis as a map with expiring locks; `down` makes every operation unavailable.
  #[derive(Default)]
  struct Memory {
    entries: Mutex<HashMap<String, AccessToken>>,
    locks: Mutex<HashMap<String, (String, u64)>>,
    down: AtomicBool,
  }

  impl SharedCache for Memory {
    fn get<'a>(&'a self, key: &'a EntryKey) -> CacheFuture<'a, Lookup> {
      Box::pin(async move {
        if self.down.load(Ordering::SeqCst) {
          return Lookup::Unavailable;
        }
        self.entries.lock().unwrap().get(&key.id).cloned().map_or(Lookup::Miss, Lookup::Hit)
      })
    }
    fn put<'a>(&'a self, key: &'a EntryKey, token: &'a AccessToken) -> CacheFuture<'a, ()> {
      Box::pin(async move {
        self.entries.lock().unwrap().insert(key.id.clone(), token.clone());
      })
    }
    fn lock<'a>(&'a self, key: &'a EntryKey) -> CacheFuture<'a, Lock> {
      Box::pin(async move {
        if self.down.load(Ordering::SeqCst) {
          return Lock::Unavailable;
        }
        let mut locks = self.locks.lock().unwrap();
        match locks.get(&key.id) {
          Some((_, until)) if *until > now_ms() => Lock::Held,
          _ => {
            let owner = format!("{}", rand::random::<u64>());
            let until = now_ms() + self.lock_ttl().as_millis() as u64;
            locks.insert(key.id.clone(), (owner.clone(), until));
            Lock::Acquired(owner)
          }
        }
      })
    }
    fn unlock<'a>(&'a self, key: &'a EntryKey, lock: String) -> CacheFuture<'a, ()> {
      Box::pin(async move {
        let mut locks = self.locks.lock().unwrap();
        if locks.get(&key.id).is_some_and(|(o, _)| *o == lock) {
          locks.remove(&key.id);
        }
      })
    }
    fn lock_ttl(&self) -> Duration {
      Duration::from_millis(300)
    }
  }

  fn replica(shared: &Arc<Memory>) -> Tiers {
    Tiers { shared: Some(shared.clone() as Arc<dyn SharedCache>), file: None }
  }

  async fn upstream(calls: &AtomicU32) -> Result<AccessToken> {
    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let now = now_ms();
    Ok(AccessToken::new(Secret::new(format!("t{n}")), "Bearer".into(), now, now + 3_600_000, None))
  }

  fn key() -> EntryKey {
    EntryKey::new(Arc::from("engine"), "scope")
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn replicas_missing_at_once_fetch_once() {
    let shared = Arc::new(Memory::default());
    let calls = Arc::new(AtomicU32::new(0));
    let replicas: Vec<_> = (0..5)
      .map(|_| {
        let (r, calls) = (replica(&shared), calls.clone());
        tokio::spawn(
          async move { r.fetch_through("test", &key(), false, || upstream(&calls)).await },
        )
      })
      .collect();
    for r in replicas {
      assert_eq!(r.await.unwrap().unwrap().token.expose(), "t1");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn an_abandoned_lock_is_taken_over_after_its_ttl() {
    let shared = Arc::new(Memory::default());
    let k = key();
    // A replica took the lock and died.
    let Lock::Acquired(_) = shared.lock(&k).await else { panic!("lock") };
    let calls = AtomicU32::new(0);
    let started = std::time::Instant::now();
    let t = replica(&shared).fetch_through("test", &k, false, || upstream(&calls)).await.unwrap();
    assert_eq!(t.token.expose(), "t1");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(started.elapsed() >= Duration::from_millis(250), "waited for the lock to expire");
  }

  /// Misses on its first read only: as if another replica stored the token and released
  /// the lock right after that read.
  struct LateWriter {
    inner: Memory,
    reads: AtomicU32,
    token: AccessToken,
  }

  impl SharedCache for LateWriter {
    fn get<'a>(&'a self, _key: &'a EntryKey) -> CacheFuture<'a, Lookup> {
      Box::pin(async move {
        match self.reads.fetch_add(1, Ordering::SeqCst) {
          0 => Lookup::Miss,
          _ => Lookup::Hit(self.token.clone()),
        }
      })
    }
    fn put<'a>(&'a self, key: &'a EntryKey, token: &'a AccessToken) -> CacheFuture<'a, ()> {
      self.inner.put(key, token)
    }
    fn lock<'a>(&'a self, key: &'a EntryKey) -> CacheFuture<'a, Lock> {
      self.inner.lock(key)
    }
    fn unlock<'a>(&'a self, key: &'a EntryKey, lock: String) -> CacheFuture<'a, ()> {
      self.inner.unlock(key, lock)
    }
    fn lock_ttl(&self) -> Duration {
      self.inner.lock_ttl()
    }
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn the_lock_winner_reads_again_before_fetching() {
    let now = now_ms();
    let stored =
      AccessToken::new(Secret::new("theirs"), "Bearer".into(), now, now + 3_600_000, None);
    let cache = LateWriter { inner: Memory::default(), reads: AtomicU32::new(0), token: stored };
    let tiers = Tiers { shared: Some(Arc::new(cache) as Arc<dyn SharedCache>), file: None };
    let calls = AtomicU32::new(0);
    let t = tiers.fetch_through("test", &key(), false, || upstream(&calls)).await.unwrap();
    assert_eq!(t.token.expose(), "theirs");
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no fetch: the token arrived before the lock");
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn an_unavailable_cache_means_a_local_fetch() {
    let shared = Arc::new(Memory::default());
    shared.down.store(true, Ordering::SeqCst);
    let calls = AtomicU32::new(0);
    let t = replica(&shared).fetch_through("test", &key(), false, || upstream(&calls)).await;
    assert!(t.is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn a_stale_shared_token_is_refreshed_and_bypass_skips_reading() {
    let shared = Arc::new(Memory::default());
    let k = key();
    let now = now_ms();
    // Past its refresh moment: a replica refreshing must not take it back.
    let stale =
      AccessToken::new(Secret::new("old"), "Bearer".into(), now - 3_500_000, now + 100_000, None);
    shared.put(&k, &stale).await;
    let calls = AtomicU32::new(0);
    let t = replica(&shared).fetch_through("test", &k, false, || upstream(&calls)).await.unwrap();
    assert_eq!(t.token.expose(), "t1");
    let forced =
      replica(&shared).fetch_through("test", &k, true, || upstream(&calls)).await.unwrap();
    assert_eq!(forced.token.expose(), "t2");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
  }
}

#[cfg(test)]
mod storage_key_tests {
  #[test]
  fn storage_keys_depend_on_the_encryption_key() {
    let a = super::storage_key(&[1; 32], "client_certificate|path|password-hash");
    assert_eq!(a, super::storage_key(&[1; 32], "client_certificate|path|password-hash"));
    assert_ne!(a, super::storage_key(&[2; 32], "client_certificate|path|password-hash"));
    assert!(!a.contains("client_certificate"));
  }
}
