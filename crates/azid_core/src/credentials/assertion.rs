//! The client assertion of a certificate credential (§1.3): a PS256 JWT naming the
//! certificate by `x5t#S256`, optionally carrying the chain in `x5c`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::pss::BlindedSigningKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use serde_json::json;
use sha2::Sha256;

use super::certificate::SigningCertificate;
use crate::secret::Secret;

/// Lifetime of an assertion; the docs advise 5–10 minutes.
pub const ASSERTION_LIFETIME_SECS: u64 = 600;

/// Builds and signs an assertion for `audience` (the token endpoint) at `now_secs`.
/// CPU-bound (an RSA signature): callers run it off the JS thread.
pub fn build_assertion(
  cert: &SigningCertificate,
  client_id: &str,
  audience: &str,
  send_chain: bool,
  now_secs: u64,
) -> Secret {
  let mut header = json!({ "typ": "JWT", "alg": "PS256", "x5t#S256": cert.x5t_s256 });
  if send_chain {
    header["x5c"] = json!(cert.chain.iter().map(|der| STANDARD.encode(der)).collect::<Vec<_>>());
  }
  let claims = json!({
    "aud": audience,
    "iss": client_id,
    "sub": client_id,
    "jti": uuid::Uuid::new_v4().to_string(),
    "nbf": now_secs,
    "iat": now_secs,
    "exp": now_secs + ASSERTION_LIFETIME_SECS,
  });
  let input = format!(
    "{}.{}",
    URL_SAFE_NO_PAD.encode(header.to_string()),
    URL_SAFE_NO_PAD.encode(claims.to_string())
  );
  let signer = BlindedSigningKey::<Sha256>::new(cert.key.clone());
  let signature = signer.sign_with_rng(&mut rsa::rand_core::OsRng, input.as_bytes()).to_bytes();
  Secret::new(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}
