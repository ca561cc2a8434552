//! Every HTTP call the engine makes: one shared client per trust configuration,
//! a per-attempt timeout, an overall deadline, retries with backoff, capped bodies.

mod client;
mod pinned;
mod retry;
mod send;

pub use client::{Transport, TransportKind};
pub use pinned::Thumbprint;
pub use retry::{parse_retry_after, RetryPolicy};
pub use send::{send, HttpResponse, SendError};
