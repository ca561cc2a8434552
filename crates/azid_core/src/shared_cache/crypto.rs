//! AES-256-GCM sealing of cache entries. The associated data binds an entry to where it
//! is stored and to the engine and scopes it belongs to, so a sealed entry copied to
//! another key (or another credential's key) fails authentication.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::token::AccessToken;

/// Seals and opens entries with one 256-bit key. Never prints the key.
pub struct Sealer {
  key: LessSafeKey,
  rng: SystemRandom,
}

/// Why an entry could not be opened (wrong key, tampering, truncation or a foreign format).
#[derive(Debug)]
pub struct OpenError;

impl Sealer {
  pub fn new(key: &[u8]) -> Result<Self> {
    let unbound = UnboundKey::new(&AES_256_GCM, key).map_err(|_| {
      Error::invalid(format!(
        "tokenCache.encryptionKey must be 32 bytes (AES-256), got {}; generate one with crypto.randomBytes(32).toString('base64')",
        key.len()
      ))
    })?;
    Ok(Self { key: LessSafeKey::new(unbound), rng: SystemRandom::new() })
  }

  /// `nonce || ciphertext || tag`, with a fresh random 96-bit nonce.
  pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    self
      .rng
      .fill(&mut nonce)
      .map_err(|_| Error::unavailable("no system randomness for a nonce"))?;
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = self
      .key
      .seal_in_place_separate_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut out[NONCE_LEN..],
      )
      .map_err(|_| Error::unavailable("sealing a cache entry failed"))?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
  }

  pub fn open(&self, aad: &[u8], sealed: &[u8]) -> std::result::Result<Vec<u8>, OpenError> {
    if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
      return Err(OpenError);
    }
    let (nonce, rest) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError)?;
    let mut buf = rest.to_vec();
    let plain = self.key.open_in_place(nonce, Aad::from(aad), &mut buf).map_err(|_| OpenError)?;
    Ok(plain.to_vec())
  }
}

/// What a sealed entry holds: the token, its moments and the cache key it answers.
#[derive(Serialize, Deserialize)]
struct Record {
  k: String,
  t: String,
  y: String,
  e: u64,
  r: u64,
  u: u64,
}

pub fn encode(cache_key: &str, token: &AccessToken) -> Vec<u8> {
  let record = Record {
    k: cache_key.to_string(),
    t: token.token.expose().to_string(),
    y: token.token_type.clone(),
    e: token.expires_on_ms,
    r: token.refresh_after_ms,
    u: token.usable_until_ms,
  };
  serde_json::to_vec(&record).unwrap_or_default()
}

/// The cache key and token of an opened entry, or `OpenError` if it is not one of ours.
pub fn decode(plain: &[u8]) -> std::result::Result<(String, AccessToken), OpenError> {
  let r: Record = serde_json::from_slice(plain).map_err(|_| OpenError)?;
  Ok((
    r.k,
    AccessToken {
      token: Secret::new(r.t),
      token_type: r.y,
      expires_on_ms: r.e,
      refresh_after_ms: r.r,
      usable_until_ms: r.u,
    },
  ))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn sealed_entries_open_only_with_the_same_key_and_aad() {
    let s = Sealer::new(&[7u8; 32]).unwrap();
    let sealed = s.seal(b"where", b"token-value").unwrap();
    assert!(!sealed.windows(11).any(|w| w == b"token-value"), "no plaintext in the sealed bytes");
    assert_eq!(s.open(b"where", &sealed).unwrap(), b"token-value");
    assert!(s.open(b"elsewhere", &sealed).is_err(), "moved to another key");
    let mut flipped = sealed.clone();
    flipped[NONCE_LEN + 2] ^= 1;
    assert!(s.open(b"where", &flipped).is_err(), "tampered");
    assert!(Sealer::new(&[8u8; 32]).unwrap().open(b"where", &sealed).is_err(), "another key");
    assert_ne!(s.seal(b"where", b"token-value").unwrap(), sealed, "fresh nonce per entry");
    assert!(Sealer::new(&[1u8; 16]).is_err());
  }
}
