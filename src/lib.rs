//! The napi binding of azid: thin wrappers that turn JS options into engine configs,
//! engine results into JS objects, and engine errors into JSON the facade rebuilds
//! as typed errors. No logic of its own lives here.

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
