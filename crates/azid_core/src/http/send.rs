//! The retry loop around one logical request.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use super::{parse_retry_after, RetryPolicy, Transport};
use crate::azlog;
use crate::log::Level;

/// Token responses are small; a larger body is a fault, not a token.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A response as read off the wire (body capped). Its `Debug` leaves the body out: on
/// success it holds a token.
pub struct HttpResponse {
  pub status: u16,
  pub headers: HeaderMap,
  pub body: Vec<u8>,
  /// Attempts made, this one included.
  pub attempts: u32,
  /// The server's `Retry-After`, if it sent one.
  pub retry_after: Option<Duration>,
}

impl std::fmt::Debug for HttpResponse {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("HttpResponse")
      .field("status", &self.status)
      .field("body_len", &self.body.len())
      .field("attempts", &self.attempts)
      .finish_non_exhaustive()
  }
}

impl HttpResponse {
  /// A response as a test would have received it (one attempt, no headers).
  #[cfg(test)]
  pub(crate) fn for_test(status: u16, body: &str) -> Self {
    HttpResponse {
      status,
      headers: HeaderMap::new(),
      body: body.as_bytes().to_vec(),
      attempts: 1,
      retry_after: None,
    }
  }

  pub fn is_success(&self) -> bool {
    (200..300).contains(&self.status)
  }
}

/// No response could be had: connection refused, reset, timed out, or a body over the cap.
#[derive(Debug)]
pub struct SendError {
  pub host: String,
  pub attempts: u32,
  pub message: String,
  /// True when the endpoint never answered at all (nothing listening, unroutable).
  pub connect: bool,
}

/// Sends the request `build` makes, retrying transient failures under `policy`.
/// Returns the first non-retryable response, or the last one once retries run out;
/// the caller turns statuses into errors. `what` names the request in log lines
/// (credential and host/path only: never a query string or a header value).
pub async fn send<F>(
  transport: &Transport,
  policy: &RetryPolicy,
  what: &str,
  build: F,
) -> Result<HttpResponse, SendError>
where
  F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
{
  let started = Instant::now();
  let mut attempt: u32 = 0;
  let mut gone_since: Option<Instant> = None;
  loop {
    attempt += 1;
    let request = build(&transport.client).timeout(policy.attempt_timeout);
    let outcome = match request.send().await {
      Ok(response) => read_capped(response).await.map_err(|e| (e, false)),
      Err(e) => Err((describe(&e), e.is_connect())),
    };
    let may_retry = |delay: Duration| started.elapsed() + delay < policy.deadline;
    match outcome {
      Ok((status, headers, body)) => {
        let retry_after = parse_retry_after(&headers);
        let response = HttpResponse { status, headers, body, attempts: attempt, retry_after };
        if !policy.retry_statuses.contains(&status) {
          return Ok(response);
        }
        if status == 410 && gone_since.is_none() {
          gone_since = Some(Instant::now());
        }
        let in_gone_window = matches!((gone_since, policy.gone_retry_window), (Some(since), Some(window)) if since.elapsed() < window);
        if attempt > policy.max_retries && !in_gone_window {
          return Ok(response);
        }
        let delay = match retry_after {
          Some(ra) if ra > policy.max_retry_after => {
            azlog!(Level::Warning, "{what}: got {status} with Retry-After {} s, longer than this call may wait; giving up", ra.as_secs());
            return Ok(response);
          }
          Some(ra) => ra.max(policy.backoff(attempt).min(Duration::from_millis(50))),
          None => policy.backoff(attempt),
        };
        if !may_retry(delay) {
          return Ok(response);
        }
        azlog!(
          Level::Info,
          "{what}: attempt {attempt} got HTTP {status}; retrying in {} ms",
          delay.as_millis()
        );
        tokio::time::sleep(delay).await;
      }
      Err((message, connect)) => {
        let host = host_of(&build(&transport.client));
        // An untrusted certificate stays untrusted: retrying only delays the error.
        let untrusted = message.contains("invalid peer certificate");
        let retryable = (policy.retry_connect_errors || !connect) && !untrusted;
        let delay = policy.backoff(attempt);
        if !retryable || attempt > policy.max_retries || !may_retry(delay) {
          return Err(SendError { host, attempts: attempt, message, connect });
        }
        azlog!(
          Level::Info,
          "{what}: attempt {attempt} failed ({message}); retrying in {} ms",
          delay.as_millis()
        );
        tokio::time::sleep(delay).await;
      }
    }
  }
}

async fn read_capped(mut response: reqwest::Response) -> Result<(u16, HeaderMap, Vec<u8>), String> {
  let status = response.status().as_u16();
  let headers = std::mem::take(response.headers_mut());
  let mut body = Vec::new();
  loop {
    match response.chunk().await {
      Ok(Some(chunk)) => {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
          return Err(format!("response body larger than {MAX_BODY_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
      }
      Ok(None) => return Ok((status, headers, body)),
      Err(e) => return Err(describe(&e)),
    }
  }
}

fn host_of(request: &reqwest::RequestBuilder) -> String {
  request
    .try_clone()
    .and_then(|r| r.build().ok())
    .map(|r| {
      r.url()
        .host_str()
        .map(|h| format!("{h}:{}", r.url().port_or_known_default().unwrap_or(0)))
        .unwrap_or_default()
    })
    .unwrap_or_default()
}

/// A short reason without URLs (which may carry query parameters).
fn describe(e: &reqwest::Error) -> String {
  let kind = if e.is_timeout() {
    "timed out"
  } else if e.is_connect() {
    "connection failed"
  } else if e.is_body() || e.is_decode() {
    "response body could not be read"
  } else {
    "request failed"
  };
  let mut source = std::error::Error::source(e);
  let mut detail = String::new();
  while let Some(s) = source {
    detail = s.to_string();
    source = s.source();
  }
  if detail.is_empty() {
    kind.to_string()
  } else {
    format!("{kind}: {detail}")
  }
}
