//! The fault injection of `POST /_sim/faults`, over real HTTP on an ephemeral loopback port:
//! each fault does exactly what the end-to-end fault matrix relies on.

mod common;
use common::{control_token, http, start};

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use mde_sim::Running;
use reqwest::StatusCode;
use serde_json::{json, Value};

const LIST: &str = "/api/libraryfiles";
const TRIAGE: &str = "/api/libraryfiles/Collect-Triage.ps1";
const ORIGIN: &str = "https://portal.example";

async fn fault(s: &Running, f: Value) {
    let resp = http()
        .post(format!("{}/_sim/faults", s.url()))
        .json(&f)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "{f}");
}

async fn get(s: &Running, path: &str, t: &str) -> reqwest::Result<reqwest::Response> {
    http()
        .get(format!("{}{path}", s.url()))
        .bearer_auth(t)
        .header("Origin", ORIGIN)
        .send()
        .await
}

/// What arrives on a raw socket for one request: everything until the server closes.
/// The blocking socket runs on its own thread, so the simulator keeps serving meanwhile.
async fn raw_exchange(s: &Running, request: &str) -> std::io::Result<Vec<u8>> {
    let (addr, request) = (s.addr, request.to_string());
    tokio::task::spawn_blocking(move || {
        let mut sock = std::net::TcpStream::connect(addr)?;
        sock.set_read_timeout(Some(Duration::from_secs(10)))?;
        sock.write_all(request.as_bytes())?;
        let mut got = Vec::new();
        match sock.read_to_end(&mut got) {
            Ok(_) => Ok(got),
            // A reset after some bytes still shows what came before it.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Ok(got),
            Err(e) => Err(e),
        }
    })
    .await
    .expect("the socket thread ends")
}

fn raw_get(path: &str, t: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer {t}\r\nConnection: close\r\n\r\n"
    )
}

/// Splits a raw HTTP/1.1 answer into status line, lower-cased headers and body bytes.
fn split_answer(raw: &[u8]) -> (String, Vec<(String, String)>, Vec<u8>) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().to_string();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    (status, headers, raw[end + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn stall_holds_the_request_then_answers_passes_or_drops() {
    let s = start(&[]).await;
    let t = control_token(&s).await;
    // Then answers with the status.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "stallMs": 400, "status": 503}),
    )
    .await;
    let began = Instant::now();
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(began.elapsed() >= Duration::from_millis(400));
    // Nothing at all is sent while it stalls: a client giving up sooner sees no status.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "stallMs": 2000}),
    )
    .await;
    let err = http()
        .get(format!("{}{LIST}", s.url()))
        .bearer_auth(&t)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // Without a status, the real handler answers after the stall.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "delayMs": 300}),
    )
    .await;
    let began = Instant::now();
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(began.elapsed() >= Duration::from_millis(300));
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["value"].as_array().unwrap().len(), 20);
    // Then drops the connection without an answer.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "stallMs": 300, "reset": true}),
    )
    .await;
    let began = Instant::now();
    let raw = raw_exchange(&s, &raw_get(LIST, &t)).await.unwrap();
    assert_eq!(raw, b"", "no byte of an HTTP answer");
    assert!(began.elapsed() >= Duration::from_millis(300));
    s.stop().await;
}

#[tokio::test]
async fn reset_closes_the_connection_without_an_answer_and_changes_nothing() {
    let s = start(&[]).await;
    let t = control_token(&s).await;
    fault(
        &s,
        json!({"method": "DELETE", "pathPrefix": "/api/libraryfiles/", "reset": true}),
    )
    .await;
    let raw = raw_exchange(
        &s,
        &format!(
            "DELETE {TRIAGE} HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer {t}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await
    .unwrap();
    assert_eq!(raw, b"", "no byte of an HTTP answer");
    // An HTTP client reports it as a failed request, not as a status.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "reset": true}),
    )
    .await;
    let err = get(&s, LIST, &t).await.unwrap_err();
    assert!(err.status().is_none() && err.is_request(), "{err:?}");
    // The file is still there: the handler never ran.
    let files: Value = http()
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
async fn truncated_declares_the_whole_length_and_sends_half() {
    let s = start(&[]).await;
    let t = control_token(&s).await;
    let whole = get(&s, LIST, &t).await.unwrap().bytes().await.unwrap();
    // The real handler's answer, cut.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "truncated": true}),
    )
    .await;
    let raw = raw_exchange(&s, &raw_get(LIST, &t)).await.unwrap();
    let (status, headers, body) = split_answer(&raw);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(
        header(&headers, "content-length"),
        Some(whole.len().to_string().as_str())
    );
    assert_eq!(body, whole[..whole.len() / 2].to_vec());
    // A fault's own answer, cut; an HTTP client's body read fails.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "status": 200, "truncated": true,
            "body": {"value": []}}),
    )
    .await;
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN);
    let err = resp.bytes().await.unwrap_err();
    assert!(err.is_body() || err.is_decode(), "{err:?}");
    // An empty answer is declared as 64 bytes, so something is still missing.
    fault(
        &s,
        json!({"method": "DELETE", "pathPrefix": "/api/libraryfiles/", "status": 200, "truncated": true}),
    )
    .await;
    let raw = raw_exchange(
        &s,
        &format!("DELETE {TRIAGE} HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer {t}\r\nConnection: close\r\n\r\n"),
    )
    .await
    .unwrap();
    let (status, headers, body) = split_answer(&raw);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&headers, "content-length"), Some("64"));
    assert_eq!(body, b"");
    s.stop().await;
}

#[tokio::test]
async fn oversize_bytes_sends_exactly_that_many_bytes_of_json() {
    let s = start(&[]).await;
    let t = control_token(&s).await;
    let ten_mb = 10 * 1024 * 1024;
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "status": 200, "oversizeBytes": ten_mb}),
    )
    .await;
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN);
    let body = resp.bytes().await.unwrap();
    assert_eq!(body.len(), ten_mb);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 1);
    assert_eq!(v["padding"].as_str().unwrap().len(), ten_mb - 14);
    assert_eq!(mde_sim::faults::oversize_body(5), b"xxxxx");
    assert_eq!(mde_sim::faults::oversize_body(14), br#"{"padding":""}"#);
    s.stop().await;
}

#[tokio::test]
async fn endless_sends_json_without_a_length_for_as_long_as_it_is_read() {
    let s = start(&[]).await;
    let t = control_token(&s).await;
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "status": 200, "endless": true}),
    )
    .await;
    let mut resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get("content-length"), None);
    assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN);
    let mut read = Vec::new();
    while read.len() < 3 * 1024 * 1024 {
        read.extend_from_slice(&resp.chunk().await.unwrap().expect("the body goes on"));
    }
    assert!(read.starts_with(br#"{"padding":"xxx"#));
    assert!(read[12..].iter().all(|b| *b == b'x'));
    drop(resp);
    // Dropping the reader ends it; the next list is answered normally.
    assert_eq!(get(&s, LIST, &t).await.unwrap().status(), StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn html_pages_for_gateway_errors() {
    let s = start(&[]).await;
    let t = control_token(&s).await;
    for (status, title) in [
        (502, "502 Bad Gateway"),
        (503, "503 Service Unavailable"),
        (504, "504 Gateway Timeout"),
    ] {
        fault(
            &s,
            json!({"method": "GET", "pathPrefix": LIST, "status": status, "html": true}),
        )
        .await;
        let resp = get(&s, LIST, &t).await.unwrap();
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
        assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN);
        let body = resp.text().await.unwrap();
        assert!(body.starts_with("<!DOCTYPE html>"), "{body}");
        assert!(body.contains(&format!("<title>{title}</title>")), "{body}");
    }
    // Any body string with any content type.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "status": 200,
            "body": "<html>Sign in to the proxy</html>", "contentType": "text/html"}),
    )
    .await;
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/html");
    assert_eq!(
        resp.text().await.unwrap(),
        "<html>Sign in to the proxy</html>"
    );
    s.stop().await;
}

#[tokio::test]
async fn retry_after_is_sent_verbatim_whatever_it_says() {
    let s = start(&[]).await;
    let t = control_token(&s).await;
    for (given, sent) in [
        (json!("2"), "2"),
        (json!(7), "7"),
        (
            json!("99999999999999999999999999"),
            "99999999999999999999999999",
        ),
        (
            json!("Wed, 21 Oct 2015 07:28:00 GMT"),
            "Wed, 21 Oct 2015 07:28:00 GMT",
        ),
        (json!("soon, maybe"), "soon, maybe"),
        (json!("-3"), "-3"),
        (json!(""), ""),
    ] {
        fault(
            &s,
            json!({"method": "GET", "pathPrefix": LIST, "status": 429, "retryAfter": given}),
        )
        .await;
        let resp = get(&s, LIST, &t).await.unwrap();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], sent, "{given}");
        assert!(resp.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("retry-after"));
    }
    // Bytes beyond ASCII go out as they are.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "status": 429, "retryAfter": "bientôt"}),
    )
    .await;
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(
        resp.headers()["retry-after"].as_bytes(),
        "bientôt".as_bytes()
    );
    // A value no header can carry is refused when the fault is set, not dropped later.
    for bad in [
        json!({"status": 429, "retryAfter": "1\r\nx-injected: 1"}),
        json!({"status": 429, "contentType": "text/html\n"}),
        json!({"status": 1000}),
        json!({"status": 500, "reset": true}),
        json!({"status": 500, "html": true, "oversizeBytes": 10}),
        json!({"endless": true}),
        json!({"status": 200, "endless": true, "truncated": true}),
    ] {
        let resp = http()
            .post(format!("{}/_sim/faults", s.url()))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(!resp.text().await.unwrap().is_empty());
    }
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "no refused fault was kept");
    s.stop().await;
}

#[tokio::test]
async fn no_cors_refuses_one_answer_and_one_preflight() {
    let s = start(&[]).await;
    let t = control_token(&s).await;
    // The real handler runs (the file is deleted) but the browser may not read the answer.
    fault(
        &s,
        json!({"method": "DELETE", "pathPrefix": "/api/libraryfiles/", "noCors": true}),
    )
    .await;
    let resp = http()
        .delete(format!("{}{TRIAGE}", s.url()))
        .bearer_auth(&t)
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let cors: Vec<_> = resp
        .headers()
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-"))
        .collect();
    assert_eq!(cors, Vec::<&reqwest::header::HeaderName>::new());
    let files: Value = http()
        .get(format!("{}/_sim/files", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(files.as_array().unwrap().len(), 19);
    // With a status: the fault's answer, without CORS headers; the next one has them.
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "status": 502, "html": true, "noCors": true}),
    )
    .await;
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let resp = get(&s, LIST, &t).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN);
    // A preflight refused: no CORS headers on the OPTIONS answer; the next one is allowed.
    fault(
        &s,
        json!({"method": "OPTIONS", "pathPrefix": "/api/libraryfiles/", "noCors": true}),
    )
    .await;
    let preflight = || {
        http()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/libraryfiles/x.ps1", s.url()),
            )
            .header("Origin", ORIGIN)
            .header("Access-Control-Request-Method", "DELETE")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let resp = preflight().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let resp = preflight().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], ORIGIN);
    // The token endpoint (CORS for any origin) too.
    let tenant = s.sim.args.tenant.clone();
    let client_id = s.sim.args.client_id.clone();
    let token_path = format!("/{tenant}/oauth2/v2.0/token");
    fault(
        &s,
        json!({"method": "POST", "pathPrefix": token_path, "noCors": true, "status": 400,
            "body": {"error": "invalid_grant"}}),
    )
    .await;
    let post = || {
        http()
            .post(format!("{}{token_path}", s.url()))
            .header("Origin", ORIGIN)
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", client_id.as_str()),
                ("refresh_token", "x"),
            ])
            .send()
    };
    let resp = post().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let resp = post().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    s.stop().await;
}

#[tokio::test]
async fn query_contains_fails_a_later_page_only() {
    let s = start(&["--page-size", "8"]).await;
    let t = control_token(&s).await;
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": LIST, "queryContains": "$skip=8", "status": 500}),
    )
    .await;
    assert_eq!(get(&s, LIST, &t).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        get(&s, &format!("{LIST}?$skip=16"), &t)
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // Percent-encoded as a browser might send it, still matched.
    assert_eq!(
        get(&s, &format!("{LIST}?%24skip=8"), &t)
            .await
            .unwrap()
            .status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        get(&s, &format!("{LIST}?$skip=8"), &t)
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "spent"
    );
    s.stop().await;
}

#[tokio::test]
async fn faults_reach_discovery_token_and_authorize() {
    let s = start(&[]).await;
    let tenant = s.sim.args.tenant.clone();
    let c = http();
    // Discovery: reset.
    let discovery = format!("/{tenant}/v2.0/.well-known/openid-configuration");
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": discovery, "reset": true}),
    )
    .await;
    let err = c
        .get(format!("{}{discovery}", s.url()))
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none() && err.is_request(), "{err:?}");
    let ok = c
        .get(format!("{}{discovery}", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    // Token endpoint: an HTML 504 behind the token endpoint's CORS headers.
    let token_path = format!("/{tenant}/oauth2/v2.0/token");
    fault(
        &s,
        json!({"method": "POST", "pathPrefix": token_path, "status": 504, "html": true}),
    )
    .await;
    let resp = c
        .post(format!("{}{token_path}", s.url()))
        .header("Origin", ORIGIN)
        .form(&[("grant_type", "authorization_code")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("<title>504 Gateway Timeout</title>"));
    // Authorize (a navigation): the account picker answers 503 once.
    let authorize = format!("/{tenant}/oauth2/v2.0/authorize");
    fault(
        &s,
        json!({"method": "GET", "pathPrefix": authorize, "status": 503, "html": true}),
    )
    .await;
    let resp = c
        .get(format!("{}{authorize}", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    let resp = c
        .get(format!("{}{authorize}", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "the real page: no client_id"
    );
    s.stop().await;
}
