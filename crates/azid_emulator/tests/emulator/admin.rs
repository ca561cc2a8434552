use azid_emulator::{Route, IMDS_TOKEN_PATH};
use serde_json::{json, Value};

use crate::common::*;

async fn call(
  client: &reqwest::Client,
  method: reqwest::Method,
  url: String,
  body: Option<Value>,
) -> Answer {
  let mut req = client.request(method, url);
  if let Some(body) = body {
    req = req.header("content-type", "application/json").body(body.to_string());
  }
  answer(req.send().await.unwrap()).await
}

#[tokio::test]
async fn admin_api_roundtrip() {
  use reqwest::Method;
  let emu = start().await;
  let client = client(&emu);
  let admin = format!("{}/_emulator", emu.authority_host());

  let a =
    call(&client, Method::POST, format!("{admin}/tenants"), Some(json!({"tenantId": "t-admin"})))
      .await;
  assert_eq!(a.status, 201, "{}", a.text);
  let app = json!({"tenantId": "t-admin", "clientId": "c-admin", "clientSecret": "s-admin", "additionalTenants": [], "tokenLifetimeSecs": 77});
  assert_eq!(call(&client, Method::POST, format!("{admin}/apps"), Some(app)).await.status, 201);
  let a = post_token(
    &client,
    &emu,
    "t-admin",
    &[
      ("grant_type", "client_credentials"),
      ("client_id", "c-admin"),
      ("client_secret", "s-admin"),
      ("scope", VAULT_SCOPE),
    ],
  )
  .await;
  assert_eq!(a.status, 200, "{}", a.text);
  assert_eq!(a.json["expires_in"], 77);

  let a = call(
    &client,
    Method::POST,
    format!("{admin}/settings"),
    Some(json!({"tokenLifetimeSecs": 1234, "refreshInSecs": 600})),
  )
  .await;
  assert_eq!(
    a.json,
    json!({"tokenLifetimeSecs": 1234, "imdsTokenLifetimeSecs": 86399, "refreshInSecs": 600})
  );
  let a = default_token(&client, &emu).await;
  assert_eq!(
    (a.json["expires_in"].clone(), a.json["refresh_in"].clone()),
    (json!(1234), json!(600))
  );
  let a =
    call(&client, Method::POST, format!("{admin}/settings"), Some(json!({"refreshInSecs": null})))
      .await;
  assert_eq!(a.json["refreshInSecs"], Value::Null);
  assert_eq!(a.json["tokenLifetimeSecs"], 1234);

  let ident = json!({"systemAssigned": false, "clientId": "ua-admin", "objectId": "oid-admin", "resourceId": "/subscriptions/x/rg/ua-admin"});
  let a = call(&client, Method::POST, format!("{admin}/identities"), Some(ident)).await;
  assert_eq!(a.status, 201);
  let resp = client
    .get(format!(
      "{}{IMDS_TOKEN_PATH}?api-version=2018-02-01&resource=r&client_id=ua-admin",
      emu.imds_endpoint()
    ))
    .header("Metadata", "true")
    .send()
    .await
    .unwrap();
  assert_eq!(answer(resp).await.json["client_id"], "ua-admin");

  let fault = json!({"route": "token", "fault": {"status": 429, "retryAfter": "3", "times": 1}});
  assert_eq!(call(&client, Method::POST, format!("{admin}/faults"), Some(fault)).await.status, 201);
  let a = call(&client, Method::GET, format!("{admin}/faults"), None).await;
  assert_eq!(a.json["token"]["status"], 429);
  let a = default_token(&client, &emu).await;
  assert_eq!((a.status, a.header("retry-after")), (429, Some("3")));
  let fault = json!({"route": "imds", "fault": {"dropConnection": true}});
  call(&client, Method::POST, format!("{admin}/faults"), Some(fault)).await;
  assert!(emu.fault(Route::Imds).unwrap().drop_connection);
  assert_eq!(call(&client, Method::DELETE, format!("{admin}/faults"), None).await.status, 200);
  assert!(emu.fault(Route::Imds).is_none());
  let bad = call(
    &client,
    Method::POST,
    format!("{admin}/faults"),
    Some(json!({"route": "nope", "fault": {}})),
  )
  .await;
  assert_eq!(bad.status, 400);

  let a = call(&client, Method::GET, format!("{admin}/counts"), None).await;
  assert_eq!(
    a.json,
    json!({"token": 3, "openid": 0, "instance_discovery": 0, "jwks": 0, "imds": 1,
      "app_service": 0, "arc": 0, "service_fabric": 0, "cloud_shell": 0, "azure_ml": 0, "pipelines_oidc": 0,
      "keyvault": 0})
  );

  // Key Vault: set a secret (the version comes back), deny and clear access, move the vault's tenant.
  let a = call(
    &client,
    Method::POST,
    format!("{admin}/secrets"),
    Some(json!({"name": "db", "value": "v", "enabled": true, "tags": {"a": "b"}})),
  )
  .await;
  assert_eq!(a.status, 201, "{}", a.text);
  assert_eq!(a.json["version"].as_str().map(str::len), Some(32));
  let bad = call(
    &client,
    Method::POST,
    format!("{admin}/secrets"),
    Some(json!({"name": "bad name", "value": "v"})),
  )
  .await;
  assert_eq!(bad.status, 400);
  let a = call(
    &client,
    Method::POST,
    format!("{admin}/secret-denials"),
    Some(json!({"secretName": "db"})),
  )
  .await;
  assert_eq!(a.status, 201);
  assert_eq!(
    call(&client, Method::DELETE, format!("{admin}/secret-denials"), None).await.status,
    200
  );
  let a =
    call(&client, Method::POST, format!("{admin}/vault"), Some(json!({"tenantId": "t2"}))).await;
  assert_eq!(a.status, 200);
  assert_eq!(call(&client, Method::DELETE, format!("{admin}/counts"), None).await.status, 200);
  assert_eq!(emu.request_count(Route::Token), 0);

  let a = call(&client, Method::GET, format!("{admin}/ca.pem"), None).await;
  assert_eq!(a.text, emu.ca_pem());
  assert_eq!(std::fs::read_to_string(emu.ca_file()).unwrap(), emu.ca_pem());
  let a = call(&client, Method::GET, format!("{admin}/info"), None).await;
  assert_eq!(a.json["authorityHost"], emu.authority_host());

  // The IMDS listener does not serve the admin API.
  let resp = client.get(format!("{}/_emulator/counts", emu.imds_endpoint())).send().await.unwrap();
  assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test]
async fn federation_admin_routes_pipelines_and_obo() {
  use reqwest::Method;
  let emu = start().await;
  let client = client(&emu);
  let admin = format!("{}/_emulator", emu.authority_host());

  // Certificates must be PEM certificates.
  let bad = json!({"tenantId": "t-fed", "clientId": "c-fed", "certificates": ["not pem"]});
  let a = call(&client, Method::POST, format!("{admin}/apps"), Some(bad)).await;
  assert_eq!(a.status, 400, "{}", a.text);

  // A service connection, then its OIDC token through the pipelines route.
  let sc = json!({"serviceConnectionId": "sc-9", "systemAccessToken": "sys-token"});
  let a = call(&client, Method::POST, format!("{admin}/service-connections"), Some(sc)).await;
  assert_eq!(a.status, 201, "{}", a.text);
  let (issuer, subject) = (a.json["issuer"].clone(), a.json["subject"].clone());
  let oidc = |token: &'static str, id: &'static str| {
    client
      .post(format!("{}?api-version=7.1&serviceConnectionId={id}", emu.pipelines_oidc_uri()))
      .bearer_auth(token)
      .send()
  };
  let a = answer(oidc("sys-token", "sc-9").await.unwrap()).await;
  assert_eq!(a.status, 200, "{}", a.text);
  let token = a.json["oidcToken"].as_str().unwrap().to_string();
  let c = claims(&token);
  assert_eq!((c["iss"].clone(), c["sub"].clone()), (issuer.clone(), subject.clone()));
  assert_eq!(c["aud"], "api://AzureADTokenExchange");
  assert_eq!(answer(oidc("wrong", "sc-9").await.unwrap()).await.status, 401);
  assert_eq!(answer(oidc("sys-token", "sc-0").await.unwrap()).await.status, 404);
  assert_eq!(emu.request_count(Route::PipelinesOidc), 3);

  // The OIDC token as a federated client assertion.
  let app = json!({"tenantId": "t-fed", "clientId": "c-fed", "clientSecret": "s",
    "federatedCredentials": [{"issuer": issuer, "subject": subject}]});
  assert_eq!(call(&client, Method::POST, format!("{admin}/apps"), Some(app)).await.status, 201);
  let jwt_bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
  let fed = [
    ("grant_type", "client_credentials"),
    ("client_id", "c-fed"),
    ("client_assertion_type", jwt_bearer),
    ("client_assertion", token.as_str()),
    ("scope", VAULT_SCOPE),
  ];
  let a = post_token(&client, &emu, "t-fed", &fed).await;
  assert_eq!(a.status, 200, "{}", a.text);

  // On-behalf-of with a user token from the admin route; an expired one is 500133.
  let user = |secs: i64| {
    let body =
      json!({"tenantId": "t-fed", "audience": "api://c-fed", "upn": "u@x", "expiresInSecs": secs});
    call(&client, Method::POST, format!("{admin}/user-tokens"), Some(body))
  };
  let live = user(600).await.json["accessToken"].as_str().unwrap().to_string();
  let expired = user(-600).await.json["accessToken"].as_str().unwrap().to_string();
  let obo = |assertion: String| {
    let client = client.clone();
    let emu = emu.clone();
    async move {
      let pairs = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("requested_token_use", "on_behalf_of"),
        ("client_id", "c-fed"),
        ("client_secret", "s"),
        ("assertion", assertion.as_str()),
        ("scope", "https://graph.microsoft.com/.default openid profile offline_access"),
      ];
      post_token(&client, &emu, "t-fed", &pairs).await
    }
  };
  let a = obo(live).await;
  assert_eq!(a.status, 200, "{}", a.text);
  let c = claims(a.json["access_token"].as_str().unwrap());
  assert_eq!(
    (c["upn"].as_str(), c["aud"].as_str()),
    (Some("u@x"), Some("https://graph.microsoft.com"))
  );
  assert_aad_error(&obo(expired).await, 400, "invalid_grant", 500133);
  // A token the emulator did not sign is refused.
  let forged = format!("{}.{}", token.rsplit_once('.').unwrap().0, "c2ln");
  assert_aad_error(&obo(forged).await, 400, "invalid_grant", 50013);
}
