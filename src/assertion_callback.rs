//! `ClientAssertionCredential`'s `getAssertion`: the engine calls back into JS (on the JS
//! thread, through a threadsafe function) and awaits the Promise it returns, with a timeout.

use std::sync::Arc;
use std::time::Duration;

use azid_core::credentials::federated::AssertionProvider;
use azid_core::engine::BoxFuture;
use azid_core::{Error, Secret};
use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;

/// Weak: a pending credential does not keep Node alive. Not callee-handled: JS throws
/// come back as `Err`.
pub type AssertionCallback = ThreadsafeFunction<(), Promise<String>, (), Status, false, true>;

pub struct JsAssertion {
  pub callback: AssertionCallback,
  pub timeout: Duration,
}

/// The first line of a JS error, capped, so a message cannot flood logs.
fn short(message: &str) -> String {
  message.lines().next().unwrap_or("").chars().take(200).collect()
}

impl AssertionProvider for JsAssertion {
  fn assertion(self: Arc<Self>) -> BoxFuture<azid_core::Result<Secret>> {
    Box::pin(async move {
      let failed = |why: String| {
        Error::unavailable(format!(
          "the getAssertion callback failed: {why}. It must return (a Promise of) the client assertion string."
        ))
      };
      let call = async {
        let promise =
          self.callback.call_async_catch(()).await.map_err(|e| failed(short(&e.reason)))?;
        promise.await.map_err(|e| {
          // napi drops the Promise's channel when the Promise is collected unsettled.
          if e.reason.contains("canceled") {
            failed("its Promise was dropped without settling".into())
          } else {
            failed(short(&e.reason))
          }
        })
      };
      let assertion = tokio::time::timeout(self.timeout, call).await.map_err(|_| {
        Error::unavailable(format!(
          "the getAssertion callback did not settle within {} ms; make sure its Promise resolves",
          self.timeout.as_millis()
        ))
      })??;
      let assertion = assertion.trim();
      if assertion.is_empty() {
        return Err(failed("it returned an empty string".into()));
      }
      Ok(Secret::new(assertion))
    })
  }
}
