//! Conformance of the simulator to what is known of the real API (`api-facts.md` in the
//! `shared/` folder beside the checkout, not in the repository) and of Entra ID's sign-in, over
//! real HTTP on an ephemeral loopback port.

mod common;
use common::{
    admin_token, authorize, http, redeem, sign_in, start, token, CHALLENGE, SCOPE, VERIFIER,
};

use mde_sim::tokens::{AccessClaims, API_AUDIENCE};
use mde_sim::{spawn, Args, Running};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A seeded file the tests delete.
const TRIAGE: &str = "/api/libraryfiles/Collect-Triage.ps1";
async fn call(
    s: &Running,
    method: &str,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut req = http().request(method.parse().unwrap(), format!("{}{path}", s.url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

async fn status(s: &Running, method: &str, path: &str, token: Option<&str>) -> StatusCode {
    call(s, method, path, token).await.0
}

fn assert_error_body(body: &str, code: &str) {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["error"]["code"], code, "{body}");
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    let target = v["error"]["target"].as_str().unwrap();
    assert!(uuid_like(target), "target is a GUID: {target}");
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|&c| c == '-').count() == 4
}

#[tokio::test]
async fn list_returns_the_documented_envelope_on_both_prefixes() {
    let s = start(&[]).await;
    let t = admin_token(&s).await;
    for prefix in ["/api", "/api/v1.0"] {
        let (status, _, body) = call(&s, "GET", &format!("{prefix}/libraryfiles"), Some(&t)).await;
        assert_eq!(status, StatusCode::OK);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/api/$metadata#LibraryFiles"));
        let files = v["value"].as_array().unwrap();
        assert_eq!(files.len(), 20);
        assert!(
            files.iter().any(|f| f["description"].is_null()),
            "a null description"
        );
        assert!(
            files
                .iter()
                .any(|f| f.get("parametersDescription").is_none()),
            "an absent parametersDescription"
        );
        for f in files {
            let sha = f["sha256"].as_str().unwrap();
            assert!(
                sha.len() == 64
                    && sha
                        .chars()
                        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            );
            let t = f["creationTime"].as_str().unwrap();
            assert_eq!(t.len(), "2019-10-24T10:54:23.2009016Z".len(), "{t}");
            for k in ["id", "size", "lastUpdatedBy"] {
                assert!(f.get(k).is_none(), "undocumented field {k}");
            }
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn delete_is_204_then_404_and_decodes_one_segment() {
    let s = start(&[]).await;
    let t = admin_token(&s).await;
    let (st, _, body) = call(&s, "DELETE", TRIAGE, Some(&t)).await;
    assert_eq!((st, body.as_str()), (StatusCode::NO_CONTENT, ""));
    let (st, _, body) = call(&s, "DELETE", TRIAGE, Some(&t)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error_body(&body, "NotFound");

    // A name the real API would refuse, added behind the app's back, still goes by its encoding.
    let odd = "a b#c%d?e/é.ps1";
    let added = http()
        .post(format!("{}/_sim/files", s.url()))
        .json(&json!({"fileName": odd, "sha256": "00", "description": null,
            "creationTime": "2026-01-01T00:00:00.0000000Z", "lastUpdatedTime": "2026-01-01T00:00:00.0000000Z",
            "createdBy": "x", "hasParameters": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::NO_CONTENT);
    let encoded = "/api/libraryfiles/a%20b%23c%25d%3Fe%2F%C3%A9.ps1";
    let (st, _, _) = call(&s, "DELETE", encoded, Some(&t)).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let log: Value = http()
        .get(format!("{}/_sim/requests", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "DELETE" && r["path"] == encoded)
        .expect("raw path logged");
    assert_eq!(entry["bearer"], true);
    assert!(!log.to_string().contains(&t), "the log never holds a token");
    s.stop().await;
}

fn upload_form(
    name: &str,
    content: Vec<u8>,
    extra: &[(&'static str, &'static str)],
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(content).file_name(name.to_string()),
    );
    for (k, v) in extra {
        form = form.text(*k, *v);
    }
    form
}

async fn upload(s: &Running, t: &str, form: reqwest::multipart::Form) -> (StatusCode, Value) {
    let resp = http()
        .post(format!("{}/api/libraryfiles", s.url()))
        .bearer_auth(t)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let st = resp.status();
    (st, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn upload_follows_the_documented_rules() {
    let s = start(&[]).await;
    let t = admin_token(&s).await;
    let (st, v) = upload(
        &s,
        &t,
        upload_form(
            "new.ps1",
            b"Write-Host hi".to_vec(),
            &[
                ("Description", "d"),
                ("HasParameters", "true"),
                ("ParametersDescription", "-X"),
            ],
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("#LibraryFiles/$entity"));
    assert_eq!(v["fileName"], "new.ps1");
    assert_eq!(v["hasParameters"], true);
    assert_eq!(v["createdBy"], "Ada Admin");
    let first_created = v["creationTime"].clone();

    let (st, v) = upload(&s, &t, upload_form("new.ps1", b"other".to_vec(), &[])).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already exists"));

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (st, v) = upload(
        &s,
        &t,
        upload_form(
            "new.ps1",
            b"other".to_vec(),
            &[("OverrideIfExists", "true")],
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        v["creationTime"], first_created,
        "override keeps creationTime"
    );
    assert_ne!(v["lastUpdatedTime"], first_created);
    assert_eq!(v["hasParameters"], false, "not inferred");

    let (st, v) = upload(&s, &t, upload_form("bad name.ps1", b"x".to_vec(), &[])).await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidInput"))
    );
    let (st, v) = upload(
        &s,
        &t,
        upload_form("ok.ps1", b"x".to_vec(), &[("HasParameters", "maybe")]),
    )
    .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidInput"))
    );
    let (st, v) = upload(
        &s,
        &t,
        reqwest::multipart::Form::new().text("Description", "no file"),
    )
    .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("MissingRequiredParameter"))
    );
    let (st, v) = upload(
        &s,
        &t,
        upload_form("big.bin", vec![0u8; mde_wire::MAX_UPLOAD_BYTES + 1], &[]),
    )
    .await;
    assert_eq!(
        (st, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InvalidInput"))
    );
    // Malformed multipart: a boundary that never appears.
    let resp = http()
        .post(format!("{}/api/libraryfiles", s.url()))
        .bearer_auth(&t)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_error_body(&resp.text().await.unwrap(), "InvalidRequestBody");
    s.stop().await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_and_keeps_refusing() {
    let s = start(&["--per-minute", "3", "--per-hour", "50"]).await;
    let t = admin_token(&s).await;
    for _ in 0..3 {
        assert_eq!(
            status(&s, "GET", "/api/libraryfiles", Some(&t)).await,
            StatusCode::OK
        );
    }
    for _ in 0..2 {
        let (st, h, body) = call(&s, "GET", "/api/libraryfiles", Some(&t)).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
        let ra: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
        // The oldest of the three calls leaves the minute window in just under 60 s.
        assert!((55..=60).contains(&ra), "{ra}");
        assert_error_body(&body, "TooManyRequests");
    }
    s.stop().await;
}

#[tokio::test]
async fn hourly_limit_is_separate_from_the_minute() {
    let s = start(&["--per-minute", "100", "--per-hour", "2"]).await;
    let t = admin_token(&s).await;
    call(&s, "GET", "/api/libraryfiles", Some(&t)).await;
    call(&s, "GET", "/api/libraryfiles", Some(&t)).await;
    let (st, h, _) = call(&s, "GET", "/api/libraryfiles", Some(&t)).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    let ra: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        (3540..=3600).contains(&ra),
        "waits for the hour window: {ra}"
    );
    s.stop().await;
}

#[tokio::test]
async fn cors_preflight_allows_authorization_and_delete_and_can_be_off() {
    let s = start(&[]).await;
    let resp = http()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/libraryfiles/x.ps1", s.url()),
        )
        .header("Origin", "https://portal.example")
        .header("Access-Control-Request-Method", "DELETE")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], "https://portal.example");
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("DELETE"));
    assert!(h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("authorization"));
    let resp = http()
        .get(format!("{}/api/libraryfiles", s.url()))
        .header("Origin", "https://portal.example")
        .send()
        .await
        .unwrap();
    assert!(resp.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("retry-after"));
    s.stop().await;

    let off = start(&["--no-cors"]).await;
    let resp = http()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/libraryfiles/x.ps1", off.url()),
        )
        .header("Origin", "https://portal.example")
        .header("Access-Control-Request-Method", "DELETE")
        .send()
        .await
        .unwrap();
    // No CORS layer: the preflight reaches the API, which has no OPTIONS.
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    off.stop().await;
}

fn claims(s: &Running, aud: &str, exp_in: i64, scp: &str, oid: &str) -> AccessClaims {
    let now = mde_sim::util::now_s();
    AccessClaims {
        aud: aud.into(),
        iss: "x".into(),
        iat: now,
        nbf: now,
        exp: (now as i64 + exp_in) as u64,
        tid: s.sim.args.tenant.clone(),
        azp: s.sim.args.client_id.clone(),
        appid: s.sim.args.client_id.clone(),
        oid: oid.into(),
        name: "n".into(),
        upn: "u".into(),
        scp: scp.into(),
    }
}

#[tokio::test]
async fn bearer_checks_refuse_bad_tokens() {
    let s = start(&[]).await;
    let admin = mde_sim::state::ACCOUNTS[0].oid;
    let good = s
        .sim
        .keys
        .sign(&claims(&s, API_AUDIENCE, 60, "Library.Manage", admin));
    assert_eq!(
        status(&s, "GET", "/api/libraryfiles", Some(&good)).await,
        StatusCode::OK
    );

    let (st, _, body) = call(&s, "GET", "/api/libraryfiles", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error_body(&body, "Unauthorized");

    let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
    let sig = &mut parts[2];
    let i = sig.len() / 2;
    let flipped = if &sig[i..i + 1] == "A" { "B" } else { "A" };
    sig.replace_range(i..i + 1, flipped);
    let tampered = parts.join(".");
    let wrong_aud = s.sim.keys.sign(&claims(
        &s,
        "https://graph.microsoft.com",
        60,
        "Library.Manage",
        admin,
    ));
    let expired = s
        .sim
        .keys
        .sign(&claims(&s, API_AUDIENCE, -5, "Library.Manage", admin));
    for (what, t) in [
        ("signature", tampered),
        ("audience", wrong_aud),
        ("expiry", expired),
        ("garbage", "abc".into()),
    ] {
        let (st, _, body) = call(&s, "GET", "/api/libraryfiles", Some(&t)).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{what}");
        assert_error_body(&body, "Unauthorized");
    }

    let no_scope = s
        .sim
        .keys
        .sign(&claims(&s, API_AUDIENCE, 60, "Machine.Read", admin));
    let (st, _, body) = call(&s, "DELETE", TRIAGE, Some(&no_scope)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_error_body(&body, "Forbidden");
    assert!(body.contains("Library.Manage"), "{body}");
    s.stop().await;
}

#[tokio::test]
async fn reader_without_the_defender_role_gets_403_even_with_the_scope() {
    let s = start(&[]).await;
    let body = sign_in(&s, 1, SCOPE).await;
    assert!(body["scope"].as_str().unwrap().contains("Library.Manage"));
    let t = body["access_token"].as_str().unwrap();
    assert_eq!(
        status(&s, "GET", "/api/libraryfiles", Some(t)).await,
        StatusCode::OK,
        "may read"
    );
    let (st, _, body) = call(&s, "DELETE", TRIAGE, Some(t)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_error_body(&body, "Forbidden");
    assert!(body.contains("role"), "{body}");
    // Asking for a token without the API scope gives one that lacks Library.Manage.
    let body = sign_in(
        &s,
        0,
        "openid profile offline_access https://api.securitycenter.microsoft.com/Machine.Read",
    )
    .await;
    let (st, _, body) = call(
        &s,
        "GET",
        "/api/libraryfiles",
        body["access_token"].as_str(),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_error_body(&body, "Forbidden");
    assert!(body.contains("Library.Manage"), "{body}");
    s.stop().await;
}

#[tokio::test]
async fn access_tokens_expire() {
    let s = start(&["--access-token-lifetime", "1"]).await;
    let t = admin_token(&s).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (st, _, body) = call(&s, "GET", "/api/libraryfiles", Some(&t)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error_body(&body, "Unauthorized");
    s.stop().await;
}

#[tokio::test]
async fn discovery_and_jwks_look_like_entra() {
    let s = start(&[]).await;
    let tenant = s.sim.args.tenant.clone();
    let d: Value = http()
        .get(format!(
            "{}/{tenant}/v2.0/.well-known/openid-configuration",
            s.url()
        ))
        .header("Origin", "http://elsewhere.example")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["issuer"], format!("{}/{tenant}/v2.0", s.url()));
    assert!(d["token_endpoint"]
        .as_str()
        .unwrap()
        .ends_with("/oauth2/v2.0/token"));
    assert!(d["code_challenge_methods_supported"]
        .to_string()
        .contains("S256"));
    let jwks: Value = http()
        .get(d["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    let body = sign_in(&s, 0, SCOPE).await;
    for k in [
        "access_token",
        "refresh_token",
        "id_token",
        "scope",
        "expires_in",
    ] {
        assert!(body.get(k).is_some(), "{k}");
    }
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let unknown = http()
        .get(format!(
            "{}/not-a-tenant/v2.0/.well-known/openid-configuration",
            s.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    s.stop().await;
}

#[tokio::test]
async fn authorize_deny_and_bad_clients() {
    let s = start(&["--send-iss"]).await;
    let q = authorize(&s, None, Some((CHALLENGE, "S256")), SCOPE).await;
    assert_eq!(q["error"], "access_denied");
    assert!(q["error_description"].starts_with("AADSTS65004"));
    assert_eq!(q["state"], "st-1");
    assert_eq!(q["iss"], s.sim.authority());
    let q = authorize(&s, Some(0), Some((CHALLENGE, "S256")), SCOPE).await;
    assert_eq!(q["iss"], s.sim.authority(), "RFC 9207 iss on success too");

    let tenant = &s.sim.args.tenant;
    for (client, redirect) in [
        ("wrong-client", format!("{}/", s.url())),
        (
            s.sim.args.client_id.as_str(),
            "https://evil.example/".into(),
        ),
    ] {
        let resp = http()
            .get(format!("{}/{tenant}/oauth2/v2.0/authorize", s.url()))
            .query(&[
                ("client_id", client),
                ("response_type", "code"),
                ("redirect_uri", &redirect),
                ("state", "s"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::BAD_REQUEST,
            "no redirect to an unregistered target"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn pkce_is_enforced() {
    let s = start(&[]).await;
    // No challenge at all.
    let q = authorize(&s, Some(0), None, SCOPE).await;
    let (st, body) = redeem(&s, &q["code"], VERIFIER).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_codes"][0], 9002325, "{body}");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS9002325:"));
    for k in ["trace_id", "correlation_id", "timestamp"] {
        assert!(body.get(k).is_some(), "{k}");
    }
    // `plain` is refused.
    let q = authorize(&s, Some(0), Some((VERIFIER, "plain")), SCOPE).await;
    let (st, body) = redeem(&s, &q["code"], VERIFIER).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    assert_eq!(body["error_codes"][0], 9002325, "{body}");
    // Wrong verifier, then the (burnt) code again.
    let q = authorize(&s, Some(0), Some((CHALLENGE, "S256")), SCOPE).await;
    let (st, body) = redeem(
        &s,
        &q["code"],
        "not-the-verifier-not-the-verifier-not-the-v",
    )
    .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert_eq!(body["error_codes"][0], 501481);
    let (_, body) = redeem(&s, &q["code"], VERIFIER).await;
    assert_eq!(body["error_codes"][0], 54005, "codes are single use");
    // Missing verifier.
    let q = authorize(&s, Some(0), Some((CHALLENGE, "S256")), SCOPE).await;
    let redirect = format!("{}/", s.url());
    let client_id = s.sim.args.client_id.clone();
    let (st, body) = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &q["code"]),
            ("redirect_uri", &redirect),
        ],
    )
    .await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    s.stop().await;
}

async fn refresh(s: &Running, rt: &str) -> (StatusCode, Value) {
    let client_id = s.sim.args.client_id.clone();
    token(
        s,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", rt),
            ("scope", SCOPE),
        ],
    )
    .await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_grant() {
    let s = start(&[]).await;
    let first = sign_in(&s, 0, SCOPE).await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    let (st, second) = refresh(&s, rt1).await;
    assert_eq!(st, StatusCode::OK, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2, "rotated");
    assert_eq!(
        status(
            &s,
            "GET",
            "/api/libraryfiles",
            second["access_token"].as_str()
        )
        .await,
        StatusCode::OK
    );
    let (st, body) = refresh(&s, rt1).await;
    assert_eq!(
        (st, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (_, body) = refresh(&s, &rt2).await;
    assert_eq!(
        body["error"], "invalid_grant",
        "the whole grant was revoked"
    );
    s.stop().await;
}

#[tokio::test]
async fn refresh_tokens_expire_like_spa_ones() {
    let s = start(&["--refresh-token-lifetime", "1"]).await;
    let first = sign_in(&s, 0, SCOPE).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (st, body) = refresh(&s, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_codes"][0], 700084);
    s.stop().await;
}

#[tokio::test]
async fn library_persists_across_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path: &'static str = Box::leak(dir.path().to_str().unwrap().to_string().into_boxed_str());
    let s = start(&["--data-dir", path]).await;
    let t = admin_token(&s).await;
    assert_eq!(
        status(&s, "DELETE", TRIAGE, Some(&t)).await,
        StatusCode::NO_CONTENT
    );
    s.stop().await;
    assert!(dir.path().join("library.json").exists());
    assert!(!dir.path().join("library.json.tmp").exists());
    let s = start(&["--data-dir", path]).await;
    let t = admin_token(&s).await;
    let (_, _, body) = call(&s, "GET", "/api/libraryfiles", Some(&t)).await;
    assert!(!body.contains("Collect-Triage.ps1"));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["value"]
            .as_array()
            .unwrap()
            .len(),
        19
    );
    s.stop().await;
}

#[tokio::test]
async fn faults_are_injected_and_reset_restores_the_seed() {
    let s = start(&[]).await;
    let t = admin_token(&s).await;
    let c = http();
    let injected =
        json!({"error": {"code": "TooManyRequests", "message": "slow down", "target": "t"}});
    let added = c
        .post(format!("{}/_sim/faults", s.url()))
        .json(&json!({"method": "DELETE", "pathPrefix": "/api/libraryfiles/", "count": 1, "status": 429,
            "retryAfter": "2", "body": injected}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::NO_CONTENT);
    let (st, h, body) = call(&s, "DELETE", TRIAGE, Some(&t)).await;
    assert_eq!(
        (st, h["retry-after"].to_str().unwrap()),
        (StatusCode::TOO_MANY_REQUESTS, "2")
    );
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), injected);
    assert_eq!(
        status(&s, "DELETE", TRIAGE, Some(&t)).await,
        StatusCode::NO_CONTENT
    );
    // Injected answers pass through the same CORS layer as real ones.
    let added = c
        .post(format!("{}/_sim/faults", s.url()))
        .json(&json!({"method": "DELETE", "status": 503, "retryAfter": "7"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::NO_CONTENT);
    let resp = c
        .delete(format!("{}{TRIAGE}", s.url()))
        .bearer_auth(&t)
        .header("Origin", "https://portal.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], "https://portal.example");
    assert!(h["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("retry-after"));
    assert_eq!(h["retry-after"], "7");
    let reset = c
        .post(format!("{}/_sim/reset", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let files: Value = c
        .get(format!("{}/_sim/files", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(files.as_array().unwrap().len(), 20);
    s.stop().await;
}

#[tokio::test]
async fn control_surface_is_off_without_the_flag_and_app_config_points_here() {
    // A built app, so unknown paths would get the page if /_sim fell through to it.
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>app</title>",
    )
    .unwrap();
    let dist_path: &'static str =
        Box::leak(dist.path().to_str().unwrap().to_string().into_boxed_str());
    let s = spawn(Args::from_flags(["--port", "0", "--dist", dist_path]))
        .await
        .unwrap();
    let page = http().get(format!("{}/", s.url())).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        page.text().await.unwrap(),
        "<!doctype html><title>app</title>"
    );
    for path in ["/_sim/requests", "/_sim/", "/_sim"] {
        let resp = http()
            .get(format!("{}{path}", s.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(resp.text().await.unwrap(), "", "{path}");
    }
    let resp = http()
        .post(format!("{}/_sim/token", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "no tokens without a sign-in"
    );
    let cfg: Value = http()
        .get(format!("{}/config.json", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["apiBase"], s.url());
    assert_eq!(cfg["auth"]["mode"], "pkce");
    assert_eq!(cfg["auth"]["authority"], s.sim.authority());
    assert_eq!(cfg["rateLimit"]["perMinute"], 100);
    s.stop().await;
}

#[tokio::test]
async fn bad_seed_and_flags_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    std::fs::write(&seed, "{ not json").unwrap();
    let path: &'static str = Box::leak(seed.to_str().unwrap().to_string().into_boxed_str());
    let err = spawn(Args::from_flags(["--port", "0", "--seed", path]))
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("seed file") && err.to_string().contains("JSON"),
        "{err}"
    );
    let err = spawn(Args::from_flags(["--port", "0", "--per-minute", "0"]))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("--per-minute"), "{err}");
    let err = spawn(Args::from_flags(["--port", "0", "--window-seconds", "0"]))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("--window-seconds"), "{err}");
    assert!(Args::try_parse_from_flags(["--port", "not-a-port"]).is_err());
}

#[tokio::test]
async fn paging_is_optional_and_follows_skip() {
    let s = start(&["--page-size", "8"]).await;
    let t = admin_token(&s).await;
    let mut url = format!("{}/api/libraryfiles", s.url());
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let v: Value = http()
            .get(&url)
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        names.extend(
            v["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["fileName"].clone()),
        );
        match v["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!((pages, names.len()), (3, 20));
    let (st, _, body) = call(&s, "GET", "/api/libraryfiles?$skip=x", Some(&t)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_error_body(&body, "ODataError");
    s.stop().await;
}

#[tokio::test]
async fn control_token_is_what_an_admin_sign_in_gets() {
    let s = start(&[]).await;
    let resp = http()
        .post(format!("{}/_sim/token", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    let minted = body["accessToken"].as_str().unwrap().to_string();
    let got = s.sim.keys.verify_access(&minted).unwrap();
    let want = s.sim.keys.verify_access(&admin_token(&s).await).unwrap();
    // Everything but the timestamps, which differ by the time between the two calls.
    let fixed = |c: &AccessClaims| {
        (
            c.aud.clone(),
            c.iss.clone(),
            c.tid.clone(),
            c.azp.clone(),
            c.appid.clone(),
            c.oid.clone(),
            c.name.clone(),
            c.upn.clone(),
            c.scp.clone(),
            c.exp - c.iat,
        )
    };
    assert_eq!(fixed(&got), fixed(&want));
    assert_eq!(got.name, "Ada Admin");
    assert_eq!(
        status(&s, "GET", "/api/libraryfiles", Some(&minted)).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&s, "DELETE", TRIAGE, Some(&minted)).await,
        StatusCode::NO_CONTENT
    );
    s.stop().await;
}
