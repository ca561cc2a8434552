use std::time::{Duration, Instant};

use azid_emulator::{Fault, Route, IMDS_TOKEN_PATH};

use crate::common::*;

#[tokio::test]
async fn fault_with_times_then_success() {
  let emu = start().await;
  let client = client(&emu);
  emu.set_fault(Route::Token, Fault { status: Some(503), times: Some(2), ..Default::default() });
  for _ in 0..2 {
    let a = default_token(&client, &emu).await;
    assert_aad_error(&a, 503, "temporarily_unavailable", 90033);
  }
  let a = default_token(&client, &emu).await;
  assert_eq!(a.status, 200, "{}", a.text);
  assert!(emu.fault(Route::Token).is_none());
  assert_eq!(emu.request_count(Route::Token), 3);
}

#[tokio::test]
async fn throttled_429_with_retry_after() {
  let emu = start().await;
  let client = client(&emu);
  emu.set_fault(
    Route::Token,
    Fault { status: Some(429), retry_after: Some("7".into()), ..Default::default() },
  );
  let a = default_token(&client, &emu).await;
  assert_aad_error(&a, 429, "temporarily_unavailable", 90055);
  assert_eq!(a.header("retry-after"), Some("7"));
  // Until cleared.
  let a = default_token(&client, &emu).await;
  assert_eq!(a.status, 429);
  emu.clear_faults();
  assert_eq!(default_token(&client, &emu).await.status, 200);

  // Custom body on IMDS, and an HTTP-date Retry-After verbatim.
  let date = "Wed, 21 Oct 2015 07:28:00 GMT";
  emu.set_fault(
    Route::Imds,
    Fault {
      status: Some(429),
      body: Some("Too Many Requests".into()),
      retry_after: Some(date.into()),
      times: Some(1),
      ..Default::default()
    },
  );
  let resp = client.get(format!("{}{IMDS_TOKEN_PATH}", emu.imds_endpoint())).send().await.unwrap();
  let a = answer(resp).await;
  assert_eq!(a.status, 429);
  assert_eq!(a.text, "Too Many Requests");
  assert_eq!(a.header("retry-after"), Some(date));
  assert_eq!(a.header("server"), Some("IMDS/150.870.65.1325"));
}

#[tokio::test]
async fn drop_connection_sends_no_response() {
  let emu = start().await;
  let client = client(&emu);
  emu
    .set_fault(Route::Token, Fault { drop_connection: true, times: Some(1), ..Default::default() });
  let err = client
    .post(token_url(&emu, azid_emulator::DEFAULT_TENANT_ID))
    .body(form(&default_form(VAULT_SCOPE)))
    .send()
    .await
    .expect_err("the connection is dropped");
  assert!(!err.is_status());
  assert_eq!(emu.request_count(Route::Token), 1);
  assert_eq!(default_token(&client, &emu).await.status, 200);
}

#[tokio::test]
async fn latency_then_normal_and_malformed_body() {
  let emu = start().await;
  let client = client(&emu);
  emu.set_fault(Route::Token, Fault { latency_ms: 300, times: Some(1), ..Default::default() });
  let t0 = Instant::now();
  let a = default_token(&client, &emu).await;
  assert!(t0.elapsed() >= Duration::from_millis(300));
  assert_eq!(a.status, 200);

  emu.set_fault(Route::Token, Fault { malformed_body: true, times: Some(1), ..Default::default() });
  let a = default_token(&client, &emu).await;
  assert_eq!(a.status, 200);
  assert!(serde_json::from_str::<serde_json::Value>(&a.text).is_err(), "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_and_fault_times_exact_under_concurrency() {
  let emu = start().await;
  let client = client(&emu);
  emu.set_fault(Route::Token, Fault { status: Some(500), times: Some(50), ..Default::default() });
  let mut tasks = Vec::new();
  for _ in 0..200 {
    let (client, emu) = (client.clone(), emu.clone());
    tasks.push(tokio::spawn(async move { default_token(&client, &emu).await.status }));
  }
  let mut ok = 0;
  let mut failed = 0;
  for t in tasks {
    match t.await.unwrap() {
      200 => ok += 1,
      500 => failed += 1,
      other => panic!("unexpected status {other}"),
    }
  }
  assert_eq!((ok, failed), (150, 50));
  assert_eq!(emu.request_count(Route::Token), 200);
  assert_eq!(emu.request_count(Route::Imds), 0);
  emu.reset_counts();
  assert_eq!(emu.request_count(Route::Token), 0);
}

#[tokio::test]
async fn shutdown_closes_the_listeners() {
  let emu = start().await;
  let client = client(&emu);
  assert_eq!(default_token(&client, &emu).await.status, 200);
  emu.shutdown().await;
  emu.shutdown().await;
  assert!(tokio::net::TcpStream::connect(emu.token_addr()).await.is_err());
  assert!(tokio::net::TcpStream::connect(emu.imds_addr()).await.is_err());
}
