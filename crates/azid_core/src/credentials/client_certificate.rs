//! Client credentials with a certificate (§1.3): the client proves itself with a JWT
//! signed by the certificate's key. The certificate file is read once and again when it
//! changes (at once when Entra ID refuses it); a rotating source hands in new certificates
//! through `replace_certificate`. The assertion is reused until shortly before it expires.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::assertion::{build_assertion, ASSERTION_LIFETIME_SECS};
use super::certificate::SigningCertificate;
use super::entra::{ClientAuth, EntraClient, Grant};
use super::watched_file::WatchedFile;
use crate::engine::{BoxFuture, TokenSource};
use crate::error::{Error, Result};
use crate::http::RetryPolicy;
use crate::log::Level;
use crate::request::TokenRequest;
use crate::secret::Secret;
use crate::token::{now_ms, AccessToken};

/// How often a certificate file is checked for a change (one stat).
const RECHECK: Duration = Duration::from_secs(2);
/// An assertion is not sent in its last minute, so clock skew cannot expire it in flight.
const ASSERTION_MARGIN_SECS: u64 = 60;

const NAME: &str = "ClientCertificateCredential";

/// Where the certificate comes from.
#[derive(Clone)]
pub enum CertificateInput {
  Path(PathBuf),
  /// PEM text or PKCS#12 bytes given directly. Never printed (no `Debug`).
  Bytes(Vec<u8>),
  /// A source that changes (a function, a Key Vault secret): the engine is keyed on
  /// `source_id`, so a rotation keeps the engine and its cache. `initial` is `None` while
  /// the first value is still being fetched; `replace_certificate` sets it.
  Rotating {
    source_id: String,
    initial: Option<Vec<u8>>,
  },
}

/// What Entra ID answers for a certificate it does not (or no longer) accepts: 700027
/// (unknown key or bad signature) and 7000222 (expired credential). A fresh certificate
/// from the source can fix these, so the credential reloads it once.
pub const REFUSED_CERTIFICATE_CODES: [i64; 2] = [700027, 7000222];

/// True for an `AuthenticationFailed` that a new certificate could fix.
pub fn is_refused_certificate(e: &Error) -> bool {
  match e {
    Error::AuthenticationFailed { error_response, .. } => {
      error_response.error_codes.iter().any(|c| REFUSED_CERTIFICATE_CODES.contains(c))
    }
    _ => false,
  }
}

#[derive(Clone)]
pub struct ClientCertificateConfig {
  pub authority_host: String,
  pub tenant_id: String,
  pub client_id: String,
  pub certificate: CertificateInput,
  pub password: Option<Secret>,
  /// Send `x5c` (needed for subject name + issuer authentication).
  pub send_chain: bool,
  pub retry: RetryPolicy,
  pub region: Option<String>,
}

impl ClientCertificateConfig {
  /// Identifies the tokens: the path (its content may change) or a hash of the bytes,
  /// and a hash of the password.
  pub fn engine_key(&self) -> String {
    let mut h = Sha256::new();
    match &self.certificate {
      CertificateInput::Path(p) => h.update(format!("path:{}", p.display())),
      CertificateInput::Bytes(b) => h.update(b),
      CertificateInput::Rotating { source_id, .. } => h.update(format!("source:{source_id}")),
    }
    h.update([0]);
    h.update(self.password.as_ref().map_or("", |p| p.expose()));
    format!(
      "client_certificate|{}|{}|{}|{:x}|{}|{:?}|{:?}",
      self.authority_host,
      self.tenant_id,
      self.client_id,
      h.finalize(),
      self.send_chain,
      self.retry,
      self.region
    )
  }
}

enum Material {
  File(WatchedFile<SigningCertificate>),
  Fixed(Arc<SigningCertificate>),
  /// Swapped whole by `replace_certificate`; `None` until the source's first value.
  Rotating(RwLock<Option<Arc<SigningCertificate>>>),
}

struct CachedAssertion {
  audience: String,
  x5t_s256: String,
  value: Secret,
  usable_until_secs: u64,
}

pub struct ClientCertificateSource {
  client: EntraClient,
  send_chain: bool,
  material: Material,
  assertion: Mutex<Option<CachedAssertion>>,
  /// Decrypts an encrypted PEM key or PKCS#12 from a rotating source.
  password: Option<Secret>,
}

impl ClientCertificateSource {
  /// Reads and checks the certificate now, so a bad file or password fails at construction.
  pub fn new(config: ClientCertificateConfig) -> Result<Self> {
    let mut client = EntraClient::new(
      NAME,
      &config.authority_host,
      &config.tenant_id,
      &config.client_id,
      config.retry,
    )?;
    client.region = config.region;
    let kept_password = config.password.clone();
    let password = config.password.map(|p| p.expose().to_string());
    let material = match config.certificate {
      CertificateInput::Path(path) => {
        if !path.is_file() {
          return Err(Error::invalid(format!(
            "{NAME}: the certificate file {} does not exist or is not a file; check certificatePath.",
            path.display()
          )));
        }
        let what = format!("certificate file {}", path.display());
        let file = WatchedFile::new(path, RECHECK, None, move |bytes| {
          SigningCertificate::parse(NAME, &what, bytes, password.as_deref())
        });
        file.get(|_| {})?;
        Material::File(file)
      }
      CertificateInput::Bytes(bytes) => Material::Fixed(Arc::new(SigningCertificate::parse(
        NAME,
        "the certificate given",
        &bytes,
        password.as_deref(),
      )?)),
      CertificateInput::Rotating { initial, .. } => {
        let first = initial
          .map(|b| {
            SigningCertificate::parse(NAME, "the certificate source", &b, password.as_deref())
          })
          .transpose()?;
        Material::Rotating(RwLock::new(first.map(Arc::new)))
      }
    };
    Ok(Self {
      client,
      send_chain: config.send_chain,
      material,
      assertion: Mutex::new(None),
      password: kept_password,
    })
  }

  /// Parses `bytes` (PEM, encrypted PEM or PKCS#12) and makes it the certificate every
  /// later request signs with. A certificate that does not parse is an error and the
  /// current one stays in use.
  pub fn replace_certificate(&self, bytes: &[u8]) -> Result<()> {
    let Material::Rotating(current) = &self.material else {
      return Err(Error::invalid(format!(
        "{}: this certificate is not from a rotating source; pass a certificateSource to replace it",
        self.label()
      )));
    };
    let password = self.password.as_ref().map(|p| p.expose());
    let parsed = SigningCertificate::parse(NAME, "the new certificate from the source", bytes, password)
      .inspect_err(|e| {
        // The parser's messages name the problem, never the key.
        crate::azlog!(
          Level::Warning,
          "{}: the certificate source gave a certificate that cannot be used ({e}); still using the previous certificate",
          self.label()
        );
      })?;
    let x5t = parsed.x5t_s256.clone();
    *current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(parsed));
    // The cached assertion was signed by the old key.
    *self.assertion.lock().unwrap_or_else(|e| e.into_inner()) = None;
    crate::azlog!(Level::Info, "{}: now using certificate x5t#S256={x5t}", self.label());
    Ok(())
  }

  fn certificate(&self) -> Result<Arc<SigningCertificate>> {
    match &self.material {
      Material::Fixed(c) => Ok(c.clone()),
      Material::Rotating(c) => c.read().unwrap_or_else(|e| e.into_inner()).clone().ok_or_else(|| {
        Error::unavailable(format!(
          "{}: the certificate source has not given a certificate yet",
          self.label()
        ))
      }),
      Material::File(f) => f.get(|e| {
        crate::azlog!(
          Level::Warning,
          "{}: the certificate file changed but could not be used ({e}); still using the previous certificate",
          self.label()
        );
      }),
    }
  }

  /// The current certificate's assertion for `audience`. Blocking: may read the file and sign.
  pub fn client_assertion(&self, audience: &str) -> Result<Secret> {
    let cert = self.certificate()?;
    Ok(self.assertion(&cert, audience))
  }

  /// A cached assertion for this audience and certificate, or a newly signed one.
  fn assertion(&self, cert: &SigningCertificate, audience: &str) -> Secret {
    let now = now_ms() / 1000;
    let mut cached = self.assertion.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(a) = cached.as_ref() {
      if a.audience == audience && a.x5t_s256 == cert.x5t_s256 && now < a.usable_until_secs {
        return a.value.clone();
      }
    }
    let value = build_assertion(cert, &self.client.client_id, audience, self.send_chain, now);
    *cached = Some(CachedAssertion {
      audience: audience.to_string(),
      x5t_s256: cert.x5t_s256.clone(),
      value: value.clone(),
      usable_until_secs: now + ASSERTION_LIFETIME_SECS - ASSERTION_MARGIN_SECS,
    });
    value
  }
}

impl ClientCertificateSource {
  /// One token request; returns the thumbprint it was signed with, for the caller to
  /// tell whether the certificate changed since.
  async fn fetch_once(self: Arc<Self>, request: &TokenRequest) -> (String, Result<AccessToken>) {
    let label = self.label();
    let audience = self.client.token_url(self.client.tenant_for(request));
    // Reading the file and signing are CPU and disk work: keep them off the async workers.
    let this = self.clone();
    let signed = tokio::task::spawn_blocking(move || {
      let cert = this.certificate()?;
      Ok((cert.x5t_s256.clone(), this.assertion(&cert, &audience)))
    })
    .await
    .map_err(|_| Error::unavailable(format!("{label}: signing the client assertion failed")))
    .and_then(|r: Result<(String, Secret)>| r);
    let (x5t, assertion) = match signed {
      Ok(s) => s,
      Err(e) => return (String::new(), Err(e)),
    };
    let result = self
      .client
      .request_token(&label, request, Grant::ClientCredentials, ClientAuth::Assertion(&assertion))
      .await;
    if matches!(result, Err(Error::AuthenticationFailed { .. })) {
      // A rejected assertion is not reused.
      *self.assertion.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
    (x5t, result)
  }
}

impl TokenSource for ClientCertificateSource {
  fn label(&self) -> String {
    format!("{NAME}(tenant={}, client={})", self.client.tenant_id, self.client.client_id)
  }

  fn replace_certificate(&self, certificate: &[u8]) -> Result<()> {
    ClientCertificateSource::replace_certificate(self, certificate)
  }

  fn fetch(self: Arc<Self>, request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
    Box::pin(async move {
      let (sent, result) = self.clone().fetch_once(&request).await;
      if !result.as_ref().is_err_and(is_refused_certificate) {
        return result;
      }
      let Material::File(file) = &self.material else { return result };
      // Renewed on disk but not yet noticed (the stat is rate limited): read it now, and
      // retry once if it holds another certificate. A concurrent caller may have re-read it.
      let current = self.certificate().ok().map(|c| c.x5t_s256.clone());
      if current.as_deref() == Some(sent.as_str()) {
        crate::azlog!(
          Level::Warning,
          "{}: the identity provider refused the certificate; reading {} again",
          self.label(),
          file.path().display()
        );
        file.invalidate();
      }
      match self.certificate() {
        Ok(c) if c.x5t_s256 != sent => self.fetch_once(&request).await.1,
        _ => result,
      }
    })
  }
}
