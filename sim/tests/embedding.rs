//! The embedding examples (`--examples-port`): the second origin's pages, settings and token
//! backend, and what the panel origin lets that origin do (frame the page, read the built
//! files, use the `/bridge/` page), over real HTTP on loopback ports.

mod common;
use common::{http, start};

use mde_sim::{spawn, Args, Running};
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The committed example pages, wherever the tests run from.
const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/portal");

/// A built app with the files the examples need: a page with an inline bootstrap script,
/// the module, the wasm, and the stable `embed.js` and `host-bridge.js`.
fn fake_dist() -> (tempfile::TempDir, &'static str) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("index.html"),
        "<!doctype html><title>app</title><script type=\"module\">import init from '/app-1.js'; init();</script>",
    )
    .unwrap();
    std::fs::write(p.join("app-1.js"), "export default function init() {}").unwrap();
    std::fs::write(p.join("app-1_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(p.join("embed.js"), "export function mount() {}").unwrap();
    std::fs::write(p.join("host-bridge.js"), "window.MdeLibraryAdmin = {};").unwrap();
    let path: &'static str = Box::leak(p.to_str().unwrap().to_string().into_boxed_str());
    (dir, path)
}

async fn with_examples(dist: &'static str) -> (Running, String) {
    let s = start(&[
        "--portal",
        "--examples-port",
        "0",
        "--examples-dir",
        EXAMPLES,
        "--dist",
        dist,
    ])
    .await;
    let examples = s.examples_url().expect("examples origin");
    (s, examples)
}

async fn token_for(examples: &str, body: Value) -> reqwest::Response {
    http()
        .post(format!("{examples}/token"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_examples_origin_serves_its_pages_settings_and_tokens() {
    let (_dist, dist) = fake_dist();
    let (s, examples) = with_examples(dist).await;
    assert_ne!(s.examples_addr.unwrap().port(), s.addr.port());
    assert_eq!(s.sim.examples_origin.as_deref(), Some(examples.as_str()));

    for path in [
        "/",
        "/index.html",
        "/iframe.html",
        "/iframe-signin.html",
        "/mount.html",
        "/portal.css",
        "/portal.js",
    ] {
        let r = http()
            .get(format!("{examples}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()[CACHE_CONTROL], "no-store", "{path}");
        let body = r.text().await.unwrap();
        if path.ends_with(".html") || path == "/" {
            assert!(body.contains("Contoso Security Portal"), "{path}");
        }
    }
    let r = http()
        .get(format!("{examples}/nope.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The panel origin's own surfaces are not on the examples origin.
    let r = http()
        .get(format!("{examples}/api/libraryfiles"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let cfg: Value = http()
        .get(format!("{examples}/example-config.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["panelOrigin"], s.url());
    assert_eq!(cfg["apiBase"], s.url());
    assert_eq!(
        cfg["rateLimit"],
        json!({"perMinute": 100, "perHour": 1500, "windowSeconds": 60})
    );
    assert_eq!(cfg["proxyPortal"], true);

    // The portal backend's tokens: each account's, signed like the token endpoint's.
    let admin = token_for(&examples, json!({"account": "admin"})).await;
    assert_eq!(admin.status(), StatusCode::OK);
    assert_eq!(admin.headers()[CACHE_CONTROL], "no-store");
    let admin: Value = admin.json().await.unwrap();
    let admin = admin["accessToken"].as_str().unwrap().to_string();
    let claims = s.sim.keys.verify_access(&admin).unwrap();
    assert_eq!(claims.name, "Ada Admin");
    assert_eq!(claims.azp, s.sim.args.client_id);
    assert_eq!(claims.scp, "Library.Manage");

    let reader = token_for(
        &examples,
        json!({"account": "reader", "forceRefresh": true}),
    )
    .await;
    assert_eq!(reader.status(), StatusCode::OK);
    let reader: Value = reader.json().await.unwrap();
    let reader = reader["accessToken"].as_str().unwrap().to_string();
    assert_eq!(
        s.sim.keys.verify_access(&reader).unwrap().name,
        "Riley Reader"
    );

    // Both work on the API, with their own roles.
    let list = format!("{}/api/libraryfiles", s.url());
    for t in [&admin, &reader] {
        let r = http().get(&list).bearer_auth(t).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = http()
        .delete(format!("{list}/mac_collect.sh"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = token_for(&examples, json!({"account": "mallory"})).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = http()
        .post(format!("{examples}/token"))
        .body("account=admin")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());

    // Only tokens handed out count, and the control surface reports them.
    let counts = |s: &Running| {
        let url = format!("{}/_sim/portal-token-requests", s.url());
        async move {
            http()
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(counts(&s).await, json!({"total": 2, "forceRefresh": 1}));
    token_for(&examples, json!({"account": "admin", "forceRefresh": true})).await;
    token_for(
        &examples,
        json!({"account": "admin", "forceRefresh": false}),
    )
    .await;
    assert_eq!(counts(&s).await, json!({"total": 4, "forceRefresh": 2}));
    let r = http()
        .delete(format!("{}/_sim/portal-token-requests", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(counts(&s).await, json!({"total": 0, "forceRefresh": 0}));
    token_for(
        &examples,
        json!({"account": "reader", "forceRefresh": true}),
    )
    .await;
    http()
        .post(format!("{}/_sim/reset", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(counts(&s).await, json!({"total": 0, "forceRefresh": 0}));

    // Other origins cannot get a token: the JSON body needs a preflight, which gets no CORS.
    let r = http()
        .request(reqwest::Method::OPTIONS, format!("{examples}/token"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    s.stop().await;
}

#[tokio::test]
async fn the_panel_origin_lets_the_examples_frame_it_and_read_its_files() {
    let (_dist, dist) = fake_dist();
    let (s, examples) = with_examples(dist).await;
    let c = http();

    let page = c.get(format!("{}/", s.url())).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.ends_with(&format!(
            "frame-ancestors 'self' {examples} {}",
            s.examples_cross_site_url().unwrap()
        )),
        "{csp}"
    );
    assert!(page.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let html = page.text().await.unwrap();

    // The bridge page is the same page, with the same policy, beside its own config.json.
    for path in ["/bridge/", "/bridge/index.html"] {
        let r = c.get(format!("{}{path}", s.url())).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()[CONTENT_SECURITY_POLICY], csp.as_str(), "{path}");
        assert_eq!(r.headers()[CACHE_CONTROL], "no-store", "{path}");
        assert!(r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        assert_eq!(r.text().await.unwrap(), html, "{path}");
    }
    let r = c.get(format!("{}/bridge", s.url())).send().await.unwrap();
    assert!(r.status().is_redirection());
    assert_eq!(r.headers()[LOCATION], "/bridge/");
    let r = c
        .get(format!("{}/bridge/config.json", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let cfg: Value = r.json().await.unwrap();
    assert_eq!(
        cfg,
        json!({
            "apiBase": s.url(),
            "auth": { "mode": "bridge", "hostOrigin": examples },
            "rateLimit": { "perMinute": 100, "perHour": 1500, "windowSeconds": 60 }
        })
    );
    // The standalone page keeps signing in by itself.
    let cfg: Value = c
        .get(format!("{}/config.json", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["auth"]["mode"], "pkce");

    // The built files are readable from the examples origin (module import, wasm fetch).
    for (path, kind) in [
        ("/app-1.js", "javascript"),
        ("/app-1_bg.wasm", "application/wasm"),
        ("/embed.js", "javascript"),
        ("/host-bridge.js", "javascript"),
    ] {
        let r = c
            .get(format!("{}{path}", s.url()))
            .header("Origin", &examples)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(
            r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
            examples.as_str(),
            "{path}"
        );
        let ct = r.headers()[CONTENT_TYPE].to_str().unwrap();
        assert!(ct.contains(kind), "{path}: {ct}");
    }
    // Not the page, the settings, the control surface, or files that are not there.
    for path in [
        "/index.html",
        "/config.json",
        "/_sim/requests",
        "/missing.js",
        "/healthz",
    ] {
        let r = c
            .get(format!("{}{path}", s.url()))
            .header("Origin", &examples)
            .send()
            .await
            .unwrap();
        assert!(
            r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{path}"
        );
        if path == "/missing.js" {
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }
    }
    // Nor a change: only reads of the files.
    let r = c
        .post(format!("{}/embed.js", s.url()))
        .header("Origin", &examples)
        .send()
        .await
        .unwrap();
    assert!(r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(r.status().is_client_error());

    // The library API still answers any origin, the examples' included.
    let r = c
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/libraryfiles", s.url()),
        )
        .header("Origin", &examples)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], examples.as_str());
    s.stop().await;
}

#[tokio::test]
async fn without_examples_the_page_is_framed_by_itself_only() {
    let (_dist, dist) = fake_dist();
    let s = start(&["--dist", dist]).await;
    assert!(s.examples_url().is_none());
    let c = http();
    let page = c.get(format!("{}/", s.url())).send().await.unwrap();
    let csp = page.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    let r = c
        .get(format!("{}/embed.js", s.url()))
        .header("Origin", "http://127.0.0.1:1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    for path in ["/bridge/", "/bridge/config.json", "/bridge/index.html"] {
        let r = c.get(format!("{}{path}", s.url())).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let r = c
        .get(format!("{}/_sim/portal-token-requests", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"total": 0, "forceRefresh": 0})
    );
    s.stop().await;
}

/// The page is served with what `mde-sim security-headers` writes for nginx, for the same
/// authority and API base: one policy, not two that can drift.
#[tokio::test]
async fn the_page_carries_the_headers_nginx_is_given() {
    let (_dist, dist) = fake_dist();
    let s = start(&["--dist", dist, "--api-base", "/mde-proxy"]).await;
    let page = http().get(format!("{}/", s.url())).send().await.unwrap();
    let html = std::fs::read_to_string(format!("{dist}/index.html")).unwrap();
    let settings = mde_sim::security_headers::Settings {
        authority: Some(s.sim.authority()),
        api_base: Some("/mde-proxy".into()),
        ..Default::default()
    };
    let hashes = mde_wire::csp::inline_script_hashes(&html);
    assert_eq!(hashes.len(), 1);
    let files =
        mde_sim::security_headers::generate(&settings, &hashes, |_| unreachable!("no MDE_CONFIG"))
            .unwrap();
    let lines: Vec<&str> = files
        .headers
        .lines()
        .filter(|l| l.starts_with("add_header "))
        .collect();
    assert_eq!(lines.len(), 3, "{}", files.headers);
    for line in lines {
        let (name, rest) = line["add_header ".len()..].split_once(" \"").unwrap();
        let value = rest.strip_suffix("\" always;").unwrap();
        assert_eq!(page.headers()[name], value, "{name}");
    }
    s.stop().await;
}

#[tokio::test]
async fn a_missing_examples_folder_or_a_taken_port_is_a_clear_error() {
    let err = spawn(Args::from_flags([
        "--port",
        "0",
        "--examples-port",
        "0",
        "--examples-dir",
        "/nonexistent/examples",
    ]))
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains("--examples-dir"), "{err}");

    let s = start(&[]).await;
    let taken: &'static str = Box::leak(s.addr.port().to_string().into_boxed_str());
    let err = spawn(Args::from_flags([
        "--port",
        "0",
        "--examples-port",
        taken,
        "--examples-dir",
        EXAMPLES,
    ]))
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains(taken), "{err}");
    s.stop().await;
}
