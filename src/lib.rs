//! The napi binding of azid: thin wrappers that turn JS options into engine configs,
//! engine results into JS objects, and engine errors into JSON the facade rebuilds
//! as typed errors. No logic of its own lives here.

// `#[napi]` registers exports only outside test builds, so a test build of the binding
// would call every export unused.
#![cfg_attr(test, allow(dead_code))]

mod assertion_callback;
mod credential;
mod emulator;
mod error;
mod keyvault;
mod logging;
mod options;
mod probe;
mod service_principal;
mod token_cache;
