//! The first-run failures of Entra ID (a fault's `aadsts`), over real HTTP on an ephemeral
//! loopback port: each answered where and how the real service answers it.

mod common;
use common::{authorize, http, query_of, redeem, sign_in, start, token, CHALLENGE, SCOPE};

use mde_sim::Running;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn fault(s: &Running, f: Value) -> StatusCode {
    http()
        .post(format!("{}/_sim/faults", s.url()))
        .json(&f)
        .send()
        .await
        .unwrap()
        .status()
}

/// The authorize request the panel sends, answered without following redirects.
async fn authorize_get(s: &Running) -> reqwest::Response {
    http()
        .get(format!(
            "{}/{}/oauth2/v2.0/authorize",
            s.url(),
            s.sim.args.tenant
        ))
        .query(&[
            ("client_id", s.sim.args.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", &format!("{}/", s.url())),
            ("scope", SCOPE),
            ("state", "st-9"),
            ("nonce", "no-9"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap()
}

fn assert_entra_body(body: &Value, error: &str, code: u32) {
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    let d = body["error_description"].as_str().unwrap();
    assert!(d.starts_with(&format!("AADSTS{code}: ")), "{d}");
    assert!(body["trace_id"].is_string() && body["correlation_id"].is_string());
}

#[tokio::test]
async fn a_redirect_uri_mismatch_is_entras_own_page_never_a_redirect() {
    let s = start(&[]).await;
    assert_eq!(
        fault(&s, json!({ "aadsts": 50011 })).await,
        StatusCode::NO_CONTENT
    );
    let resp = authorize_get(&s).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().get(LOCATION).is_none());
    let html = resp.text().await.unwrap();
    assert!(html.contains("AADSTS50011"), "{html}");
    assert!(
        html.contains(&format!("{}/", s.url())),
        "names the URI sent: {html}"
    );
    // Once: the next sign-in gets the account picker.
    assert_eq!(authorize_get(&s).await.status(), StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn missing_consent_comes_back_on_the_redirect_uri_with_its_state() {
    let s = start(&["--send-iss"]).await;
    fault(&s, json!({ "aadsts": 65001 })).await;
    let resp = authorize_get(&s).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let loc = resp.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(loc.starts_with(&format!("{}/?", s.url())), "{loc}");
    let q = query_of(&loc);
    assert_eq!(q["error"], "consent_required");
    assert!(q["error_description"].starts_with("AADSTS65001: "), "{loc}");
    assert_eq!(q["state"], "st-9");
    assert_eq!(q["iss"], s.sim.authority());
    s.stop().await;
}

#[tokio::test]
async fn a_web_registration_refuses_the_code_redemption_from_a_browser() {
    let s = start(&[]).await;
    let q = authorize(&s, Some(0), Some((CHALLENGE, "S256")), SCOPE).await;
    fault(&s, json!({ "aadsts": 9002326 })).await;
    let resp = http()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            s.url(),
            s.sim.args.tenant
        ))
        .header("Origin", "https://portal.example")
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", s.sim.args.client_id.as_str()),
            ("code", q["code"].as_str()),
            ("redirect_uri", &format!("{}/", s.url())),
            ("code_verifier", common::VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // The browser must be able to read it: the token endpoint's CORS headers are on it.
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let body: Value = resp.json().await.unwrap();
    assert_entra_body(&body, "invalid_request", 9002326);
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("Request origin: 'https://portal.example'"));
    s.stop().await;
}

#[tokio::test]
async fn renewals_fail_with_the_spa_lifetime_and_the_mfa_codes() {
    let s = start(&[]).await;
    let first = sign_in(&s, 0, SCOPE).await;
    let rt = first["refresh_token"].as_str().unwrap();
    let client_id = s.sim.args.client_id.clone();
    let refresh = [
        ("grant_type", "refresh_token"),
        ("client_id", client_id.as_str()),
        ("refresh_token", rt),
        ("scope", SCOPE),
    ];
    for (code, error) in [
        (700084, "invalid_grant"),
        (50076, "interaction_required"),
        (50079, "invalid_grant"),
    ] {
        fault(&s, json!({ "aadsts": code })).await;
        let (st, body) = token(&s, &refresh).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        assert_entra_body(&body, error, code);
    }
    // Faults spent, the refresh token still works (the faults answered before the grant).
    let (st, _) = token(&s, &refresh).await;
    assert_eq!(st, StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn the_mfa_answer_can_meet_the_code_redemption_too() {
    let s = start(&[]).await;
    let q = authorize(&s, Some(0), Some((CHALLENGE, "S256")), SCOPE).await;
    fault(&s, json!({ "aadsts": 50076 })).await;
    let (st, body) = redeem(&s, &q["code"], common::VERIFIER).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_entra_body(&body, "interaction_required", 50076);
    s.stop().await;
}

#[tokio::test]
async fn an_aadsts_fault_is_refused_when_unknown_or_mixed_with_another_answer() {
    let s = start(&[]).await;
    assert_eq!(
        fault(&s, json!({ "aadsts": 12345 })).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        fault(&s, json!({ "aadsts": 50011, "status": 500 })).await,
        StatusCode::BAD_REQUEST
    );
    // An API request is never taken by an Entra fault.
    fault(&s, json!({ "aadsts": 9002326 })).await;
    let t = common::control_token(&s).await;
    let list = http()
        .get(format!("{}/api/libraryfiles", s.url()))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    s.stop().await;
}
