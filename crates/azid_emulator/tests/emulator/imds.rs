use azid_emulator::{
  IdentityRegistration, Route, DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID,
  DEFAULT_SYSTEM_ASSIGNED_RESOURCE_ID, DEFAULT_USER_ASSIGNED_CLIENT_ID,
  DEFAULT_USER_ASSIGNED_OBJECT_ID, DEFAULT_USER_ASSIGNED_RESOURCE_ID, IMDS_TOKEN_PATH,
};

use crate::common::*;

const ARM: &str = "https://management.azure.com/";

async fn imds(client: &reqwest::Client, base: &str, query: &str, metadata: bool) -> Answer {
  let mut req = client.get(format!("{base}{IMDS_TOKEN_PATH}{query}"));
  if metadata {
    req = req.header("Metadata", "true");
  }
  answer(req.send().await.unwrap()).await
}

fn q(extra: &str) -> String {
  let resource: String = url::form_urlencoded::byte_serialize(ARM.as_bytes()).collect();
  format!("?api-version=2018-02-01&resource={resource}{extra}")
}

#[tokio::test]
async fn system_assigned_token_has_string_fields() {
  let emu = start().await;
  let client = client(&emu);
  let base = emu.imds_endpoint();
  assert!(base.starts_with("http://127.0.0.1:"));
  let a = imds(&client, &base, &q(""), true).await;
  assert_eq!(a.status, 200, "{}", a.text);
  assert_eq!(a.header("server"), Some("IMDS/150.870.65.1325"));
  for field in [
    "access_token",
    "client_id",
    "expires_in",
    "expires_on",
    "ext_expires_in",
    "not_before",
    "resource",
    "token_type",
  ] {
    assert!(a.json[field].is_string(), "{field} is a string in {}", a.text);
  }
  assert_eq!(a.json["expires_in"], "86399");
  assert_eq!(a.json["resource"], ARM);
  assert_eq!(a.json["token_type"], "Bearer");
  assert_eq!(a.json["client_id"], DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID);
  let expires_on: u64 = a.json["expires_on"].as_str().unwrap().parse().unwrap();
  let not_before: u64 = a.json["not_before"].as_str().unwrap().parse().unwrap();
  assert_eq!(expires_on - not_before, 86399);
  let c = claims(a.json["access_token"].as_str().unwrap());
  assert_eq!(c["aud"], ARM);
  assert_eq!(c["appid"], DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID);
  assert_eq!(c["xms_mirid"], DEFAULT_SYSTEM_ASSIGNED_RESOURCE_ID);
  assert_eq!(c["exp"].as_u64().unwrap(), expires_on);

  emu.set_imds_token_lifetime(600);
  let a = imds(&client, &base, &q(""), true).await;
  assert_eq!(a.json["expires_in"], "600");
}

#[tokio::test]
async fn user_assigned_by_each_selector() {
  let emu = start().await;
  let client = client(&emu);
  let base = emu.imds_endpoint();
  let res_id: String =
    url::form_urlencoded::byte_serialize(DEFAULT_USER_ASSIGNED_RESOURCE_ID.as_bytes()).collect();
  for extra in [
    format!("&client_id={DEFAULT_USER_ASSIGNED_CLIENT_ID}"),
    format!("&object_id={DEFAULT_USER_ASSIGNED_OBJECT_ID}"),
    format!("&msi_res_id={res_id}"),
  ] {
    let a = imds(&client, &base, &q(&extra), true).await;
    assert_eq!(a.status, 200, "{extra}: {}", a.text);
    assert_eq!(a.json["client_id"], DEFAULT_USER_ASSIGNED_CLIENT_ID);
    let c = claims(a.json["access_token"].as_str().unwrap());
    assert_eq!(c["oid"], DEFAULT_USER_ASSIGNED_OBJECT_ID);
    assert_eq!(c["xms_mirid"], DEFAULT_USER_ASSIGNED_RESOURCE_ID);
  }

  let a = imds(&client, &base, &q("&client_id=00000000-0000-0000-0000-000000000000"), true).await;
  assert_eq!(a.status, 400);
  assert_eq!(a.json["error"], "invalid_request");
  assert_eq!(a.json["error_description"], "Identity not found");

  let two = format!(
    "&client_id={DEFAULT_USER_ASSIGNED_CLIENT_ID}&object_id={DEFAULT_USER_ASSIGNED_OBJECT_ID}"
  );
  let a = imds(&client, &base, &q(&two), true).await;
  assert_eq!(a.status, 400);
  assert_eq!(a.json["error"], "invalid_request");

  // A registered identity with generated IDs.
  let id = emu.register_identity(IdentityRegistration {
    client_id: "new-client".into(),
    ..Default::default()
  });
  assert!(!id.object_id.is_empty() && id.resource_id.contains("userAssignedIdentities"));
  let a = imds(&client, &base, &q("&client_id=new-client"), true).await;
  assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn request_errors_match_real_imds() {
  let emu = start().await;
  let client = client(&emu);
  let base = emu.imds_endpoint();

  // DefaultAzureCredential's probe: no query, no header; any HTTP answer means "available".
  let a = imds(&client, &base, "", false).await;
  assert_eq!(a.status, 400);
  assert_eq!(a.json["error"], "bad_request_102");
  assert_eq!(a.json["error_description"], "Required metadata header not specified");
  assert_eq!(a.header("server"), Some("IMDS/150.870.65.1325"));

  let a = imds(&client, &base, &q(""), false).await;
  assert_eq!(a.json["error"], "bad_request_102");

  let a = imds(&client, &base, "?resource=https%3A%2F%2Fmanagement.azure.com%2F", true).await;
  assert_eq!(a.status, 400);
  assert_eq!(a.json["error"], "invalid_request");

  let a = imds(&client, &base, "?api-version=2018-02-01&resource=", true).await;
  assert_eq!(a.status, 400);
  assert_eq!(a.json["error"], "invalid_resource");

  let a = answer(client.get(format!("{base}/metadata/other")).send().await.unwrap()).await;
  assert_eq!(a.status, 404);
  assert_eq!(emu.request_count(Route::Imds), 4, "the unknown path is not counted");
}

#[tokio::test]
async fn no_system_assigned_identity() {
  let emu = azid_emulator::Emulator::start(azid_emulator::EmulatorConfig {
    seed_defaults: false,
    ..Default::default()
  })
  .await
  .unwrap();
  let client = client(&emu);
  let a = imds(&client, &emu.imds_endpoint(), &q(""), true).await;
  assert_eq!(a.status, 400);
  assert_eq!(a.json["error_description"], "Identity not found");
  emu.register_identity(IdentityRegistration { system_assigned: true, ..Default::default() });
  let a = imds(&client, &emu.imds_endpoint(), &q(""), true).await;
  assert_eq!(a.status, 200, "{}", a.text);
}
