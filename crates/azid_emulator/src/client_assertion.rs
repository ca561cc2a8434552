//! Client assertions at the token endpoint: certificate assertions (§1.3), checked
//! against the app's registered certificates, and federated tokens (§1.4), matched
//! against its federated credentials. An assertion whose `iss` is the client id is a
//! certificate assertion; any other is an external (federated) token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::clock;
use crate::errors::AadError;
use crate::state::AppRegistration;

/// Clock skew tolerated on `nbf` and `exp`.
const SKEW_SECS: i64 = 300;
/// The audience of federated tokens Entra accepts by default.
pub(crate) const EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// A compact JWS split into its decoded parts.
pub(crate) struct Jws<'a> {
  pub header: Value,
  pub claims: Value,
  pub signing_input: &'a str,
  pub signature: Vec<u8>,
}

pub(crate) fn decode(jwt: &str) -> Option<Jws<'_>> {
  let (signing_input, sig) = jwt.trim().rsplit_once('.')?;
  let (h, c) = signing_input.split_once('.')?;
  let json = |part: &str| -> Option<Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?).ok()
  };
  Some(Jws {
    header: json(h)?,
    claims: json(c)?,
    signing_input,
    signature: URL_SAFE_NO_PAD.decode(sig.trim_end_matches('=')).ok()?,
  })
}

fn str_claim<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
  v.get(name).and_then(Value::as_str)
}

fn num_claim(v: &Value, name: &str) -> Option<i64> {
  v.get(name).and_then(|n| n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)))
}

/// True when `assertion` is a certificate assertion made by the client itself.
pub(crate) fn is_self_signed(jws: &Jws<'_>, client_id: &str) -> bool {
  str_claim(&jws.claims, "iss").is_some_and(|i| i.eq_ignore_ascii_case(client_id))
}

struct RegisteredKey {
  x5t: String,
  x5t_s256: String,
  key: RsaPublicKey,
}

/// The app's certificates (PEM), with their thumbprints. Unreadable ones are skipped:
/// registration already rejected them.
fn keys_of(app: &AppRegistration) -> Vec<RegisteredKey> {
  app.certificates.iter().filter_map(|pem| parse_certificate(pem).ok()).collect()
}

fn parse_certificate(text: &str) -> Result<RegisteredKey, String> {
  let block = pem::parse(text).map_err(|_| "certificate is not PEM".to_string())?;
  if block.tag() != "CERTIFICATE" {
    return Err(format!("expected a CERTIFICATE block, got {}", block.tag()));
  }
  key_of_der(block.contents())
}

fn key_of_der(der: &[u8]) -> Result<RegisteredKey, String> {
  let (_, cert) =
    x509_parser::parse_x509_certificate(der).map_err(|_| "not an X.509 certificate".to_string())?;
  let key = RsaPublicKey::from_public_key_der(cert.public_key().raw)
    .map_err(|_| "the certificate's key is not RSA".to_string())?;
  Ok(RegisteredKey {
    x5t: URL_SAFE_NO_PAD.encode(Sha1::digest(der)),
    x5t_s256: URL_SAFE_NO_PAD.encode(Sha256::digest(der)),
    key,
  })
}

/// An app registered by thumbprint only (hex SHA-1 as the portal shows it, or hex SHA-256):
/// the key comes from the assertion's `x5c` leaf, if that certificate has the thumbprint.
fn key_by_thumbprint(app: &AppRegistration, header: &Value) -> Option<RegisteredKey> {
  use base64::engine::general_purpose::STANDARD;
  let leaf = header.get("x5c")?.as_array()?.first()?.as_str()?;
  let der = STANDARD.decode(leaf).ok()?;
  let key = key_of_der(&der).ok()?;
  let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
  let (sha1, sha256) = (hex(&Sha1::digest(&der)), hex(&Sha256::digest(&der)));
  let registered = app.certificate_thumbprints.iter().any(|t| {
    let t = t.trim().to_ascii_lowercase().replace(':', "");
    t == sha1 || t == sha256
  });
  let named = [("x5t#S256", &key.x5t_s256), ("x5t", &key.x5t)]
    .iter()
    .any(|(h, v)| header.get(*h).and_then(Value::as_str) == Some(v.as_str()));
  (registered && named).then_some(key)
}

/// Checks every certificate in a registration is a PEM RSA certificate.
pub(crate) fn validate_certificates(app: &AppRegistration) -> Result<(), String> {
  app.certificates.iter().try_for_each(|c| parse_certificate(c).map(|_| ()))
}

/// §1.3: signature by a registered certificate (RS256 or PS256), `aud`, `iss = sub`, time.
pub(crate) fn verify_certificate_assertion(
  app: &AppRegistration,
  jws: &Jws<'_>,
  token_endpoint: &str,
) -> Result<(), AadError> {
  let header = &jws.header;
  let by_s256 = str_claim(header, "x5t#S256");
  let by_sha1 = str_claim(header, "x5t");
  let keys = keys_of(app);
  let found = keys
    .iter()
    .find(|k| by_s256.is_some_and(|t| t == k.x5t_s256) || by_sha1.is_some_and(|t| t == k.x5t));
  let thumbprint = by_s256.or(by_sha1).unwrap_or("");
  let from_chain;
  let found = match found {
    Some(k) => k,
    None => {
      from_chain = key_by_thumbprint(app, header)
        .ok_or_else(|| AadError::assertion_key_not_found(thumbprint, &app.client_id))?;
      &from_chain
    }
  };
  let verified = match str_claim(header, "alg") {
    Some("RS256") => {
      rsa::pkcs1v15::Signature::try_from(jws.signature.as_slice()).ok().is_some_and(|s| {
        rsa::pkcs1v15::VerifyingKey::<Sha256>::new(found.key.clone())
          .verify(jws.signing_input.as_bytes(), &s)
          .is_ok()
      })
    }
    Some("PS256") => {
      rsa::pss::Signature::try_from(jws.signature.as_slice()).ok().is_some_and(|s| {
        rsa::pss::VerifyingKey::<Sha256>::new(found.key.clone())
          .verify(jws.signing_input.as_bytes(), &s)
          .is_ok()
      })
    }
    _ => false,
  };
  if !verified {
    return Err(AadError::assertion_bad_signature(thumbprint));
  }
  let claims = &jws.claims;
  let iss = str_claim(claims, "iss").unwrap_or("");
  let sub = str_claim(claims, "sub").unwrap_or("");
  if !iss.eq_ignore_ascii_case(&app.client_id) || sub != iss {
    return Err(AadError::assertion_subject_mismatch());
  }
  let aud = str_claim(claims, "aud").unwrap_or("");
  if !aud.trim_end_matches('/').eq_ignore_ascii_case(token_endpoint.trim_end_matches('/')) {
    return Err(AadError::assertion_audience(aud, token_endpoint));
  }
  check_time(claims)
}

/// `nbf` and `exp` within ±5 minutes of now.
fn check_time(claims: &Value) -> Result<(), AadError> {
  let now = clock::now_secs() as i64;
  let exp = num_claim(claims, "exp").ok_or_else(AadError::assertion_expired)?;
  let nbf = num_claim(claims, "nbf").unwrap_or(i64::MIN);
  if exp + SKEW_SECS < now || nbf - SKEW_SECS > now {
    return Err(AadError::assertion_expired());
  }
  Ok(())
}

/// §1.4: exact, case-sensitive issuer, subject and audience match; then the token's time.
pub(crate) fn verify_federated_token(app: &AppRegistration, jws: &Jws<'_>) -> Result<(), AadError> {
  if app.federated_credentials.is_empty() {
    return Err(AadError::federation_none(&app.client_id));
  }
  let claims = &jws.claims;
  let iss = str_claim(claims, "iss").unwrap_or("");
  let sub = str_claim(claims, "sub").unwrap_or("");
  let auds: Vec<&str> = match claims.get("aud") {
    Some(Value::String(a)) => vec![a.as_str()],
    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
    _ => Vec::new(),
  };
  let same_issuer: Vec<_> = app.federated_credentials.iter().filter(|f| f.issuer == iss).collect();
  if same_issuer.is_empty() {
    return Err(AadError::federation_issuer(iss));
  }
  let same_subject: Vec<_> = same_issuer.into_iter().filter(|f| f.subject == sub).collect();
  if same_subject.is_empty() {
    return Err(AadError::federation_subject(sub, iss));
  }
  let audience_ok = same_subject.iter().any(|f| {
    let allowed = if f.audiences.is_empty() {
      vec![EXCHANGE_AUDIENCE.to_string()]
    } else {
      f.audiences.clone()
    };
    auds.iter().any(|a| allowed.iter().any(|x| x == a))
  });
  if !audience_ok {
    return Err(AadError::federation_audience(&auds.join(",")));
  }
  let now = clock::now_secs() as i64;
  match num_claim(claims, "exp") {
    Some(exp) if exp + SKEW_SECS >= now => Ok(()),
    _ => Err(AadError::assertion_expired()),
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::state::FederatedCredential;

  fn jwt(claims: Value) -> String {
    let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    format!("{h}.{}.c2ln", URL_SAFE_NO_PAD.encode(claims.to_string()))
  }

  fn app() -> AppRegistration {
    AppRegistration {
      client_id: "app".into(),
      federated_credentials: vec![FederatedCredential {
        issuer: "https://iss".into(),
        subject: "sa".into(),
        audiences: vec![],
      }],
      ..Default::default()
    }
  }

  fn code(claims: Value) -> Option<u32> {
    let token = jwt(claims);
    let jws = decode(&token).unwrap();
    verify_federated_token(&app(), &jws).err().map(|e| e.code)
  }

  #[test]
  fn federated_matching_is_exact() {
    let exp = clock::now_secs() + 600;
    let ok = serde_json::json!({"iss": "https://iss", "sub": "sa", "aud": [EXCHANGE_AUDIENCE], "exp": exp});
    assert_eq!(code(ok.clone()), None);
    let with = |k: &str, v: Value| {
      let mut c = ok.clone();
      c[k] = v;
      c
    };
    assert_eq!(code(with("iss", "https://ISS".into())), Some(700211));
    assert_eq!(code(with("sub", "SA".into())), Some(700213));
    assert_eq!(code(with("aud", "api://other".into())), Some(700212));
    assert_eq!(code(with("exp", (clock::now_secs() - 3600).into())), Some(700024));
    let none = AppRegistration { client_id: "app".into(), ..Default::default() };
    let token = jwt(ok);
    assert_eq!(verify_federated_token(&none, &decode(&token).unwrap()).unwrap_err().code, 70021);
  }

  #[test]
  fn self_signed_is_told_by_issuer_and_garbage_is_not_a_jwt() {
    let token = jwt(serde_json::json!({"iss": "APP", "sub": "APP"}));
    assert!(is_self_signed(&decode(&token).unwrap(), "app"));
    assert!(decode("not-a-jwt").is_none());
    assert!(decode("a.b.c").is_none());
  }

  #[test]
  fn certificate_registration_must_be_an_rsa_certificate() {
    let mut app = app();
    app.certificates =
      vec!["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into()];
    assert!(validate_certificates(&app).is_err());
    app.certificates = vec!["not pem".into()];
    assert!(validate_certificates(&app).is_err());
  }

  /// An RSA certificate from openssl, and its key.
  fn openssl_cert() -> (String, rsa::RsaPrivateKey) {
    use rsa::pkcs8::DecodePrivateKey;
    let dir = std::env::temp_dir().join(format!("azid-emu-assert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let status = std::process::Command::new("openssl")
      .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem"])
      .args(["-days", "1", "-subj", "/CN=emu"])
      .current_dir(&dir)
      .output()
      .unwrap();
    assert!(status.status.success());
    let cert = std::fs::read_to_string(dir.join("c.pem")).unwrap();
    let key =
      rsa::RsaPrivateKey::from_pkcs8_pem(&std::fs::read_to_string(dir.join("k.pem")).unwrap())
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (cert, key)
  }

  fn signed(key: &rsa::RsaPrivateKey, header: Value, claims: Value) -> String {
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
    let input = format!(
      "{}.{}",
      URL_SAFE_NO_PAD.encode(header.to_string()),
      URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = if header["alg"] == "PS256" {
      rsa::pss::SigningKey::<Sha256>::new(key.clone())
        .sign_with_rng(&mut rsa::rand_core::OsRng, input.as_bytes())
        .to_vec()
    } else {
      rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes()).to_vec()
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
  }

  #[test]
  fn certificate_assertions_rs256_and_ps256() {
    let (cert, key) = openssl_cert();
    let der = pem::parse(&cert).unwrap().into_contents();
    let app =
      AppRegistration { client_id: "app".into(), certificates: vec![cert], ..Default::default() };
    assert!(validate_certificates(&app).is_ok());
    let endpoint = "https://h/t/oauth2/v2.0/token";
    let now = clock::now_secs();
    let claims = serde_json::json!({"iss": "app", "sub": "app", "aud": endpoint, "nbf": now, "exp": now + 600});
    let s256 = URL_SAFE_NO_PAD.encode(Sha256::digest(&der));
    let sha1 = URL_SAFE_NO_PAD.encode(Sha1::digest(&der));
    let check = |header: Value, claims: Value| {
      let token = signed(&key, header, claims);
      verify_certificate_assertion(&app, &decode(&token).unwrap(), endpoint).err().map(|e| e.code)
    };
    let ps = serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": s256});
    let rs = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": sha1});
    assert_eq!(check(ps.clone(), claims.clone()), None);
    assert_eq!(check(rs.clone(), claims.clone()), None);
    let mut slash = claims.clone();
    slash["aud"] = format!("{endpoint}/").into();
    assert_eq!(check(ps.clone(), slash), None, "a trailing slash is tolerated");
    let mut aud = claims.clone();
    aud["aud"] = "https://elsewhere/token".into();
    assert_eq!(check(ps.clone(), aud), Some(700027));
    let mut sub = claims.clone();
    sub["sub"] = "other".into();
    assert_eq!(check(ps.clone(), sub), Some(50048));
    let mut old = claims.clone();
    old["exp"] = (now - 600).into();
    assert_eq!(check(rs.clone(), old), Some(700024));
    let unknown = serde_json::json!({"alg": "PS256", "typ": "JWT", "x5t#S256": "nope"});
    assert_eq!(check(unknown, claims.clone()), Some(700027));
    // Signed as RS256 but labelled PS256: the signature does not verify.
    let token = signed(&key, rs, claims);
    let (_, rest) = token.split_once('.').unwrap();
    let relabelled = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(ps.to_string()));
    let e =
      verify_certificate_assertion(&app, &decode(&relabelled).unwrap(), endpoint).unwrap_err();
    assert_eq!(e.code, 700027);
  }
}
