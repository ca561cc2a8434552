//! A file read once, parsed, and read again when it changes (certificate renewal, kubelet
//! token rotation). Changes are noticed by size and mtime, checked at most every
//! `recheck` so a busy credential does not stat the file on every call.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::error::Result;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
  len: u64,
  modified: Option<SystemTime>,
}

fn stamp_of(path: &Path) -> std::io::Result<Stamp> {
  let meta = std::fs::metadata(path)?;
  Ok(Stamp { len: meta.len(), modified: meta.modified().ok() })
}

type Parser<T> = Box<dyn Fn(&[u8]) -> Result<T> + Send + Sync>;

struct Loaded<T> {
  value: Arc<T>,
  stamp: Stamp,
  read_at: Instant,
  checked_at: Instant,
}

/// `T` parsed from the file at `path` by `parse`, kept until the file changes or
/// (with `max_age`) until it is that old.
pub struct WatchedFile<T> {
  path: PathBuf,
  recheck: Duration,
  max_age: Option<Duration>,
  parse: Parser<T>,
  loaded: Mutex<Option<Loaded<T>>>,
}

impl<T> WatchedFile<T> {
  pub fn new(
    path: PathBuf,
    recheck: Duration,
    max_age: Option<Duration>,
    parse: impl Fn(&[u8]) -> Result<T> + Send + Sync + 'static,
  ) -> Self {
    Self { path, recheck, max_age, parse: Box::new(parse), loaded: Mutex::new(None) }
  }

  pub fn path(&self) -> &Path {
    &self.path
  }

  /// The current value. Re-reads when the file changed, is older than `max_age`, or was
  /// invalidated. If a re-read fails while an earlier value exists (a file caught mid-write),
  /// the earlier value is kept and the error is returned only through `on_stale`.
  pub fn get(&self, on_stale: impl FnOnce(&crate::Error)) -> Result<Arc<T>> {
    let now = Instant::now();
    let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(l) = loaded.as_mut() {
      let too_old = self.max_age.is_some_and(|m| now.duration_since(l.read_at) >= m);
      if !too_old && now.duration_since(l.checked_at) < self.recheck {
        return Ok(l.value.clone());
      }
      l.checked_at = now;
      if !too_old && stamp_of(&self.path).is_ok_and(|s| s == l.stamp) {
        return Ok(l.value.clone());
      }
    }
    if loaded.is_some() {
      crate::azlog!(
        crate::log::Level::Verbose,
        "{} changed or is due to be read again; reading it",
        self.path.display()
      );
    }
    match self.read() {
      Ok((value, stamp)) => {
        let value = Arc::new(value);
        *loaded = Some(Loaded { value: value.clone(), stamp, read_at: now, checked_at: now });
        Ok(value)
      }
      Err(e) => match loaded.as_ref() {
        // A value past max_age is not served again: its content may be expired.
        Some(l) if self.max_age.is_none_or(|m| now.duration_since(l.read_at) < m) => {
          on_stale(&e);
          Ok(l.value.clone())
        }
        _ => {
          *loaded = None;
          Err(e)
        }
      },
    }
  }

  /// Forces a re-read on the next `get` (after the server rejected what the file held).
  pub fn invalidate(&self) {
    *self.loaded.lock().unwrap_or_else(|e| e.into_inner()) = None;
  }

  fn read(&self) -> Result<(T, Stamp)> {
    let missing = |e: std::io::Error| {
      crate::Error::unavailable(format!(
        "The file {} could not be read ({}); check that the path is right and the process may read it.",
        self.path.display(),
        e.kind()
      ))
    };
    let stamp = stamp_of(&self.path).map_err(missing)?;
    let bytes = std::fs::read(&self.path).map_err(missing)?;
    Ok(((self.parse)(&bytes)?, stamp))
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azid-watched-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("f")
  }

  fn text(b: &[u8]) -> Result<String> {
    let s = String::from_utf8_lossy(b).trim().to_string();
    if s.is_empty() {
      return Err(crate::Error::unavailable("empty"));
    }
    Ok(s)
  }

  #[test]
  fn rereads_after_a_change_and_keeps_the_old_value_over_a_bad_one() {
    let path = temp("change");
    std::fs::write(&path, "one").unwrap();
    let f = WatchedFile::new(path.clone(), Duration::ZERO, None, text);
    assert_eq!(*f.get(|_| {}).unwrap(), "one");
    std::fs::write(&path, "two!").unwrap();
    assert_eq!(*f.get(|_| {}).unwrap(), "two!");
    std::fs::write(&path, "  ").unwrap();
    let mut stale = false;
    assert_eq!(*f.get(|_| stale = true).unwrap(), "two!");
    assert!(stale);
    f.invalidate();
    assert!(f.get(|_| {}).is_err());
  }

  #[test]
  fn recheck_interval_defers_the_stat() {
    let path = temp("recheck");
    std::fs::write(&path, "one").unwrap();
    let f = WatchedFile::new(path.clone(), Duration::from_secs(60), None, text);
    assert_eq!(*f.get(|_| {}).unwrap(), "one");
    std::fs::write(&path, "other").unwrap();
    assert_eq!(*f.get(|_| {}).unwrap(), "one");
    let missing = WatchedFile::new(temp("missing").with_extension("x"), Duration::ZERO, None, text);
    assert!(matches!(missing.get(|_| {}), Err(crate::Error::Unavailable { .. })));
  }
}
