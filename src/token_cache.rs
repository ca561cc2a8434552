//! The `tokenCache` option (Redis and/or an encrypted file behind the memory cache).

use std::path::PathBuf;
use std::time::Duration;

use azid_core::shared_cache::{RedisConfig, TokenCacheConfig};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::to_napi;

#[napi(object)]
pub struct NativeRedisCacheOptions {
  /// `redis://[:password@]host:port[/db]`, or `rediss://` for TLS.
  pub url: String,
  pub key_prefix: Option<String>,
  pub lock_ttl_ms: Option<u32>,
  pub timeout_ms: Option<u32>,
}

#[napi(object)]
pub struct NativeFileCacheOptions {
  pub path: String,
}

#[napi(object)]
pub struct NativeTokenCacheOptions {
  pub redis: Option<NativeRedisCacheOptions>,
  pub file: Option<NativeFileCacheOptions>,
  /// 32 bytes, base64 (the facade converts a Buffer).
  pub encryption_key: String,
}

/// The engine's config, or a typed error that says what to fix.
pub fn to_config(options: Option<&NativeTokenCacheOptions>) -> Result<Option<TokenCacheConfig>> {
  let Some(o) = options else { return Ok(None) };
  let redis = o.redis.as_ref().map(|r| RedisConfig {
    url: r.url.clone(),
    key_prefix: r.key_prefix.clone().unwrap_or_else(|| RedisConfig::DEFAULT_PREFIX.to_string()),
    lock_ttl: r
      .lock_ttl_ms
      .filter(|ms| *ms > 0)
      .map_or(RedisConfig::DEFAULT_LOCK_TTL, |ms| Duration::from_millis(ms.into())),
    timeout: r
      .timeout_ms
      .filter(|ms| *ms > 0)
      .map_or(RedisConfig::DEFAULT_TIMEOUT, |ms| Duration::from_millis(ms.into())),
  });
  let file = o.file.as_ref().map(|f| PathBuf::from(&f.path));
  TokenCacheConfig::new(&o.encryption_key, redis, file).map(Some).map_err(to_napi)
}
