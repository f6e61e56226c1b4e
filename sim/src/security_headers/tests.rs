//! The generator's output for each setting, and every refusal.

use super::*;

const HASH: &str = "'sha256-AAAA'";

fn files(settings: Settings) -> Result<Files, String> {
    generate(&settings, &[HASH.to_string()], |_| {
        panic!("no MDE_CONFIG was set")
    })
}

fn with_config(settings: Settings, config: Value) -> Result<Files, String> {
    let settings = Settings {
        config: Some("config.json".into()),
        ..settings
    };
    generate(&settings, &[HASH.to_string()], |path| {
        assert_eq!(path, "config.json");
        Ok(config)
    })
}

fn frame(ancestors: &str) -> Settings {
    Settings {
        frame_ancestors: Some(ancestors.into()),
        ..Settings::default()
    }
}

#[test]
fn defaults_write_the_served_policy_and_a_read_and_delete_proxy() {
    let f = files(Settings::default()).unwrap();
    let policy = csp::content_security_policy(
        &[HASH],
        &["'self'", "https://login.microsoftonline.com"],
        &["'self'"],
    );
    assert_eq!(
        f.headers,
        format!(
            "# Written by scripts/security-headers.sh for this build; included by deploy/nginx.conf.\n\
             # `always`: error answers carry them too. No Cross-Origin-Opener-Policy: the page is the\n\
             # sign-in popup's redirect URI, which hands its answer back over a BroadcastChannel.\n\
             add_header Content-Security-Policy \"{policy}\" always;\n\
             add_header X-Content-Type-Options \"nosniff\" always;\n\
             add_header Referrer-Policy \"no-referrer\" always;\n"
        )
    );
    assert_eq!(
        f.methods,
        "# Written by scripts/security-headers.sh (MDE_UPLOADS); included by deploy/nginx.conf's proxy path.\n\
         limit_except GET DELETE {\n    deny all;\n}\nclient_max_body_size 1m;\n"
    );
    assert_eq!(
        f.summary,
        "frame-ancestors 'self'; connect-src 'self' https://login.microsoftonline.com; \
         proxy: GET DELETE, 1m"
    );
}

#[test]
fn uploads_pass_post_and_the_largest_file_with_its_form() {
    let f = files(Settings {
        uploads: Some("1".into()),
        ..Settings::default()
    })
    .unwrap();
    assert!(f.methods.ends_with(
        "limit_except GET DELETE POST {\n    deny all;\n}\nclient_max_body_size 21m;\n"
    ));
    assert!(f.summary.ends_with("proxy: GET DELETE POST, 21m"));
}

#[test]
fn hsts_when_https_is_said_or_the_redirect_uri_is_https() {
    let hsts = "add_header Strict-Transport-Security \"max-age=31536000\" always;\n";
    let on = Settings {
        https: Some("1".into()),
        ..Settings::default()
    };
    assert!(files(on).unwrap().headers.ends_with(hsts));
    assert!(!files(Settings::default())
        .unwrap()
        .headers
        .contains("Strict"));
    let https_page = serde_json::json!({"auth": {"redirectUri": "https://panel.contoso.com/"}});
    assert!(with_config(Settings::default(), https_page.clone())
        .unwrap()
        .headers
        .ends_with(hsts));
    let off = Settings {
        https: Some("0".into()),
        ..Settings::default()
    };
    assert!(!with_config(off, https_page)
        .unwrap()
        .headers
        .contains("Strict"));
}

#[test]
fn frame_ancestors_that_let_anyone_frame_the_panel_are_refused() {
    for bad in [
        "*",
        "'self' *",
        "https:",
        "'self' HTTPS:",
        "'self' data:",
        "'self' https://*.contoso.com",
        "'self' http://a.b:*",
    ] {
        let e = files(frame(bad)).unwrap_err();
        assert!(
            e.starts_with("MDE_FRAME_ANCESTORS must name the portals"),
            "{bad}: {e}"
        );
    }
    assert_eq!(
        files(frame("'self' https://*.contoso.com")).unwrap_err(),
        "MDE_FRAME_ANCESTORS must name the portals that may frame the panel; \
         'https://*.contoso.com' lets pages nobody named frame it"
    );
    let ok = files(frame("  'self'\u{1c}https://portal.contoso.com\n")).unwrap();
    assert!(ok
        .summary
        .starts_with("frame-ancestors 'self' https://portal.contoso.com;"));
}

#[test]
fn source_lists_hold_csp_sources_only() {
    assert_eq!(
        files(frame("")).unwrap_err(),
        "MDE_FRAME_ANCESTORS must be CSP sources separated by spaces, got ''"
    );
    assert_eq!(
        files(frame("'self' \"a\"")).unwrap_err(),
        "MDE_FRAME_ANCESTORS must be CSP sources separated by spaces, got '\\'self\\' \"a\"'"
    );
    for bad in ["'self'; script-src *", "$host", "a{b", "é"] {
        let e = files(Settings {
            connect_src: Some(bad.into()),
            ..Settings::default()
        })
        .unwrap_err();
        assert!(
            e.starts_with("MDE_CONNECT_SRC must be CSP sources"),
            "{bad}: {e}"
        );
    }
    let verbatim = files(Settings {
        connect_src: Some(" 'self'   https://x.example ".into()),
        ..Settings::default()
    })
    .unwrap();
    assert!(verbatim
        .summary
        .contains("; connect-src 'self' https://x.example;"));
}

#[test]
fn switches_are_0_or_1() {
    for (https, uploads, e) in [
        (Some("2"), None, "MDE_HTTPS must be 0 or 1, got '2'"),
        (Some(""), None, "MDE_HTTPS must be 0 or 1, got ''"),
        (None, Some("yes"), "MDE_UPLOADS must be 0 or 1, got 'yes'"),
    ] {
        let s = Settings {
            https: https.map(Into::into),
            uploads: uploads.map(Into::into),
            ..Settings::default()
        };
        assert_eq!(files(s).unwrap_err(), e);
    }
}

#[test]
fn connect_src_names_the_origins_of_authority_and_api() {
    let connect = |authority: &str, api_base: &str| {
        let f = files(Settings {
            authority: Some(authority.into()),
            api_base: Some(api_base.into()),
            ..Settings::default()
        })?;
        Ok::<_, String>(f.summary.split("; ").nth(1).unwrap_or_default().to_string())
    };
    assert_eq!(
        connect(
            "https://Login.Example.com:443/t/v2.0",
            "https://u:p@api.example.com/x"
        ),
        Ok("connect-src 'self' https://Login.Example.com:443 https://api.example.com".into())
    );
    assert_eq!(
        connect("http://127.0.0.1:1/t", "HTTP://127.0.0.1:1/api"),
        Ok("connect-src 'self' http://127.0.0.1:1".into())
    );
    assert_eq!(connect("", "/mde-proxy"), Ok("connect-src 'self'".into()));
    assert_eq!(
        connect("//cdn.example/x", "1http://x"),
        Ok("connect-src 'self'".into())
    );
    assert_eq!(
        connect("https://a.ex\tample/", "http://[::1]:8080/x"),
        Ok("connect-src 'self' https://a.example http://[::1]:8080".into())
    );
    for bad in [
        "ftp://x/",
        "https://",
        "https://user@:80/x",
        "localhost:8080",
        "http://[::1/x",
        "http://[1.2.3.4]/",
    ] {
        assert_eq!(
            connect(bad, ""),
            Err(format!("not an http(s) URL: {}", py_repr(bad))),
            "{bad}"
        );
    }
}

#[test]
fn with_a_config_its_authority_and_api_base_decide() {
    let config = serde_json::json!({
        "apiBase": "https://api.securitycenter.microsoft.com",
        "auth": {"authority": "https://login.microsoftonline.com/tid/v2.0", "redirectUri": null}
    });
    let ignored = Settings {
        authority: Some("https://ignored.example".into()),
        ..Settings::default()
    };
    let f = with_config(ignored, config).unwrap();
    assert!(f.summary.contains(
        "connect-src 'self' https://login.microsoftonline.com https://api.securitycenter.microsoft.com;"
    ));
    // What the config leaves out, the app takes from its cloud: so does the policy.
    let bare = with_config(Settings::default(), serde_json::json!({"auth": null})).unwrap();
    assert!(bare
        .summary
        .contains("; connect-src 'self' https://api.security.microsoft.com;"));
    let gov = serde_json::json!({
        "cloud": "gcc-high",
        "auth": {"mode": "pkce", "tenant": "contoso.us", "clientId": "c"}
    });
    assert!(with_config(Settings::default(), gov).unwrap().summary.contains(
        "; connect-src 'self' https://login.microsoftonline.us https://api-gov.securitycenter.microsoft.us;"
    ));
    let host = serde_json::json!({"cloud": "eu", "auth": {"mode": "host"}});
    assert!(with_config(Settings::default(), host)
        .unwrap()
        .summary
        .contains("; connect-src 'self' https://eu.api.security.microsoft.com;"));
    assert_eq!(
        with_config(Settings::default(), serde_json::json!({"cloud": "mars"})).unwrap_err(),
        format!("cloud in MDE_CONFIG {}", cloud::NAMES)
    );
    assert_eq!(
        with_config(Settings::default(), serde_json::json!([])).unwrap_err(),
        "MDE_CONFIG must hold a JSON object"
    );
    assert_eq!(
        with_config(Settings::default(), serde_json::json!({"apiBase": 1})).unwrap_err(),
        "apiBase in MDE_CONFIG must be a string"
    );
}

#[test]
fn a_page_without_an_inline_script_is_refused() {
    let e = generate(&Settings::default(), &[], |_| unreachable!()).unwrap_err();
    assert_eq!(e, "no inline bootstrap script found in dist/index.html");
}

#[test]
fn quoted_as_python_quotes() {
    assert_eq!(py_repr("a"), "'a'");
    assert_eq!(py_repr("'self' *"), "\"'self' *\"");
    assert_eq!(py_repr("'a' \"b\""), "'\\'a\\' \"b\"'");
    assert_eq!(
        py_repr("a\\b\n\u{1c}\u{a0}é\u{200b}"),
        "'a\\\\b\\n\\x1c\\xa0é\\u200b'"
    );
}

#[test]
fn the_site_must_hold_this_build() {
    let dist = tempfile::tempdir().unwrap();
    let site = tempfile::tempdir().unwrap();
    let dist_s = dist.path().to_str().unwrap();
    let site_s = site.path().to_str().unwrap();
    let page = "<script>start()</script>";
    let none = Settings::default();
    assert_eq!(
        write_security_headers(dist_s, None, &none).unwrap_err(),
        "dist/index.html is missing; run trunk build"
    );
    std::fs::write(dist.path().join("index.html"), page).unwrap();
    std::fs::write(site.path().join("index.html"), "<p>another build").unwrap();
    assert_eq!(
        write_security_headers(dist_s, Some(site_s), &none).unwrap_err(),
        format!("{site_s}/index.html is not this build's dist/index.html")
    );
    std::fs::write(site.path().join("index.html"), page).unwrap();
    let line = write_security_headers(dist_s, Some(site_s), &none).unwrap();
    assert!(line.starts_with(&format!(
        "  {site_s}/security-headers.conf: frame-ancestors"
    )));
    let written = std::fs::read_to_string(site.path().join("security-headers.conf")).unwrap();
    assert!(written.contains(&csp::inline_script_hashes(page)[0]));
    assert!(site.path().join("proxy-methods.conf").exists());
}
