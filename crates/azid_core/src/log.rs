//! Log lines for `AZURE_LOG_LEVEL`-style logging. Lines are formatted only when their
//! level is enabled, and go to every registered sink (the binding forwards them to JS).
//! Callers must never put a token or secret in a line: `Secret` prints as REDACTED.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Level {
  Error = 1,
  Warning = 2,
  Info = 3,
  Verbose = 4,
}

impl Level {
  pub fn as_str(self) -> &'static str {
    match self {
      Level::Error => "error",
      Level::Warning => "warning",
      Level::Info => "info",
      Level::Verbose => "verbose",
    }
  }

  pub fn parse(s: &str) -> Option<Level> {
    match s.trim().to_ascii_lowercase().as_str() {
      "error" => Some(Level::Error),
      "warning" | "warn" => Some(Level::Warning),
      "info" => Some(Level::Info),
      "verbose" | "debug" => Some(Level::Verbose),
      _ => None,
    }
  }
}

/// Receives formatted log lines.
pub trait LogSink: Send + Sync {
  fn log(&self, level: Level, line: &str);
}

/// 0 = off. Checked before any formatting so disabled logging costs one atomic load.
static LEVEL: AtomicU8 = AtomicU8::new(0);
static SINKS: RwLock<Vec<(u64, Arc<dyn LogSink>)>> = RwLock::new(Vec::new());
static NEXT_SINK_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub fn set_level(level: Option<Level>) {
  LEVEL.store(level.map_or(0, |l| l as u8), Ordering::Relaxed);
}

pub fn enabled(level: Level) -> bool {
  (level as u8) <= LEVEL.load(Ordering::Relaxed)
}

/// Registers a sink; returns an id for `remove_sink`.
pub fn add_sink(sink: Arc<dyn LogSink>) -> u64 {
  let id = NEXT_SINK_ID.fetch_add(1, Ordering::Relaxed);
  SINKS.write().unwrap_or_else(|e| e.into_inner()).push((id, sink));
  id
}

pub fn remove_sink(id: u64) {
  SINKS.write().unwrap_or_else(|e| e.into_inner()).retain(|(i, _)| *i != id);
}

pub fn sink_count() -> usize {
  SINKS.read().unwrap_or_else(|e| e.into_inner()).len()
}

pub fn emit(level: Level, line: &str) {
  for (_, sink) in SINKS.read().unwrap_or_else(|e| e.into_inner()).iter() {
    sink.log(level, line);
  }
}

/// `azlog!(Level::Info, "...", args)`: formats and emits only when the level is on.
#[macro_export]
macro_rules! azlog {
  ($level:expr, $($arg:tt)*) => {
    if $crate::log::enabled($level) {
      $crate::log::emit($level, &format!($($arg)*));
    }
  };
}
