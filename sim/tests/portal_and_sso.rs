//! The portal backend (`--portal`, for the panel's `proxy` mode) and the provider's single
//! sign-on session (`prompt=none`, end-session), over real HTTP on a loopback port.

mod common;
use common::{http, request_id, start, CHALLENGE};

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

/// The panel's header on every proxied call (`api::PROXY_MARKER`).
const MARKER: (&str, &str) = ("X-MDE-Library-Admin", "1");

#[tokio::test]
async fn the_portal_proxies_with_a_server_held_token_and_only_for_its_session() {
    let s = start(&["--portal"]).await;
    let c = http();
    let list = format!("{}/portal/mde-proxy/api/libraryfiles", s.url());
    // No session: 401 with the API's error shape.
    let r = c
        .get(&list)
        .header(MARKER.0, MARKER.1)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Unauthorized");

    let r = c
        .get(format!("{}/portal/sign-in?account=admin", s.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/portal/");
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("__Host-")
            && cookie.contains("; Path=/;")
            && !cookie.contains("Domain")
            && cookie.contains("Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();

    let r = c
        .get(&list)
        .header(COOKIE, &session)
        .header(MARKER.0, MARKER.1)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["value"].as_array().unwrap().len(), 20);
    let r = c
        .delete(format!("{list}/Collect-Triage.ps1"))
        .header(COOKIE, &session)
        .header(MARKER.0, MARKER.1)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // The reader's session gets the API's own 403 for a change.
    let r = c
        .get(format!("{}/portal/sign-in?account=reader", s.url()))
        .send()
        .await
        .unwrap();
    let reader = r.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .delete(format!("{list}/mac_collect.sh"))
        .header(COOKIE, &reader)
        .header(MARKER.0, MARKER.1)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The portal's config puts the panel in proxy mode on the proxy path.
    let cfg: serde_json::Value = c
        .get(format!("{}/portal/config.json", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["auth"]["mode"], "proxy");
    assert_eq!(cfg["apiBase"], "/portal/mde-proxy");

    // Signed out: 401 again.
    c.get(format!("{}/portal/sign-out", s.url()))
        .header(COOKIE, &session)
        .header(MARKER.0, MARKER.1)
        .send()
        .await
        .unwrap();
    let r = c
        .get(&list)
        .header(COOKIE, &session)
        .header(MARKER.0, MARKER.1)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    s.stop().await;
}

#[tokio::test]
async fn the_portal_forwards_nothing_a_page_of_another_origin_could_have_sent() {
    let s = start(&["--portal"]).await;
    let c = http();
    let list = format!("{}/portal/mde-proxy/api/libraryfiles", s.url());
    let r = c
        .get(format!("{}/portal/sign-in?account=admin", s.url()))
        .send()
        .await
        .unwrap();
    let session = r.headers()[SET_COOKIE].to_str().unwrap();
    let session = session.split(';').next().unwrap().to_string();
    let own = s.url().to_string();
    let upload = || {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"Write-Output 1".to_vec())
                    .file_name("Collect-Triage.ps1"),
            )
            .text("OverrideIfExists", "true");
        c.post(&list).header(COOKIE, &session).multipart(form)
    };
    // What a form or a `no-cors` fetch of a same-site page sends: the cookie, no marker.
    let cases = [
        ("no marker", upload().header("Sec-Fetch-Site", "same-site")),
        ("no marker, no fetch metadata", upload()),
        ("a marker of another value", upload().header(MARKER.0, "0")),
        (
            "marked, from another origin of the site",
            upload()
                .header(MARKER.0, MARKER.1)
                .header("Sec-Fetch-Site", "same-site"),
        ),
        (
            "marked, another Origin",
            upload()
                .header(MARKER.0, MARKER.1)
                .header("Origin", "http://127.0.0.1:1"),
        ),
        (
            "a DELETE, unmarked",
            c.delete(format!("{list}/mac_collect.sh"))
                .header(COOKIE, &session),
        ),
    ];
    for (what, req) in cases {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("The portal refused to forward this request"),
            "{what}: {body}"
        );
    }
    // Nothing reached the library.
    let files: serde_json::Value = c
        .get(format!("{}/_sim/files", s.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(files.as_array().unwrap().len(), 20);
    assert!(files
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["fileName"] == "mac_collect.sh"));
    // The panel's own call: marked, from this origin.
    let r = upload()
        .header(MARKER.0, MARKER.1)
        .header("Sec-Fetch-Site", "same-origin")
        .header("Origin", own.trim_end_matches('/'))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn without_the_flag_there_is_no_portal() {
    // A built app, so unknown paths would get the page if /portal fell through to it.
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>app</title>",
    )
    .unwrap();
    let dist_path: &'static str =
        Box::leak(dist.path().to_str().unwrap().to_string().into_boxed_str());
    let s = start(&["--dist", dist_path]).await;
    for path in [
        "/portal/mde-proxy/api/libraryfiles",
        "/portal/",
        "/portal/config.json",
        "/portal/sign-in?account=admin",
    ] {
        let r = http()
            .get(format!("{}{path}", s.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(r.headers().get("set-cookie").is_none(), "{path}");
        assert_eq!(r.text().await.unwrap(), "", "{path}");
    }
    s.stop().await;
}

#[tokio::test]
async fn prompt_none_answers_from_the_provider_session_until_it_ends() {
    let s = start(&[]).await;
    let c = http();
    let tenant = s.sim.args.tenant.clone();
    let authorize = format!("{}/{tenant}/oauth2/v2.0/authorize", s.url());
    let redirect = format!("{}/", s.url());
    let query = |extra: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        let mut q = vec![
            ("client_id", s.sim.args.client_id.clone()),
            ("response_type", "code".to_string()),
            ("redirect_uri", redirect.clone()),
            ("scope", "openid".to_string()),
            ("state", "s1".to_string()),
            ("code_challenge", CHALLENGE.to_string()),
            ("code_challenge_method", "S256".to_string()),
        ];
        q.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        q
    };
    // No session yet: login_required, sent back to the app with the state.
    let r = c
        .get(&authorize)
        .query(&query(&[("prompt", "none")]))
        .send()
        .await
        .unwrap();
    let to = r.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(
        to.contains("error=login%5Frequired") && to.contains("state=s1"),
        "{to}"
    );

    // Pick an account on the page: that starts the provider's session.
    let page = c
        .get(&authorize)
        .query(&query(&[]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = request_id(&page);
    let r = c
        .post(&authorize)
        .form(&[("request", id.as_str()), ("account", "0")])
        .send()
        .await
        .unwrap();
    assert!(r.headers()[LOCATION].to_str().unwrap().contains("code="));

    // Now prompt=none signs in at once, for the right hint only.
    let ok = c
        .get(&authorize)
        .query(&query(&[
            ("prompt", "none"),
            ("login_hint", "ada.admin@contoso.example"),
        ]))
        .send()
        .await
        .unwrap();
    assert!(ok.headers()[LOCATION].to_str().unwrap().contains("code="));
    let other = c
        .get(&authorize)
        .query(&query(&[
            ("prompt", "none"),
            ("login_hint", "riley.reader@contoso.example"),
        ]))
        .send()
        .await
        .unwrap();
    assert!(other.headers()[LOCATION]
        .to_str()
        .unwrap()
        .contains("error=login%5Frequired"));

    // The end-session endpoint ends it and goes back to a registered URI only.
    let r = c
        .get(format!("{}/{tenant}/oauth2/v2.0/logout", s.url()))
        .query(&[("post_logout_redirect_uri", redirect.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[LOCATION], redirect.as_str());
    let r = c
        .get(format!("{}/{tenant}/oauth2/v2.0/logout", s.url()))
        .query(&[("post_logout_redirect_uri", "https://evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let after = c
        .get(&authorize)
        .query(&query(&[("prompt", "none")]))
        .send()
        .await
        .unwrap();
    assert!(after.headers()[LOCATION]
        .to_str()
        .unwrap()
        .contains("error=login%5Frequired"));
    s.stop().await;
}
