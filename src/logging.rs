//! Forwards engine log lines to a JS function (the facade's logger) on the JS thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use azid_core::log::{self, Level, LogSink};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::CleanupEnvHook;
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

thread_local! {
  /// The env cleanup hook of each sink this JS thread registered, to unhook on removal.
  static HOOKS: RefCell<HashMap<u64, CleanupEnvHook<u64>>> = RefCell::new(HashMap::new());
}

/// Registers `callback(level, line)` for engine log lines; returns an id for removal.
/// A worker thread that exits without removing its sink has it removed with its env:
/// otherwise every later line would go to a function whose thread is gone.
#[napi(ts_args_type = "callback: (level: string, line: string) => void")]
pub fn add_native_log_sink(env: Env, callback: LogCallback) -> Result<u32> {
  let id = log::add_sink(Arc::new(JsSink(callback)));
  let hook = env.add_env_cleanup_hook(id, |id| {
    log::remove_sink(id);
    let _ = HOOKS.try_with(|h| h.borrow_mut().remove(&id));
    // The process-wide level follows the last setter; with no sink left nobody reads it.
    if log::sink_count() == 0 {
      log::set_level(None);
    }
  });
  match hook {
    Ok(hook) => {
      HOOKS.with(|h| h.borrow_mut().insert(id, hook));
      Ok(id as u32)
    }
    Err(e) => {
      log::remove_sink(id);
      Err(e)
    }
  }
}

#[napi]
pub fn remove_native_log_sink(env: Env, id: u32) -> Result<()> {
  let id = u64::from(id);
  log::remove_sink(id);
  match HOOKS.with(|h| h.borrow_mut().remove(&id)) {
    Some(hook) => env.remove_env_cleanup_hook(hook),
    None => Ok(()),
  }
}

/// Engine log sinks registered in this process (all threads), for leak tests.
#[napi]
pub fn native_log_sink_count() -> u32 {
  log::sink_count() as u32
}
