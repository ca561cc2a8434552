//! Certificate credentials: parsing PEM, encrypted PEM and PKCS#12 made by `openssl`, the
//! signed assertion, the typed errors, and the whole flow against the emulator.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};

use azid_core::credentials::assertion::build_assertion;
use azid_core::credentials::certificate::SigningCertificate;
use azid_core::credentials::client_certificate::is_refused_certificate;
use azid_core::credentials::{CertificateInput, ClientCertificateConfig, ClientCertificateSource};
use azid_core::http::RetryPolicy;
use azid_core::{Engine, Error, Secret, TokenRequest, TokenSource};
use azid_emulator::{AppRegistration, Emulator, EmulatorConfig, Route};

const PASSWORD: &str = "p@ss-w0rd";

/// A fresh temp dir with an RSA certificate in every form the credential reads.
struct Certs {
  dir: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
  let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
  assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

impl Certs {
  fn new(tag: &str) -> Certs {
    let dir = std::env::temp_dir().join(format!("azid-certs-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let subj = format!("/CN=azid-{tag}");
    openssl(
      &dir,
      &[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
        "-days", "2", "-subj", &subj,
      ],
    );
    let combined =
      [std::fs::read(dir.join("cert.pem")).unwrap(), std::fs::read(dir.join("key.pem")).unwrap()]
        .concat();
    std::fs::write(dir.join("combined.pem"), combined).unwrap();
    let pass = format!("pass:{PASSWORD}");
    openssl(
      &dir,
      &[
        "pkcs8",
        "-topk8",
        "-in",
        "key.pem",
        "-out",
        "enc-key.pem",
        "-v2",
        "aes256",
        "-passout",
        &pass,
      ],
    );
    let enc = [
      std::fs::read(dir.join("cert.pem")).unwrap(),
      std::fs::read(dir.join("enc-key.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(dir.join("encrypted.pem"), enc).unwrap();
    openssl(
      &dir,
      &[
        "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-out", "cert.p12",
        "-passout", &pass,
      ],
    );
    Certs { dir }
  }

  fn path(&self, name: &str) -> PathBuf {
    self.dir.join(name)
  }

  fn read(&self, name: &str) -> Vec<u8> {
    std::fs::read(self.path(name)).unwrap()
  }

  fn cert_pem(&self) -> String {
    String::from_utf8(self.read("cert.pem")).unwrap()
  }

  fn cert_der(&self) -> Vec<u8> {
    pem::parse(self.read("cert.pem")).unwrap().into_contents()
  }
}

impl Drop for Certs {
  fn drop(&mut self) {
    let _ = std::fs::remove_dir_all(&self.dir);
  }
}

fn parse(bytes: &[u8], password: Option<&str>) -> azid_core::Result<SigningCertificate> {
  SigningCertificate::parse("ClientCertificateCredential", "test input", bytes, password)
}

fn message(e: Error) -> String {
  match e {
    Error::InvalidArgument { message } | Error::Unavailable { message, .. } => message,
    other => panic!("unexpected error kind {other:?}"),
  }
}

fn segment(jwt: &str, i: usize) -> serde_json::Value {
  let part = jwt.split('.').nth(i).unwrap();
  serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn every_format_parses_to_the_same_certificate() {
  let c = Certs::new("formats");
  let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(c.cert_der()));
  let plain = parse(&c.read("combined.pem"), None).unwrap();
  assert_eq!(plain.x5t_s256, expected);
  // Key before certificate works too.
  let reversed = [c.read("key.pem"), c.read("cert.pem")].concat();
  assert_eq!(parse(&reversed, None).unwrap().x5t_s256, expected);
  assert_eq!(parse(&c.read("encrypted.pem"), Some(PASSWORD)).unwrap().x5t_s256, expected);
  assert_eq!(parse(&c.read("cert.p12"), Some(PASSWORD)).unwrap().x5t_s256, expected);
  assert!(!format!("{plain:?}").contains("PRIVATE"));
}

#[test]
fn typed_errors_say_what_to_fix() {
  let c = Certs::new("errors");
  let m = message(parse(&c.read("encrypted.pem"), Some("wrong")).unwrap_err());
  assert!(m.contains("certificatePassword is wrong"), "{m}");
  let m = message(parse(&c.read("encrypted.pem"), None).unwrap_err());
  assert!(m.contains("pass its password as certificatePassword"), "{m}");
  let m = message(parse(&c.read("cert.p12"), Some("wrong")).unwrap_err());
  assert!(m.contains("certificatePassword is wrong"), "{m}");
  let m = message(parse(&c.read("cert.pem"), None).unwrap_err());
  assert!(m.contains("no private key"), "{m}");
  let m = message(parse(&c.read("key.pem"), None).unwrap_err());
  assert!(m.contains("no certificate"), "{m}");
  let m = message(parse(b"hello, not a certificate", None).unwrap_err());
  assert!(m.contains("not a certificate"), "{m}");
  openssl(
    &c.dir,
    &[
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "ec-key.pem",
      "-out",
      "ec-cert.pem",
      "-days",
      "1",
      "-subj",
      "/CN=ec",
    ],
  );
  let ec = [c.read("ec-cert.pem"), c.read("ec-key.pem")].concat();
  let m = message(parse(&ec, None).unwrap_err());
  assert!(m.contains("not an RSA key"), "{m}");
  // A key with someone else's certificate.
  let other = Certs::new("errors-other");
  let mismatched = [other.read("cert.pem"), c.read("key.pem")].concat();
  let m = message(parse(&mismatched, None).unwrap_err());
  assert!(m.contains("does not belong"), "{m}");
  // No message shows key material.
  let key_body: String =
    String::from_utf8(c.read("key.pem")).unwrap().lines().nth(1).unwrap().into();
  assert!(!m.contains(&key_body));
}

#[test]
fn assertion_header_claims_and_ps256_signature() {
  let c = Certs::new("assertion");
  let cert = parse(&c.read("combined.pem"), None).unwrap();
  let aud = "https://login.example/tenant/oauth2/v2.0/token";
  let jwt = build_assertion(&cert, "client-1", aud, true, 1_700_000_000);
  let jwt = jwt.expose();
  let header = segment(jwt, 0);
  assert_eq!(header["typ"], "JWT");
  assert_eq!(header["alg"], "PS256");
  assert_eq!(header["x5t#S256"], URL_SAFE_NO_PAD.encode(Sha256::digest(c.cert_der())));
  assert_eq!(header["x5c"][0], STANDARD.encode(c.cert_der()));
  assert!(header.get("kid").is_none());
  let claims = segment(jwt, 1);
  assert_eq!(claims["aud"], aud);
  assert_eq!(claims["iss"], "client-1");
  assert_eq!(claims["sub"], "client-1");
  assert_eq!(claims["nbf"], 1_700_000_000u64);
  assert_eq!(claims["iat"], 1_700_000_000u64);
  assert_eq!(claims["exp"], 1_700_000_600u64);
  assert!(uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
  // Verifies with the certificate's public key.
  let der = c.cert_der();
  let (_, x509) = x509_parser::parse_x509_certificate(&der).unwrap();
  let public = rsa::RsaPublicKey::from_public_key_der(x509.public_key().raw).unwrap();
  let (input, sig) = jwt.rsplit_once('.').unwrap();
  let sig = rsa::pss::Signature::try_from(URL_SAFE_NO_PAD.decode(sig).unwrap().as_slice()).unwrap();
  rsa::pss::VerifyingKey::<Sha256>::new(public.clone()).verify(input.as_bytes(), &sig).unwrap();
  assert!(rsa::pss::VerifyingKey::<Sha256>::new(public).verify(b"tampered", &sig).is_err());
  // Without sendCertificateChain there is no x5c.
  assert!(segment(build_assertion(&cert, "c", aud, false, 1).expose(), 0).get("x5c").is_none());
}

fn config(
  emu: &Emulator,
  certificate: CertificateInput,
  password: Option<&str>,
) -> ClientCertificateConfig {
  let mut retry = RetryPolicy::entra();
  retry.base_delay = Duration::from_millis(10);
  ClientCertificateConfig {
    authority_host: emu.authority_host(),
    tenant_id: azid_emulator::DEFAULT_TENANT_ID.into(),
    client_id: "cert-app".into(),
    certificate,
    password: password.map(Secret::new),
    send_chain: false,
    retry,
    region: None,
  }
}

fn register(emu: &Emulator, certs: &[&Certs]) {
  emu.register_app(AppRegistration {
    tenant_id: azid_emulator::DEFAULT_TENANT_ID.into(),
    client_id: "cert-app".into(),
    certificates: certs.iter().map(|c| c.cert_pem()).collect(),
    ..Default::default()
  });
}

fn req(scope: &str) -> TokenRequest {
  TokenRequest::new(&[scope.to_string()], None, None, false).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_the_emulator() {
  let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
  // SAFETY of set_var: this is the only test in this binary that builds an HTTP client.
  std::env::set_var("NODE_EXTRA_CA_CERTS", emu.ca_file());
  let good = Certs::new("emu-good");
  let other = Certs::new("emu-other");
  register(&emu, &[&good]);

  // PKCS#12 from a path: a token.
  let p12 = CertificateInput::Path(good.path("cert.p12"));
  let source = Arc::new(ClientCertificateSource::new(config(&emu, p12, Some(PASSWORD))).unwrap());
  let engine = Engine::new(source as Arc<dyn TokenSource>);
  engine.get_token(req("api://a/.default")).await.unwrap();

  // The wrong certificate: 700027, an authentication failure.
  let wrong = CertificateInput::Bytes(other.read("combined.pem"));
  let engine =
    Engine::new(Arc::new(ClientCertificateSource::new(config(&emu, wrong, None)).unwrap())
      as Arc<dyn TokenSource>);
  match engine.get_token(req("api://b/.default")).await {
    Err(Error::AuthenticationFailed { error_response, message, .. }) => {
      assert_eq!(error_response.error_codes, vec![700027]);
      assert!(message.contains("certificate"), "{message}");
    }
    other => panic!("expected 700027, got {other:?}"),
  }

  // A missing file fails at construction.
  let missing = CertificateInput::Path(good.path("nope.pem"));
  assert!(matches!(
    ClientCertificateSource::new(config(&emu, missing, None)),
    Err(Error::InvalidArgument { .. })
  ));

  // Rotation: the file is replaced by another certificate, which the app now trusts; the
  // next request (after the re-check interval) signs with the new one, without a failure.
  let live = good.path("live.pem");
  std::fs::write(&live, good.read("combined.pem")).unwrap();
  let engine = Engine::new(Arc::new(
    ClientCertificateSource::new(config(&emu, CertificateInput::Path(live.clone()), None)).unwrap(),
  ) as Arc<dyn TokenSource>);
  engine.get_token(req("api://c/.default")).await.unwrap();
  register(&emu, &[&other]);
  std::fs::write(&live, other.read("combined.pem")).unwrap();
  tokio::time::sleep(Duration::from_millis(2100)).await;
  engine.get_token(req("api://d/.default")).await.unwrap();

  // Renewed again, and refused before the re-check interval: the file is read at once and
  // the request retried, so the caller sees no failure.
  register(&emu, &[&good]);
  std::fs::write(&live, good.read("combined.pem")).unwrap();
  let before = emu.request_count(Route::Token);
  engine.get_token(req("api://d2/.default")).await.unwrap();
  assert_eq!(emu.request_count(Route::Token) - before, 2, "one refused, one with the new file");

  rotating_source(&emu, &good, &other).await;
  emu.shutdown().await;
}

/// A source fed by `replace_certificate`: swaps, refusals and certificates that do not parse.
async fn rotating_source(emu: &Emulator, good: &Certs, other: &Certs) {
  register(emu, &[good]);
  let input = CertificateInput::Rotating {
    source_id: "function:t".into(),
    initial: Some(good.read("encrypted.pem")),
  };
  let source = Arc::new(ClientCertificateSource::new(config(emu, input, Some(PASSWORD))).unwrap());
  let engine = Engine::new(source.clone() as Arc<dyn TokenSource>);
  let x5t =
    || segment(source.client_assertion("https://x/t").unwrap().expose(), 0)["x5t#S256"].clone();
  let good_x5t = x5t();
  engine.get_token(req("api://e/.default")).await.unwrap();

  // The app now trusts only `other`: a refusal the credential reloads its source on.
  register(emu, &[other]);
  let refused = engine.get_token(req("api://f/.default")).await.unwrap_err();
  assert!(is_refused_certificate(&refused), "{refused:?}");

  // A new value that does not parse is a typed error and the old certificate stays in use.
  let m = message(engine.replace_certificate(b"garbage, not a certificate").unwrap_err());
  assert!(m.contains("not a certificate"), "{m}");
  let mismatched = [other.read("cert.pem"), good.read("key.pem")].concat();
  let m = message(engine.replace_certificate(&mismatched).unwrap_err());
  assert!(m.contains("does not belong"), "{m}");
  assert_eq!(x5t(), good_x5t);

  // PKCS#12 decrypted with the configured password: the next request signs with it.
  engine.replace_certificate(&other.read("cert.p12")).unwrap();
  assert_ne!(x5t(), good_x5t);
  engine.get_token(req("api://f/.default")).await.unwrap();

  // A source with no first value yet is unavailable, not a crash.
  let pending = CertificateInput::Rotating { source_id: "function:p".into(), initial: None };
  let source = ClientCertificateSource::new(config(emu, pending, None)).unwrap();
  assert!(matches!(source.client_assertion("https://x/t"), Err(Error::Unavailable { .. })));

  // A fixed certificate cannot be replaced.
  let fixed = CertificateInput::Bytes(good.read("combined.pem"));
  let fixed = ClientCertificateSource::new(config(emu, fixed, None)).unwrap();
  assert!(TokenSource::replace_certificate(&fixed, &other.read("combined.pem")).is_err());
}

#[test]
fn a_rotating_source_keys_the_engine_on_its_id() {
  let key = |source_id: &str, initial: &[u8]| {
    ClientCertificateConfig {
      authority_host: "https://h".into(),
      tenant_id: "t".into(),
      client_id: "c".into(),
      certificate: CertificateInput::Rotating {
        source_id: source_id.into(),
        initial: Some(initial.to_vec()),
      },
      password: None,
      send_chain: false,
      retry: RetryPolicy::entra(),
      region: None,
    }
    .engine_key()
  };
  assert_eq!(key("keyvault:v/secrets/a", b"cert one"), key("keyvault:v/secrets/a", b"cert two"));
  assert_ne!(key("keyvault:v/secrets/a", b"cert one"), key("keyvault:v/secrets/b", b"cert one"));
  assert!(!key("s", b"PRIVATE-KEY-BYTES").contains("PRIVATE-KEY-BYTES"));
}
