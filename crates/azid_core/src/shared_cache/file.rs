//! The file tier: sealed entries in one JSON file, so a restarted process (or a CLI run
//! again) reuses still-valid tokens. Written atomically (temp file + rename) with
//! owner-only permissions; a corrupt or tampered file is ignored with a log line.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::crypto::{self, Sealer};
use super::EntryKey;
use crate::azlog;
use crate::log::Level;
use crate::token::{now_ms, AccessToken};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Default)]
struct Document {
  version: u32,
  /// By entry id (a hash of engine and cache key).
  entries: BTreeMap<String, Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
  /// A hash of the engine key: which engine may open it, without revealing its config.
  engine: String,
  /// When the token expires (ms since the epoch), for dropping stale entries unopened.
  expires: u64,
  /// base64 of nonce || ciphertext || tag.
  sealed: String,
}

pub struct FileCache {
  path: PathBuf,
  sealer: Arc<Sealer>,
}

/// Writes of any file cache in this process, one at a time (read-merge-write).
static WRITING: Mutex<()> = Mutex::new(());

fn engine_id(engine_key: &str) -> String {
  super::hex(&Sha256::digest(format!("azid-engine-v1\0{engine_key}")))
}

impl FileCache {
  pub fn new(path: PathBuf, sealer: Arc<Sealer>) -> Self {
    Self { path, sealer }
  }

  /// The still-usable tokens this engine stored, by cache key.
  pub fn load(&self, engine_key: &Arc<str>, label: &str) -> Vec<(String, AccessToken)> {
    let Some(doc) = self.read(label) else { return Vec::new() };
    let mine = engine_id(engine_key);
    let now = now_ms();
    let mut out = Vec::new();
    let mut rejected = 0;
    for (id, entry) in doc.entries {
      if entry.engine != mine || entry.expires <= now {
        continue;
      }
      match self.open(engine_key, &id, &entry) {
        Some((key, token)) if token.is_usable(now) => out.push((key, token)),
        Some(_) => {}
        None => rejected += 1,
      }
    }
    if rejected > 0 {
      azlog!(
        Level::Warning,
        "{label}: ignored {rejected} entries of the token cache file {} that failed authentication (tampered, or written with another tokenCache.encryptionKey)",
        self.path.display()
      );
    }
    out
  }

  fn open(&self, engine_key: &Arc<str>, id: &str, entry: &Entry) -> Option<(String, AccessToken)> {
    let sealed = base64::engine::general_purpose::STANDARD.decode(&entry.sealed).ok()?;
    // The cache key is inside the sealed record; the AAD binds the record to its id,
    // and the id to that cache key.
    let plain = self.sealer.open(&aad(engine_key, id), &sealed).ok()?;
    let (cache_key, token) = crypto::decode(&plain).ok()?;
    (EntryKey::new(engine_key.clone(), &cache_key).id == id).then_some((cache_key, token))
  }

  /// Adds or replaces one entry, dropping expired ones. Failures are logged, not raised.
  pub fn save(&self, key: &EntryKey, token: &AccessToken) {
    let _guard = WRITING.lock().unwrap_or_else(|e| e.into_inner());
    let mut doc = self.read("token cache").unwrap_or_default();
    let now = now_ms();
    doc.version = VERSION;
    doc.entries.retain(|_, e| e.expires > now);
    let plain = crypto::encode(&key.cache_key, token);
    let Ok(sealed) = self.sealer.seal(&aad(&key.engine_key, &key.id), &plain) else {
      return;
    };
    doc.entries.insert(
      key.id.clone(),
      Entry {
        engine: engine_id(&key.engine_key),
        expires: token.expires_on_ms,
        sealed: base64::engine::general_purpose::STANDARD.encode(sealed),
      },
    );
    if let Err(e) = write_private(&self.path, &serde_json::to_vec(&doc).unwrap_or_default()) {
      azlog!(
        Level::Warning,
        "could not write the token cache file {}: {e}; tokens stay cached in memory only. Check that its directory is writable by this user.",
        self.path.display()
      );
    }
  }

  /// The document, or `None` if there is none or it cannot be used (logged).
  fn read(&self, label: &str) -> Option<Document> {
    let bytes = match fs::read(&self.path) {
      Ok(b) => b,
      Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
      Err(e) => {
        azlog!(
          Level::Warning,
          "{label}: could not read the token cache file {}: {e}; starting without it",
          self.path.display()
        );
        return None;
      }
    };
    match serde_json::from_slice::<Document>(&bytes) {
      Ok(doc) if doc.version == VERSION => Some(doc),
      _ => {
        azlog!(
          Level::Warning,
          "{label}: the token cache file {} is corrupt or of another version; ignoring it (it is rewritten on the next token)",
          self.path.display()
        );
        None
      }
    }
  }
}

/// Binds a sealed record to its entry id and engine (the id binds the cache key).
fn aad(engine_key: &str, id: &str) -> Vec<u8> {
  format!("azid-v1\0file\0{id}\0{engine_key}").into_bytes()
}

/// Temp file in the same directory (mode 0600), then rename over the target, so a
/// reader sees the old or the new file, never half of one.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
  let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
  if !dir.exists() {
    create_private_dir(dir)?;
  }
  let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
  let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), rand::random::<u32>()));
  let result = (|| {
    let mut f = open_private(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    fs::rename(&tmp, path)
  })();
  if result.is_err() {
    let _ = fs::remove_file(&tmp);
  }
  result
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
  use std::os::unix::fs::OpenOptionsExt;
  fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
  fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
  use std::os::unix::fs::DirBuilderExt;
  fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
  fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::secret::Secret;

  fn cache(path: &Path) -> FileCache {
    FileCache::new(path.to_path_buf(), Arc::new(Sealer::new(&[3u8; 32]).unwrap()))
  }

  #[test]
  fn saved_tokens_load_back_private_and_sealed() {
    let dir = std::env::temp_dir().join(format!("azid-file-{}", rand::random::<u64>()));
    let path = dir.join("sub").join("tokens.json");
    let engine: Arc<str> = Arc::from("engine-a");
    let now = now_ms();
    let token = AccessToken::new(
      Secret::new("very-secret-token"),
      "Bearer".into(),
      now,
      now + 3_600_000,
      None,
    );
    cache(&path).save(&EntryKey::new(engine.clone(), "scope-a"), &token);
    let loaded = cache(&path).load(&engine, "test");
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].0, "scope-a");
    assert_eq!(loaded[0].1.token.expose(), "very-secret-token");
    assert!(cache(&path).load(&Arc::from("engine-b"), "test").is_empty(), "other engines' entries");
    let text = fs::read_to_string(&path).unwrap();
    assert!(!text.contains("very-secret-token") && !text.contains("scope-a"));
    #[cfg(unix)]
    {
      use std::os::unix::fs::PermissionsExt;
      assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
      assert_eq!(fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    }
    // Another key cannot open it; a corrupt file is ignored.
    let other = FileCache::new(path.clone(), Arc::new(Sealer::new(&[4u8; 32]).unwrap()));
    assert!(other.load(&engine, "test").is_empty());
    fs::write(&path, b"{not json").unwrap();
    assert!(cache(&path).load(&engine, "test").is_empty());
    let _ = fs::remove_dir_all(dir);
  }
}
