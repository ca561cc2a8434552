use azid_emulator::{Route, DEFAULT_TENANT_ID};

use crate::common::*;

#[tokio::test]
async fn openid_configuration_shapes() {
  let emu = start().await;
  let client = client(&emu);
  let host = emu.authority_host();
  let url = format!("{host}/{DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration");
  let a = answer(client.get(url).send().await.unwrap()).await;
  assert_eq!(a.status, 200);
  let d = &a.json;
  let base = format!("{host}/{DEFAULT_TENANT_ID}");
  assert_eq!(d["issuer"], format!("{base}/v2.0"));
  assert_eq!(d["token_endpoint"], format!("{base}/oauth2/v2.0/token"));
  assert_eq!(d["authorization_endpoint"], format!("{base}/oauth2/v2.0/authorize"));
  assert_eq!(d["end_session_endpoint"], format!("{base}/oauth2/v2.0/logout"));
  assert_eq!(d["jwks_uri"], format!("{base}/discovery/v2.0/keys"));
  assert_eq!(
    d["token_endpoint_auth_methods_supported"],
    serde_json::json!(["client_secret_post", "private_key_jwt", "client_secret_basic"])
  );
  assert_eq!(d["id_token_signing_alg_values_supported"], serde_json::json!(["RS256"]));
  assert!(d["response_types_supported"].is_array() && d["subject_types_supported"].is_array());
  assert_eq!(d["cloud_instance_name"], "microsoftonline.com");
  assert_eq!(d["tenant_region_scope"], "NA");

  let a = answer(
    client
      .get(format!("{host}/common/v2.0/.well-known/openid-configuration"))
      .send()
      .await
      .unwrap(),
  )
  .await;
  assert_eq!(a.json["issuer"], format!("{host}/{{tenantid}}/v2.0"));
  assert_eq!(a.json["token_endpoint"], format!("{host}/common/oauth2/v2.0/token"));

  let a = answer(
    client
      .get(format!("{host}/nope.example/v2.0/.well-known/openid-configuration"))
      .send()
      .await
      .unwrap(),
  )
  .await;
  assert_aad_error(&a, 400, "invalid_tenant", 90002);
  assert_eq!(emu.request_count(Route::OpenIdConfiguration), 3);

  let a =
    answer(client.get(format!("{host}/common/discovery/v2.0/keys")).send().await.unwrap()).await;
  assert_eq!(a.json["keys"][0]["kty"], "RSA");
  assert_eq!(emu.request_count(Route::Jwks), 1);
}

#[tokio::test]
async fn instance_discovery_points_back_at_the_emulator() {
  let emu = start().await;
  let client = client(&emu);
  let host = emu.authority_host();
  let host_port = host.strip_prefix("https://").unwrap();
  let auth: String = url::form_urlencoded::byte_serialize(
    format!("{host}/{DEFAULT_TENANT_ID}/oauth2/v2.0/authorize").as_bytes(),
  )
  .collect();
  let url =
    format!("{host}/common/discovery/instance?api-version=1.1&authorization_endpoint={auth}");
  let a = answer(client.get(url).send().await.unwrap()).await;
  assert_eq!(a.status, 200);
  assert_eq!(
    a.json["tenant_discovery_endpoint"],
    format!("{host}/{DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration")
  );
  assert_eq!(a.json["api-version"], "1.1");
  let m = &a.json["metadata"][0];
  assert_eq!(m["preferred_network"], host_port);
  assert_eq!(m["preferred_cache"], host_port);
  assert_eq!(m["aliases"], serde_json::json!([host_port]));

  let a = answer(
    client.get(format!("{host}/common/discovery/instance?api-version=1.1")).send().await.unwrap(),
  )
  .await;
  assert_eq!(
    a.json["tenant_discovery_endpoint"],
    format!("{host}/common/v2.0/.well-known/openid-configuration")
  );
  assert_eq!(emu.request_count(Route::InstanceDiscovery), 2);
}
