//! DefaultAzureCredential's IMDS probe: one short request that tells "there is an IMDS
//! here" from "nothing answers", so a developer machine skips managed identity in about
//! a second instead of waiting out the IMDS retries.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::http::{send, RetryPolicy, Transport, TransportKind};

/// GET `{base}/metadata/identity/oauth2/token` with no query and no `Metadata` header,
/// once, within `timeout`. Any HTTP answer means IMDS is there (it normally says 400),
/// except Docker Desktop's 403 "unreachable".
pub async fn probe_imds(base: &str, timeout: Duration) -> Result<()> {
  super::imds::validate_base(base)?;
  let mut url = url::Url::parse(base).map_err(|_| Error::invalid("invalid IMDS endpoint"))?;
  url.set_path("/metadata/identity/oauth2/token");
  let host =
    format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(80));
  let policy = RetryPolicy {
    max_retries: 0,
    retry_statuses: &[],
    attempt_timeout: timeout,
    deadline: timeout,
    ..RetryPolicy::imds()
  };
  let transport = Transport::shared(TransportKind::Direct)?;
  let what = format!("ManagedIdentityCredential: IMDS probe to {host}");
  crate::azlog!(crate::log::Level::Info, "{what}: GET /metadata/identity/oauth2/token");
  let unavailable = |why: String| {
    Error::unavailable(format!(
      "ManagedIdentityCredential: no managed identity endpoint at {host} ({why}; 1 attempt, {} ms timeout). This is not an Azure host with managed identity, or IMDS is blocked.",
      timeout.as_millis()
    ))
  };
  let response = send(&transport, &policy, &what, |c| c.get(url.clone()))
    .await
    .map_err(|e| unavailable(e.message))?;
  let body = String::from_utf8_lossy(&response.body).to_ascii_lowercase();
  if response.status == 403 && body.contains("unreachable") {
    return Err(unavailable("HTTP 403: the network is unreachable from this container".into()));
  }
  crate::azlog!(
    crate::log::Level::Info,
    "{what}: answered HTTP {}; managed identity is available",
    response.status
  );
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;

  #[tokio::test]
  async fn nothing_listening_is_unavailable_quickly() {
    let started = std::time::Instant::now();
    let err = probe_imds("http://127.0.0.1:9", Duration::from_millis(500)).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    assert!(err.to_string().contains("127.0.0.1:9"));
    assert!(started.elapsed() < Duration::from_secs(2));
  }

  #[tokio::test]
  async fn a_silent_listener_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let err = probe_imds(&format!("http://127.0.0.1:{port}"), Duration::from_millis(300))
      .await
      .unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(listener);
  }

  /// A one-shot HTTP server answering `status` with `body`; returns its base URL and
  /// the request line and headers it received.
  async fn answer_once(
    status: &'static str,
    body: &'static str,
  ) -> (String, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
      let (mut socket, _) = listener.accept().await.unwrap();
      let mut buf = vec![0u8; 4096];
      let n = socket.read(&mut buf).await.unwrap();
      let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
      );
      socket.write_all(reply.as_bytes()).await.unwrap();
      String::from_utf8_lossy(&buf[..n]).into_owned()
    });
    (base, server)
  }

  #[tokio::test]
  async fn any_answer_means_available_and_the_request_is_bare() {
    let (base, server) = answer_once("400 Bad Request", r#"{"error":"bad_request_102"}"#).await;
    probe_imds(&base, Duration::from_secs(2)).await.unwrap();
    let request = server.await.unwrap().to_ascii_lowercase();
    assert!(request.starts_with("get /metadata/identity/oauth2/token http/1.1"), "{request}");
    assert!(!request.contains("metadata: true"), "no Metadata header: {request}");
    let (base, _) = answer_once("403 Forbidden", "access denied").await;
    probe_imds(&base, Duration::from_secs(2)).await.unwrap();
  }

  #[tokio::test]
  async fn docker_desktop_403_unreachable_is_unavailable() {
    let (base, _) =
      answer_once("403 Forbidden", "connecting to 169.254.169.254:80: unreachable network").await;
    let err = probe_imds(&base, Duration::from_secs(2)).await.unwrap_err();
    assert!(matches!(err, Error::Unavailable { .. }), "{err:?}");
    assert!(err.to_string().contains("403"));
  }
}
