//! A client certificate and its RSA private key, read from PEM (plain or encrypted
//! PKCS#8) or PKCS#12. Errors say what is wrong with the input and never show key material.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// rsaEncryption, the only key algorithm Entra accepts for certificate assertions here.
const RSA_OID: &str = "1.2.840.113549.1.1.1";

/// The signing material of a certificate credential.
pub struct SigningCertificate {
  pub(crate) key: RsaPrivateKey,
  /// DER certificates, leaf (the one matching the key) first.
  pub(crate) chain: Vec<Vec<u8>>,
  /// base64url SHA-256 of the leaf DER: the assertion's `x5t#S256`.
  pub x5t_s256: String,
}

impl fmt::Debug for SigningCertificate {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.debug_struct("SigningCertificate")
      .field("x5t_s256", &self.x5t_s256)
      .field("chain_len", &self.chain.len())
      .finish_non_exhaustive()
  }
}

/// A certificate problem: `what` names the input (a path or "the certificate string").
fn bad(credential: &str, what: &str, problem: &str) -> Error {
  Error::invalid(format!("{credential}: {what}: {problem}"))
}

impl SigningCertificate {
  /// Parses PEM text or PKCS#12 bytes. `password` decrypts an encrypted PEM key or a PKCS#12 file.
  pub fn parse(credential: &str, what: &str, bytes: &[u8], password: Option<&str>) -> Result<Self> {
    let looks_pem = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    let (key, certs) = if looks_pem {
      from_pem(credential, what, bytes, password)?
    } else if bytes.first() == Some(&0x30) {
      from_pkcs12(credential, what, bytes, password)?
    } else {
      return Err(bad(
        credential,
        what,
        "not a certificate: expected PEM (a CERTIFICATE and a PRIVATE KEY block) or a PKCS#12 (.pfx/.p12) file",
      ));
    };
    Self::assemble(credential, what, key, certs)
  }

  /// Puts the certificate matching the key first; rejects a key with no certificate.
  fn assemble(
    credential: &str,
    what: &str,
    key: RsaPrivateKey,
    certs: Vec<Vec<u8>>,
  ) -> Result<Self> {
    if certs.is_empty() {
      return Err(bad(
        credential,
        what,
        "no certificate found; the file must hold the certificate (-----BEGIN CERTIFICATE-----) along with its private key",
      ));
    }
    let modulus = key.n().to_bytes_be();
    let leaf = certs.iter().position(|der| rsa_modulus_of(der).as_deref() == Some(&modulus[..]));
    let Some(leaf) = leaf else {
      return Err(bad(
        credential,
        what,
        "the private key does not belong to any certificate in it; put the certificate that was issued for this key in the same file",
      ));
    };
    let mut chain = certs;
    let leaf_der = chain.remove(leaf);
    if let Ok((_, cert)) = x509_parser::parse_x509_certificate(&leaf_der) {
      if !cert.validity().is_valid() {
        crate::azlog!(
          crate::log::Level::Warning,
          "{credential}: {what}: the certificate is outside its validity period (not after {}); Entra ID will refuse it",
          cert.validity().not_after
        );
      }
    }
    chain.insert(0, leaf_der);
    let x5t_s256 = URL_SAFE_NO_PAD.encode(Sha256::digest(&chain[0]));
    Ok(Self { key, chain, x5t_s256 })
  }
}

/// The RSA modulus of a DER certificate (leading zero stripped), if it has an RSA key.
fn rsa_modulus_of(der: &[u8]) -> Option<Vec<u8>> {
  let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
  match cert.public_key().parsed().ok()? {
    x509_parser::public_key::PublicKey::RSA(rsa) => {
      let m = rsa.modulus;
      let start = m.iter().position(|b| *b != 0).unwrap_or(m.len());
      Some(m[start..].to_vec())
    }
    _ => None,
  }
}

fn check_certificate(credential: &str, what: &str, der: &[u8]) -> Result<()> {
  x509_parser::parse_x509_certificate(der)
    .map(|_| ())
    .map_err(|_| bad(credential, what, "a CERTIFICATE block is not a valid X.509 certificate"))
}

/// A PKCS#8 key, refusing non-RSA algorithms with a message that says so.
fn rsa_from_pkcs8(credential: &str, what: &str, der: &[u8]) -> Result<RsaPrivateKey> {
  let info = rsa::pkcs8::PrivateKeyInfo::try_from(der)
    .map_err(|_| bad(credential, what, "the private key is not valid PKCS#8"))?;
  if info.algorithm.oid.to_string() != RSA_OID {
    return Err(non_rsa(credential, what));
  }
  RsaPrivateKey::from_pkcs8_der(der)
    .map_err(|_| bad(credential, what, "the RSA private key could not be read"))
}

fn non_rsa(credential: &str, what: &str) -> Error {
  bad(
    credential,
    what,
    "the private key is not an RSA key; Entra ID client certificates need RSA (2048 bits or more). Create the certificate with an RSA key",
  )
}

fn no_private_key(credential: &str, what: &str) -> Error {
  bad(
    credential,
    what,
    "no private key found; the file must hold the certificate's private key (-----BEGIN PRIVATE KEY----- or an encrypted one with certificatePassword)",
  )
}

fn wrong_password(credential: &str, what: &str) -> Error {
  bad(
    credential,
    what,
    "the private key could not be decrypted: the certificatePassword is wrong (or missing)",
  )
}

type KeyAndCerts = (RsaPrivateKey, Vec<Vec<u8>>);

fn from_pem(
  credential: &str,
  what: &str,
  bytes: &[u8],
  password: Option<&str>,
) -> Result<KeyAndCerts> {
  let blocks = pem::parse_many(bytes)
    .map_err(|_| bad(credential, what, "not a certificate: the PEM text could not be parsed"))?;
  let mut certs = Vec::new();
  let mut key = None;
  for block in blocks {
    match block.tag() {
      "CERTIFICATE" => {
        check_certificate(credential, what, block.contents())?;
        certs.push(block.contents().to_vec());
      }
      "PRIVATE KEY" => key = Some(rsa_from_pkcs8(credential, what, block.contents())?),
      "RSA PRIVATE KEY" => {
        if block.headers().get("Proc-Type").is_some_and(|p| p.contains("ENCRYPTED")) {
          return Err(bad(
            credential,
            what,
            "the private key uses legacy OpenSSL PEM encryption, which is not supported; convert it with `openssl pkcs8 -topk8 -v2 aes256` (or to PKCS#12)",
          ));
        }
        key = Some(
          RsaPrivateKey::from_pkcs1_der(block.contents())
            .map_err(|_| bad(credential, what, "the RSA PRIVATE KEY block could not be read"))?,
        );
      }
      "ENCRYPTED PRIVATE KEY" => {
        let Some(password) = password.filter(|p| !p.is_empty()) else {
          return Err(bad(
            credential,
            what,
            "the private key is encrypted; pass its password as certificatePassword",
          ));
        };
        let info =
          rsa::pkcs8::EncryptedPrivateKeyInfo::try_from(block.contents()).map_err(|_| {
            bad(credential, what, "the ENCRYPTED PRIVATE KEY block is not valid PKCS#8")
          })?;
        let doc = info.decrypt(password).map_err(|_| wrong_password(credential, what))?;
        key = Some(rsa_from_pkcs8(credential, what, doc.as_bytes())?);
      }
      "EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
        return Err(non_rsa(credential, what))
      }
      _ => {}
    }
  }
  let key = key.ok_or_else(|| {
    if certs.is_empty() {
      bad(credential, what, "not a certificate: no CERTIFICATE or PRIVATE KEY block found")
    } else {
      no_private_key(credential, what)
    }
  })?;
  Ok((key, certs))
}

fn from_pkcs12(
  credential: &str,
  what: &str,
  bytes: &[u8],
  password: Option<&str>,
) -> Result<KeyAndCerts> {
  let archive = p12_keystore::Pkcs12Archive::from_pkcs12(bytes, password.unwrap_or(""))
    .map_err(|e| match e {
      p12_keystore::error::Error::MacError(_) | p12_keystore::error::Error::UnpadError => {
        wrong_password(credential, what)
      }
      p12_keystore::error::Error::DerError(_) | p12_keystore::error::Error::InvalidVersion => bad(
        credential,
        what,
        "not a certificate: expected PEM or a PKCS#12 (.pfx/.p12) file",
      ),
      _ => bad(
        credential,
        what,
        "the PKCS#12 file could not be read (unsupported encryption?); re-export it with `openssl pkcs12 -export`",
      ),
    })?;
  let key_bag = archive.keys.first().ok_or_else(|| no_private_key(credential, what))?;
  let key = rsa_from_pkcs8(credential, what, key_bag.key.as_der())?;
  let certs = archive.certs.iter().map(|c| c.cert.as_der().to_vec()).collect();
  Ok((key, certs))
}
