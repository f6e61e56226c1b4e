//! What the simulator test files share: a simulator on an ephemeral loopback port with the
//! control surface on, an HTTP client that shows redirects instead of following them, and
//! sign-ins through the authorize page and the token endpoint.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::collections::HashMap;

use mde_sim::{spawn, Args, Running};
use reqwest::header::LOCATION;
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// The PKCE pair of RFC 7636's example: `CHALLENGE` is the S256 of `VERIFIER`.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// The app's scopes: the library permission and an ID and refresh token.
pub const SCOPE: &str =
    "https://api.securitycenter.microsoft.com/Library.Manage openid profile offline_access";

/// Starts the simulator with `--control` and `extra`.
pub async fn start(extra: &[&'static str]) -> Running {
    let mut flags = vec!["--port", "0", "--control"];
    flags.extend_from_slice(extra);
    spawn(Args::from_flags(flags))
        .await
        .expect("simulator starts")
}

/// A client that does not follow redirects.
pub fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The id of the sign-in page's pending request (its hidden `request` field).
pub fn request_id(html: &str) -> String {
    html.split("name=request value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the sign-in page names its request")
        .to_string()
}

pub fn query_of(location: &str) -> HashMap<String, String> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    q.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.to_string(),
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
        .collect()
}

/// Drives the authorize page like a person: pick account `account` (or deny).
pub async fn authorize(
    s: &Running,
    account: Option<usize>,
    challenge: Option<(&str, &str)>,
    scope: &str,
) -> HashMap<String, String> {
    let c = http();
    let tenant = &s.sim.args.tenant;
    let redirect = format!("{}/", s.url());
    let mut q: Vec<(&str, String)> = vec![
        ("client_id", s.sim.args.client_id.clone()),
        ("response_type", "code".into()),
        ("redirect_uri", redirect),
        ("scope", scope.into()),
        ("state", "st-1".into()),
        ("nonce", "no-1".into()),
    ];
    if let Some((ch, method)) = challenge {
        q.push(("code_challenge", ch.into()));
        q.push(("code_challenge_method", method.into()));
    }
    let page = c
        .get(format!("{}/{tenant}/oauth2/v2.0/authorize", s.url()))
        .query(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Ada Admin") && html.contains("Riley Reader") && html.contains("Deny"));
    let mut form = vec![("request", request_id(&html))];
    match account {
        Some(a) => form.push(("account", a.to_string())),
        None => form.push(("deny", "1".into())),
    }
    let resp = c
        .post(format!("{}/{tenant}/oauth2/v2.0/authorize", s.url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    // axum's `Redirect::to`: 303, so the browser follows with a GET.
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let loc = resp.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(loc.starts_with(&format!("{}/?", s.url())), "{loc}");
    query_of(&loc)
}

pub async fn token(s: &Running, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = http()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            s.url(),
            s.sim.args.tenant
        ))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap())
}

pub async fn redeem(s: &Running, code: &str, verifier: &str) -> (StatusCode, Value) {
    let redirect = format!("{}/", s.url());
    let client_id = s.sim.args.client_id.clone();
    token(
        s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", code),
            ("redirect_uri", &redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Full sign-in; returns the token response.
pub async fn sign_in(s: &Running, account: usize, scope: &str) -> Value {
    let q = authorize(s, Some(account), Some((CHALLENGE, "S256")), scope).await;
    assert_eq!(q["state"], "st-1");
    let (status, body) = redeem(s, &q["code"], VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub async fn admin_token(s: &Running) -> String {
    sign_in(s, 0, SCOPE).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An access token for Ada Admin, from the control surface.
pub async fn control_token(s: &Running) -> String {
    let v: Value = http()
        .post(format!("{}/_sim/token", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["accessToken"].as_str().unwrap().to_string()
}
