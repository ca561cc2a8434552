//! Forwards engine log lines to a JS function (the facade's logger) on the JS thread.

use std::sync::Arc;

use azid_core::log::{self, Level, LogSink};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

/// Weak: a registered logger never keeps the process alive.
type LogCallback =
  ThreadsafeFunction<FnArgs<(String, String)>, (), FnArgs<(String, String)>, Status, false, true>;

struct JsSink(LogCallback);

impl LogSink for JsSink {
  fn log(&self, level: Level, line: &str) {
    let _ = self.0.call(
      (level.as_str().to_string(), line.to_string()).into(),
      ThreadsafeFunctionCallMode::NonBlocking,
    );
  }
}

/// Sets the engine's log level: `verbose`, `info`, `warning`, `error`, or null for off.
#[napi]
pub fn set_native_log_level(level: Option<String>) -> Result<()> {
  let parsed = match level.as_deref() {
    None | Some("") | Some("off") => None,
    Some(l) => Some(Level::parse(l).ok_or_else(|| {
      Error::new(
        Status::InvalidArg,
        format!("Unknown log level '{l}'; use verbose, info, warning or error."),
      )
    })?),
  };
  log::set_level(parsed);
  Ok(())
}

/// Registers `callback(level, line)` for engine log lines; returns an id for removal.
#[napi(ts_args_type = "callback: (level: string, line: string) => void")]
pub fn add_native_log_sink(callback: LogCallback) -> u32 {
  log::add_sink(Arc::new(JsSink(callback))) as u32
}

#[napi]
pub fn remove_native_log_sink(id: u32) {
  log::remove_sink(u64::from(id));
}
