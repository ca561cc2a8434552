//! RS256 access tokens and the JWKS that verifies them.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::EncodePublicKey;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Signs tokens with one RSA-2048 key and publishes it as a JWK.
pub(crate) struct TokenSigner {
  key: SigningKey<Sha256>,
  verifier: VerifyingKey<Sha256>,
  kid: String,
  n: String,
  e: String,
}

impl std::fmt::Debug for TokenSigner {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("TokenSigner").field("kid", &self.kid).finish()
  }
}

/// RSA-2048 generation takes a noticeable fraction of a second, and tests and benchmarks start
/// many emulators, so one key is made per process, on first start, and shared.
fn process_key() -> RsaPrivateKey {
  static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
  KEY
    .get_or_init(|| {
      RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA-2048 key generation")
    })
    .clone()
}

impl TokenSigner {
  /// Blocking (key generation on first call): run it off the async threads.
  pub fn new() -> Self {
    let private = process_key();
    let public = private.to_public_key();
    // kid: a thumbprint of the public key, like Entra's key IDs are stable per key.
    let spki = public.to_public_key_der().expect("encode RSA public key").into_vec();
    let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&spki)[..20]);
    TokenSigner {
      n: URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
      e: URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
      verifier: VerifyingKey::<Sha256>::new(public),
      key: SigningKey::<Sha256>::new(private),
      kid,
    }
  }

  /// A compact JWS: `base64url(header).base64url(claims).base64url(RS256 signature)`.
  pub fn sign(&self, claims: &Value) -> String {
    // Written by hand to keep Entra's member order (serde_json would sort the keys).
    // The kid is base64url, so it needs no JSON escaping.
    let header = format!(r#"{{"typ":"JWT","alg":"RS256","kid":"{}"}}"#, self.kid);
    let signing_input =
      format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = self.key.sign(signing_input.as_bytes()).to_bytes();
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
  }

  /// True when `signing_input`/`signature` is a signature of this emulator's key.
  pub fn verify_signature(&self, signing_input: &str, signature: &[u8]) -> bool {
    Signature::try_from(signature)
      .is_ok_and(|s| self.verifier.verify(signing_input.as_bytes(), &s).is_ok())
  }

  /// The claims of a token this signer made, or `None` if it is malformed or the
  /// signature does not verify (a resource server's check; expiry is the caller's).
  pub fn verify(&self, token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
      return None;
    }
    let signature = Signature::try_from(URL_SAFE_NO_PAD.decode(signature).ok()?.as_slice()).ok()?;
    self.verifier.verify(format!("{header}.{claims}").as_bytes(), &signature).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()
  }

  /// The JWKS document of the keys endpoint; `issuer` as Entra lists it per key.
  pub fn jwks(&self, issuer: &str) -> Value {
    json!({
        "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": self.n,
            "e": self.e,
            "issuer": issuer,
        }]
    })
  }
}

/// A stable GUID derived from a name, so an app's `oid` is the same across restarts.
pub(crate) fn stable_guid(name: &str) -> String {
  let digest = Sha256::digest(name.as_bytes());
  let mut bytes = [0u8; 16];
  bytes.copy_from_slice(&digest[..16]);
  uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}
