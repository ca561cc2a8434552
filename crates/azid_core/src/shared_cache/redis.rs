//! The Redis tier. Every operation is bounded by the configured timeout; a failure
//! drops the connection, is logged once per outage, and makes the engine go on with
//! its local cache (callers never see a Redis error).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, ConnectionAddr, FromRedisValue};

use super::crypto::{self, Sealer};
use super::{CacheFuture, EntryKey, Lock, Lookup, RedisConfig, SharedCache};
use crate::azlog;
use crate::error::{Error, Result};
use crate::log::Level;
use crate::token::{now_ms, AccessToken};

/// Connecting (TCP, TLS handshake, AUTH) may take longer than one command, at least this.
const MIN_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// While Redis is down, it is asked again at most this often (so callers do not each
/// pay the timeout).
const RETRY_DOWN_MS: u64 = 1_000;

const RELEASE_SCRIPT: &str =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

pub struct RedisCache {
  client: Client,
  conn: tokio::sync::Mutex<Option<MultiplexedConnection>>,
  sealer: Arc<Sealer>,
  prefix: String,
  lock_ttl: Duration,
  timeout: Duration,
  /// `redis://host:port` for log lines: no password, no path.
  endpoint: String,
  label: String,
  down: AtomicBool,
  retry_at_ms: AtomicU64,
}

impl RedisCache {
  /// Checks the URL without connecting (a typed error at credential construction).
  pub fn check_url(url: &str) -> Result<()> {
    open_client(url).map(|_| ())
  }

  pub fn new(config: &RedisConfig, sealer: Arc<Sealer>, label: &str) -> Result<Self> {
    let client = open_client(&config.url)?;
    let endpoint = match &client.get_connection_info().addr {
      ConnectionAddr::Tcp(host, port) => format!("redis://{host}:{port}"),
      ConnectionAddr::TcpTls { host, port, .. } => format!("rediss://{host}:{port}"),
      other => format!("redis {other}"),
    };
    Ok(Self {
      client,
      conn: tokio::sync::Mutex::new(None),
      sealer,
      prefix: config.key_prefix.clone(),
      lock_ttl: config.lock_ttl,
      timeout: config.timeout,
      endpoint,
      label: label.to_string(),
      down: AtomicBool::new(false),
      retry_at_ms: AtomicU64::new(0),
    })
  }

  fn entry_key(&self, key: &EntryKey) -> String {
    format!("{}{}", self.prefix, key.id)
  }

  fn lock_key(&self, key: &EntryKey) -> String {
    format!("{}{}:lock", self.prefix, key.id)
  }

  fn connect_timeout(&self) -> Duration {
    self.timeout.max(MIN_CONNECT_TIMEOUT)
  }

  async fn connection(&self) -> redis::RedisResult<MultiplexedConnection> {
    let mut slot = self.conn.lock().await;
    if let Some(c) = slot.as_ref() {
      return Ok(c.clone());
    }
    let config = AsyncConnectionConfig::new()
      .set_connection_timeout(self.connect_timeout())
      .set_response_timeout(self.timeout);
    let c = self.client.get_multiplexed_async_connection_with_config(&config).await?;
    *slot = Some(c.clone());
    Ok(c)
  }

  /// Runs one command within the timeout (plus the connect timeout when it has to
  /// connect first); `None` when Redis could not answer.
  async fn run<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> Option<T> {
    if now_ms() < self.retry_at_ms.load(Ordering::Relaxed) {
      return None;
    }
    let attempt = async {
      let mut c = self.connection().await?;
      cmd.query_async::<T>(&mut c).await
    };
    let bound = self.timeout + self.connect_timeout();
    let failure = match tokio::time::timeout(bound, attempt).await {
      Ok(Ok(v)) => {
        if self.down.swap(false, Ordering::Relaxed) {
          azlog!(
            Level::Info,
            "{}: Redis at {} is back; sharing tokens again",
            self.label,
            self.endpoint
          );
        }
        return Some(v);
      }
      Ok(Err(e)) if e.kind() == redis::ErrorKind::AuthenticationFailed => {
        "Redis refused the password in tokenCache.redis.url (AuthenticationFailed)".to_string()
      }
      Ok(Err(e)) if !is_connection_error(&e) => {
        // A reply error (e.g. NOAUTH, WRONGTYPE) says what to fix.
        format!("Redis answered with an error: {}", e.kind_str_safe())
      }
      Ok(Err(e)) => format!("{} ({})", e.kind_str_safe(), e.detail_safe()),
      Err(_) => format!("no answer within {} ms", bound.as_millis()),
    };
    *self.conn.lock().await = None;
    self.retry_at_ms.store(now_ms() + RETRY_DOWN_MS, Ordering::Relaxed);
    if !self.down.swap(true, Ordering::Relaxed) {
      azlog!(
        Level::Warning,
        "{}: Redis at {} is unavailable: {failure}; using the local cache only until it answers again. Check that Redis is running and tokenCache.redis (url, password, TLS) is right.",
        self.label,
        self.endpoint
      );
    }
    None
  }
}

fn open_client(url: &str) -> Result<Client> {
  Client::open(url).map_err(|e| {
    Error::invalid(format!(
      "tokenCache.redis.url is not a Redis URL ({}); use redis://[:password@]host:port[/db] or rediss:// for TLS",
      e.kind_str_safe()
    ))
  })
}

fn is_connection_error(e: &redis::RedisError) -> bool {
  e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout()
}

/// Error descriptions without anything that might echo the URL or a value.
trait SafeText {
  fn kind_str_safe(&self) -> String;
  fn detail_safe(&self) -> String;
}

impl SafeText for redis::RedisError {
  fn kind_str_safe(&self) -> String {
    format!("{:?}", self.kind())
  }
  fn detail_safe(&self) -> String {
    if self.is_connection_refusal() {
      "connection refused".into()
    } else if self.is_timeout() {
      "timed out".into()
    } else if self.is_connection_dropped() {
      "connection dropped".into()
    } else {
      // I/O and TLS errors (e.g. an unknown certificate issuer) name the cause, not the URL.
      self.to_string().chars().take(200).collect()
    }
  }
}

impl SharedCache for RedisCache {
  fn get<'a>(&'a self, key: &'a EntryKey) -> CacheFuture<'a, Lookup> {
    Box::pin(async move {
      let rkey = self.entry_key(key);
      let Some(value) = self.run::<Option<Vec<u8>>>(redis::cmd("GET").arg(&rkey)).await else {
        return Lookup::Unavailable;
      };
      let Some(sealed) = value else { return Lookup::Miss };
      let opened = self.sealer.open(&key.aad(&rkey), &sealed).and_then(|p| crypto::decode(&p));
      match opened {
        Ok((cache_key, token)) if cache_key == key.cache_key => Lookup::Hit(token),
        _ => {
          azlog!(
            Level::Warning,
            "{}: the Redis entry {rkey} failed authentication (tampered, or written with another tokenCache.encryptionKey); deleting it and fetching a new token",
            self.label
          );
          let _ = self.run::<i64>(redis::cmd("DEL").arg(&rkey)).await;
          Lookup::Miss
        }
      }
    })
  }

  fn put<'a>(&'a self, key: &'a EntryKey, token: &'a AccessToken) -> CacheFuture<'a, ()> {
    Box::pin(async move {
      let ttl = token.expires_on_ms.saturating_sub(now_ms());
      if ttl == 0 {
        return;
      }
      let rkey = self.entry_key(key);
      let Ok(sealed) = self.sealer.seal(&key.aad(&rkey), &crypto::encode(&key.cache_key, token))
      else {
        return;
      };
      let _ = self.run::<()>(redis::cmd("SET").arg(&rkey).arg(sealed).arg("PX").arg(ttl)).await;
    })
  }

  fn lock<'a>(&'a self, key: &'a EntryKey) -> CacheFuture<'a, Lock> {
    Box::pin(async move {
      let owner = super::hex(&rand::random::<[u8; 16]>());
      let cmd = redis::cmd("SET")
        .arg(self.lock_key(key))
        .arg(&owner)
        .arg("NX")
        .arg("PX")
        .arg(self.lock_ttl.as_millis() as u64)
        .clone();
      match self.run::<Option<String>>(&cmd).await {
        Some(Some(_)) => Lock::Acquired(owner),
        Some(None) => Lock::Held,
        None => Lock::Unavailable,
      }
    })
  }

  fn unlock<'a>(&'a self, key: &'a EntryKey, lock: String) -> CacheFuture<'a, ()> {
    Box::pin(async move {
      // Only our own lock: if it expired and another replica took it, it stays.
      let cmd =
        redis::cmd("EVAL").arg(RELEASE_SCRIPT).arg(1).arg(self.lock_key(key)).arg(lock).clone();
      let _ = self.run::<i64>(&cmd).await;
    })
  }

  fn lock_ttl(&self) -> Duration {
    self.lock_ttl
  }
}
