use azid_emulator::{
  AppRegistration, Route, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use sha2::Sha256;

use crate::common::*;

#[tokio::test]
async fn client_secret_token_is_a_signed_jwt() {
  let emu = start().await;
  let client = client(&emu);
  let a = default_token(&client, &emu).await;
  assert_eq!(a.status, 200, "{}", a.text);
  assert_eq!(a.json["token_type"], "Bearer");
  assert_eq!(a.json["expires_in"], 3599);
  assert_eq!(a.json["ext_expires_in"], 3599);
  assert!(a.json.get("refresh_in").is_none());
  assert_eq!(a.header("cache-control"), Some("no-store, no-cache"));
  assert!(a.header("x-ms-request-id").is_some());

  let token = a.json["access_token"].as_str().unwrap();
  let header = jwt_part(token, 0);
  assert_eq!(header["typ"], "JWT");
  assert_eq!(header["alg"], "RS256");
  let c = claims(token);
  assert_eq!(c["aud"], "https://vault.azure.net");
  assert_eq!(c["iss"], format!("{}/{DEFAULT_TENANT_ID}/v2.0", emu.authority_host()));
  assert_eq!(c["tid"], DEFAULT_TENANT_ID);
  assert_eq!(c["appid"], DEFAULT_CLIENT_ID);
  assert_eq!(c["azp"], DEFAULT_CLIENT_ID);
  assert_eq!(c["ver"], "2.0");
  assert_eq!(c["sub"], c["oid"]);
  assert_eq!(c["exp"].as_u64().unwrap(), c["iat"].as_u64().unwrap() + 3599);
  assert_eq!(c["nbf"], c["iat"]);

  // Two tokens differ (uti/jti), but the app's oid is stable.
  let b = default_token(&client, &emu).await;
  let token2 = b.json["access_token"].as_str().unwrap();
  assert_ne!(token, token2);
  assert_eq!(claims(token2)["oid"], c["oid"]);
  assert_ne!(claims(token2)["jti"], c["jti"]);

  // The signature verifies with the published JWKS key.
  let jwks = answer(
    client
      .get(format!("{}/{DEFAULT_TENANT_ID}/discovery/v2.0/keys", emu.authority_host()))
      .send()
      .await
      .unwrap(),
  )
  .await;
  let key = &jwks.json["keys"][0];
  assert_eq!(key["kty"], "RSA");
  assert_eq!(key["use"], "sig");
  assert_eq!(key["kid"], header["kid"]);
  let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
  let e = URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap();
  assert_eq!(n.len(), 256, "RSA-2048");
  let public = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e)).unwrap();
  let verifier = VerifyingKey::<Sha256>::new(public);
  let (signing_input, sig) = token.rsplit_once('.').unwrap();
  let sig = Signature::try_from(URL_SAFE_NO_PAD.decode(sig).unwrap().as_slice()).unwrap();
  verifier.verify(signing_input.as_bytes(), &sig).expect("signature verifies");
  let mut tampered = signing_input.to_string();
  tampered.push('x');
  assert!(verifier.verify(tampered.as_bytes(), &sig).is_err());
}

#[tokio::test]
async fn lifetimes_and_refresh_in_follow_settings() {
  let emu = start().await;
  let client = client(&emu);
  emu.set_token_lifetime(120);
  emu.set_refresh_in(Some(60));
  let a = default_token(&client, &emu).await;
  assert_eq!(a.json["expires_in"], 120);
  assert_eq!(a.json["refresh_in"], 60);
  let c = claims(a.json["access_token"].as_str().unwrap());
  assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 120);

  // A per-app override wins over the global setting.
  emu.register_app(AppRegistration {
    tenant_id: DEFAULT_TENANT_ID.into(),
    client_id: "app-short".into(),
    client_secret: Some("s".into()),
    token_lifetime_secs: Some(30),
    ..Default::default()
  });
  let a = post_token(
    &client,
    &emu,
    DEFAULT_TENANT_ID,
    &[
      ("grant_type", "client_credentials"),
      ("client_id", "app-short"),
      ("client_secret", "s"),
      ("scope", VAULT_SCOPE),
    ],
  )
  .await;
  assert_eq!(a.json["expires_in"], 30, "{}", a.text);
  emu.set_refresh_in(None);
  let a = default_token(&client, &emu).await;
  assert!(a.json.get("refresh_in").is_none());
}

#[tokio::test]
async fn wrong_secret_is_7000215_and_echoes_correlation_id() {
  let emu = start().await;
  let client = client(&emu);
  let corr = "4b5cb6a1-2f4e-4a4b-9e0a-0d1d2c3b4a59";
  let body = form(&[
    ("grant_type", "client_credentials"),
    ("client_id", DEFAULT_CLIENT_ID),
    ("client_secret", "not-the-secret"),
    ("scope", VAULT_SCOPE),
  ]);
  let resp = client
    .post(token_url(&emu, DEFAULT_TENANT_ID))
    .header("content-type", "application/x-www-form-urlencoded")
    .header("client-request-id", corr)
    .body(body)
    .send()
    .await
    .unwrap();
  let a = answer(resp).await;
  assert_aad_error(&a, 401, "invalid_client", 7000215);
  assert_eq!(a.json["correlation_id"], corr);
  assert_eq!(a.header("client-request-id"), Some(corr));
  assert!(a.json["error_description"]
    .as_str()
    .unwrap()
    .contains(&format!("\r\nCorrelation ID: {corr}\r\n")));
  assert!(!a.text.contains(DEFAULT_CLIENT_SECRET));

  // The ID is also taken from the query (msal-node) and from the body.
  let url = format!("{}?client-request-id=q-1", token_url(&emu, DEFAULT_TENANT_ID));
  let a =
    answer(client.post(url).body("grant_type=client_credentials").send().await.unwrap()).await;
  assert_eq!(a.json["correlation_id"], "q-1");
  let mut f = default_form("User.Read");
  f.push(("client-request-id", "b-1"));
  let a = post_token(&client, &emu, DEFAULT_TENANT_ID, &f).await;
  assert_eq!(a.json["correlation_id"], "b-1");
  assert_eq!(a.header("client-request-id"), Some("b-1"));

  // Without one, a fresh GUID.
  let a = post_token(&client, &emu, DEFAULT_TENANT_ID, &default_form("User.Read")).await;
  assert_eq!(a.json["correlation_id"].as_str().unwrap().len(), 36);
  assert!(a.header("client-request-id").is_none());
}

#[tokio::test]
async fn validation_errors_use_the_real_codes() {
  let emu = start().await;
  let client = client(&emu);

  let a = answer(client.get(token_url(&emu, DEFAULT_TENANT_ID)).send().await.unwrap()).await;
  assert_aad_error(&a, 400, "invalid_request", 900561);

  for t in ["common", "organizations", "consumers"] {
    let a = post_token(&client, &emu, t, &default_form(VAULT_SCOPE)).await;
    assert_aad_error(&a, 400, "invalid_request", 9001023);
  }

  let a =
    post_token(&client, &emu, "11111111-2222-4333-8444-555555555555", &default_form(VAULT_SCOPE))
      .await;
  assert_aad_error(&a, 400, "invalid_tenant", 90002);

  let a = post_token(
    &client,
    &emu,
    DEFAULT_TENANT_ID,
    &[
      ("grant_type", "client_credentials"),
      ("client_id", "unknown-app"),
      ("client_secret", "x"),
      ("scope", VAULT_SCOPE),
    ],
  )
  .await;
  assert_aad_error(&a, 400, "unauthorized_client", 700016);

  let a = post_token(
    &client,
    &emu,
    DEFAULT_TENANT_ID,
    &[
      ("grant_type", "client_credentials"),
      ("client_id", DEFAULT_CLIENT_ID),
      ("scope", VAULT_SCOPE),
    ],
  )
  .await;
  assert_aad_error(&a, 401, "invalid_client", 7000218);

  let mut f = default_form(VAULT_SCOPE);
  f[0] = ("grant_type", "password");
  let a = post_token(&client, &emu, DEFAULT_TENANT_ID, &f).await;
  assert_aad_error(&a, 400, "unsupported_grant_type", 70003);

  for (scope, code) in [
    ("User.Read", 1002012),
    ("https://graph.microsoft.com/User.Read", 1002012),
    ("https://graph.microsoft.com/.default https://vault.azure.net/.default", 700022),
    ("/.default", 70011),
    ("not a valid scope!", 70011),
  ] {
    let a = post_token(&client, &emu, DEFAULT_TENANT_ID, &default_form(scope)).await;
    assert_aad_error(&a, 400, "invalid_scope", code);
  }

  // OIDC scopes are ignored; an app ID as resource works.
  let a = post_token(
    &client,
    &emu,
    DEFAULT_TENANT_ID,
    &default_form("openid profile offline_access https://graph.microsoft.com/.default"),
  )
  .await;
  assert_eq!(a.status, 200, "{}", a.text);
  let scope = format!("{DEFAULT_CLIENT_ID}/.default");
  let a = post_token(&client, &emu, DEFAULT_TENANT_ID, &default_form(&scope)).await;
  assert_eq!(claims(a.json["access_token"].as_str().unwrap())["aud"], DEFAULT_CLIENT_ID);
  assert_eq!(emu.request_count(Route::Token), 15);
}

#[tokio::test]
async fn basic_auth_and_additional_tenants() {
  let emu = start().await;
  let client = client(&emu);
  emu.register_app(AppRegistration {
    tenant_id: "contoso.example".into(),
    client_id: "multi:app".into(),
    client_secret: Some("s3cr=t&+".into()),
    additional_tenants: vec!["fabrikam.example".into()],
    ..Default::default()
  });
  // RFC 6749 §2.3.1: each part form-urlencoded before base64.
  let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
  let basic =
    format!("Basic {}", STANDARD.encode(format!("{}:{}", enc("multi:app"), enc("s3cr=t&+"))));
  for tenant in ["contoso.example", "fabrikam.example"] {
    let resp = client
      .post(token_url(&emu, tenant))
      .header("authorization", &basic)
      .header("content-type", "application/x-www-form-urlencoded")
      .body(form(&[("grant_type", "client_credentials"), ("scope", VAULT_SCOPE)]))
      .send()
      .await
      .unwrap();
    let a = answer(resp).await;
    assert_eq!(a.status, 200, "{tenant}: {}", a.text);
    assert_eq!(claims(a.json["access_token"].as_str().unwrap())["tid"], tenant);
  }
  let bad = format!("Basic {}", STANDARD.encode("multi%3Aapp:wrong"));
  let resp = client
    .post(token_url(&emu, "contoso.example"))
    .header("authorization", bad)
    .body(form(&[("grant_type", "client_credentials"), ("scope", VAULT_SCOPE)]))
    .send()
    .await
    .unwrap();
  assert_aad_error(&answer(resp).await, 401, "invalid_client", 7000215);
  // The app does not exist in the seeded tenant.
  let a = post_token(
    &client,
    &emu,
    DEFAULT_TENANT_ID,
    &[
      ("grant_type", "client_credentials"),
      ("client_id", "multi:app"),
      ("client_secret", "s3cr=t&+"),
      ("scope", VAULT_SCOPE),
    ],
  )
  .await;
  assert_aad_error(&a, 400, "unauthorized_client", 700016);
}
