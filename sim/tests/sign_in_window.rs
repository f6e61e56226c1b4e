//! What a sign-in popup meets, as the simulator serves it (`shared/api-facts.md`): Entra ID's
//! `Cross-Origin-Opener-Policy` on its sign-in pages, a redirect page without one, and the
//! embedding examples on another site than the panel (storage is partitioned by site).

mod common;
use common::{http, request_id, start, CHALLENGE};

use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY};
use reqwest::StatusCode;
use serde_json::Value;

const COOP: &str = "cross-origin-opener-policy";
const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/portal");

/// A built app of one page.
fn dist() -> (tempfile::TempDir, &'static str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>app</title>",
    )
    .unwrap();
    let path: &'static str = Box::leak(dir.path().to_str().unwrap().to_string().into_boxed_str());
    (dir, path)
}

fn authorize_query(s: &mde_sim::Running) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", s.sim.args.client_id.clone()),
        ("response_type", "code".into()),
        ("redirect_uri", format!("{}/", s.url())),
        ("scope", "openid".into()),
        ("state", "popup.st".into()),
        ("nonce", "n".into()),
        ("code_challenge", CHALLENGE.into()),
        ("code_challenge_method", "S256".into()),
    ]
}

#[tokio::test]
async fn the_sign_in_pages_send_coop_as_entra_does_and_the_redirect_page_does_not() {
    let (_dir, dist) = dist();
    let s = start(&["--dist", dist]).await;
    let c = http();
    let tenant = s.sim.args.tenant.clone();
    let authorize = format!("{}/{tenant}/oauth2/v2.0/authorize", s.url());
    let page = c
        .get(&authorize)
        .query(&authorize_query(&s))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[COOP], "same-origin");
    let html = page.text().await.unwrap();
    let id = request_id(&html);
    // The account picker's answer, and an error page, too.
    let answer = c
        .post(&authorize)
        .form(&[("request", id.as_str()), ("account", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(answer.headers()[COOP], "same-origin");
    let error = c.get(&authorize).send().await.unwrap();
    assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error.headers()[COOP], "same-origin");
    // Discovery and the token endpoint are fetched, not navigated to: no COOP there.
    let disc = c
        .get(format!(
            "{}/{tenant}/v2.0/.well-known/openid-configuration",
            s.url()
        ))
        .send()
        .await
        .unwrap();
    assert!(disc.headers().get(COOP).is_none());

    // The redirect URI (the panel's page) hands the answer back over a BroadcastChannel: it
    // must not be isolated itself, and must never come from a cache.
    let back = c
        .get(format!("{}/?code=x&state=popup.st", s.url()))
        .send()
        .await
        .unwrap();
    assert!(back.headers().get(COOP).is_none());
    assert_eq!(back.headers()[CACHE_CONTROL], "no-store");
    s.stop().await;

    // --no-coop, for comparison.
    let s = start(&["--no-coop"]).await;
    let page = http()
        .get(format!(
            "{}/{}/oauth2/v2.0/authorize",
            s.url(),
            s.sim.args.tenant
        ))
        .query(&authorize_query(&s))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get(COOP).is_none());
    s.stop().await;
}

#[tokio::test]
async fn the_examples_are_served_same_site_and_on_another_site() {
    let (_dir, dist) = dist();
    let s = start(&[
        "--examples-port",
        "0",
        "--examples-dir",
        EXAMPLES,
        "--dist",
        dist,
    ])
    .await;
    let c = http();
    let same = s.examples_url().unwrap();
    let cross = s
        .examples_cross_site_url()
        .expect("a cross-site examples origin");
    let port = same.rsplit(':').next().unwrap().to_string();
    assert_eq!(cross, format!("http://localhost:{port}"));
    assert!(same.starts_with("http://127.0.0.1:"));

    // Both may frame the panel.
    let page = c.get(format!("{}/", s.url())).send().await.unwrap();
    let csp = page.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.ends_with(&format!("frame-ancestors 'self' {same} {cross}")),
        "{csp}"
    );

    // The page tells each origin its own bridge (whose hostOrigin is that origin). Asked as
    // localhost (the Host header), the cross-site one.
    let ask = |host: &str| {
        c.get(format!("{same}/example-config.json"))
            .header("Host", host)
            .send()
    };
    let cfg: Value = ask(&format!("127.0.0.1:{port}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["bridgePath"], "/bridge/");
    let cfg: Value = ask(&format!("localhost:{port}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["bridgePath"], "/bridge-x/");
    for (path, host) in [("/bridge/", &same), ("/bridge-x/", &cross)] {
        let cfg: Value = c
            .get(format!("{}{path}config.json", s.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(cfg["auth"]["hostOrigin"], host.as_str(), "{path}");
        let page = c.get(format!("{}{path}", s.url())).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
    }
    s.stop().await;
}
