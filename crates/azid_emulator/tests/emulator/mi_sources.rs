//! The App Service, Arc, Service Fabric, Cloud Shell and Azure ML routes on the wire.

use azid_emulator::{EmulatorConfig, Fault, Route, DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID};

use crate::common::*;

const RES: &str = "resource=https%3A%2F%2Fvault.azure.net";

#[tokio::test]
async fn app_service_checks_the_header_and_answers_without_expires_in() {
  let emu = start().await;
  let client = client(&emu);
  let url = format!("{}?api-version=2019-08-01&{RES}", emu.app_service_endpoint());
  let missing = answer(client.get(&url).send().await.unwrap()).await;
  assert_eq!(missing.status, 400);
  let wrong = answer(client.get(&url).header("X-IDENTITY-HEADER", "x").send().await.unwrap()).await;
  assert_eq!(wrong.status, 401);
  let ok = answer(
    client.get(&url).header("X-IDENTITY-HEADER", emu.identity_header()).send().await.unwrap(),
  )
  .await;
  assert_eq!(ok.status, 200, "{}", ok.text);
  assert!(ok.json["expires_on"].is_string());
  assert!(ok.json.get("expires_in").is_none());
  assert_eq!(ok.json["client_id"], DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID);

  emu.set_fault(Route::AppService, Fault { status: Some(503), times: Some(1), ..Fault::default() });
  let faulted = answer(
    client.get(&url).header("X-IDENTITY-HEADER", emu.identity_header()).send().await.unwrap(),
  )
  .await;
  assert_eq!(faulted.status, 503);
  assert_eq!(emu.request_count(Route::AppService), 4);
}

#[tokio::test]
async fn arc_challenge_writes_a_key_that_works_once() {
  let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
  let dir =
    std::env::temp_dir().join(format!("azid-arc-{}-{}", std::process::id(), nanos.as_nanos()));
  let emu = azid_emulator::Emulator::start(EmulatorConfig {
    arc_key_dir: dir.clone(),
    ..EmulatorConfig::default()
  })
  .await
  .unwrap();
  let client = client(&emu);
  let url = format!("{}?api-version=2020-06-01&{RES}", emu.arc_endpoint());
  let first = answer(client.get(&url).header("Metadata", "true").send().await.unwrap()).await;
  assert_eq!(first.status, 401);
  let realm = first.header("www-authenticate").unwrap().strip_prefix("Basic realm=").unwrap();
  assert!(realm.starts_with(dir.to_str().unwrap()) && realm.ends_with(".key"), "{realm}");
  let key = std::fs::read_to_string(realm).unwrap();
  let send = |key: String| {
    client
      .get(&url)
      .header("Metadata", "true")
      .header("Authorization", format!("Basic {key}"))
      .send()
  };
  let ok = answer(send(key.clone()).await.unwrap()).await;
  assert_eq!(ok.status, 200, "{}", ok.text);
  assert!(!std::path::Path::new(realm).exists(), "a redeemed key file is removed");
  let again = answer(send(key).await.unwrap()).await;
  assert_eq!(again.status, 401);
  emu.shutdown().await;
  drop(emu);
  let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn service_fabric_certificate_is_not_under_the_emulator_ca() {
  let emu = start().await;
  let err = client(&emu).get(emu.service_fabric_endpoint()).send().await.unwrap_err();
  assert!(err.is_connect() || err.is_request(), "{err}");
  assert_eq!(emu.service_fabric_thumbprint().len(), 40);
}

#[tokio::test]
async fn cloud_shell_takes_a_form_post_and_ml_answers_the_legacy_format() {
  let emu = start().await;
  let client = client(&emu);
  let get = answer(client.get(emu.cloud_shell_endpoint()).send().await.unwrap()).await;
  assert_eq!(get.status, 405);
  let post = answer(
    client
      .post(emu.cloud_shell_endpoint())
      .header("Metadata", "true")
      .header("content-type", "application/x-www-form-urlencoded")
      .body(RES)
      .send()
      .await
      .unwrap(),
  )
  .await;
  assert_eq!(post.status, 200, "{}", post.text);

  let ml = format!(
    "{}?api-version=2017-09-01&{RES}&clientid={DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID}",
    emu.azure_ml_endpoint()
  );
  let ok = answer(client.get(&ml).header("secret", emu.msi_secret()).send().await.unwrap()).await;
  assert_eq!(ok.status, 200, "{}", ok.text);
  let on = ok.json["expires_on"].as_str().unwrap();
  let shape =
    on.len() == 29 && on.ends_with(" +00:00") && (on.contains(" AM ") || on.contains(" PM "));
  assert!(shape, "{on}");
  let wrong = answer(client.get(&ml).header("secret", "nope").send().await.unwrap()).await;
  assert_eq!(wrong.status, 401);
}
