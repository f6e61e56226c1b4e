//! Tests of [`super`] (`src/api.rs`).
use super::*;

#[test]
fn only_a_same_origin_proxy_gets_the_csrf_marker() {
    let none = None;
    let proxied = headers("/portal/mde-proxy/api/libraryfiles", &none);
    assert_eq!(proxied, [("Accept", "application/json"), PROXY_MARKER]);
    let bearer = Some("Bearer t".to_string());
    // nginx's /mde-proxy path with the panel's own token: marked too.
    assert!(headers("/mde-proxy/api/libraryfiles", &bearer).contains(&PROXY_MARKER));
    // The real API (a CORS request) never sees a header it was not asked to allow.
    let direct = headers(
        "https://api.security.microsoft.com/api/libraryfiles",
        &bearer,
    );
    assert_eq!(
        direct,
        [
            ("Accept", "application/json"),
            ("Authorization", "Bearer t")
        ]
    );
}

#[test]
fn names_are_one_encoded_segment() {
    assert_eq!(
        encode_segment("Get-Info_v2.ps1").unwrap(),
        "Get-Info_v2.ps1"
    );
    assert_eq!(
        encode_segment("a b#c%d?e/f\u{e9}.ps1").unwrap(),
        "a%20b%23c%25d%3Fe%2Ff%C3%A9.ps1"
    );
    assert!(encode_segment("..").is_err());
    assert!(encode_segment(".").is_err());
    assert!(encode_segment("").is_err());
    // An unpaired surrogate from the API arrives as U+FFFD: refused, not sent.
    assert!(encode_segment("a\u{fffd}.ps1").is_err());
    assert_eq!(encode_segment("...x").unwrap(), "...x");
}

#[test]
fn file_url_uses_the_base() {
    let api = LibraryApi::new("https://api.security.microsoft.com/", "https://portal");
    assert_eq!(
        api.file_url("x y").unwrap(),
        "https://api.security.microsoft.com/api/libraryfiles/x%20y"
    );
}

#[test]
fn next_links_are_followed_only_on_the_list_of_the_api_origin() {
    let api = LibraryApi::new(
        "https://api.security.microsoft.com",
        "https://portal.example",
    );
    let next = |l: &str| api.next_page_url(l);
    assert_eq!(
        next("https://api.security.microsoft.com/api/libraryfiles?$skip=2").unwrap(),
        "https://api.security.microsoft.com/api/libraryfiles?$skip=2"
    );
    assert_eq!(
        next("/api/libraryfiles?$skip=4").unwrap(),
        "https://api.security.microsoft.com/api/libraryfiles?$skip=4"
    );
    for bad in [
        "https://evil.example/api/libraryfiles",
        "https://api.security.microsoft.com.evil.example/api/libraryfiles",
        "https://api.security.microsoft.com/api/machines",
        "//evil.example/api/libraryfiles",
        "javascript:alert(1)",
    ] {
        assert_eq!(next(bad), Err(ApiError::ForeignLink), "{bad}");
    }
}

#[test]
fn behind_a_proxy_links_stay_on_the_proxy() {
    let proxy = LibraryApi::new("/mde-proxy", "https://portal.example");
    let next = |l: &str| proxy.next_page_url(l);
    assert_eq!(
        next("/mde-proxy/api/libraryfiles?$skip=2").unwrap(),
        "https://portal.example/mde-proxy/api/libraryfiles?$skip=2"
    );
    // The real API's absolute link is mapped onto the proxy path.
    assert_eq!(
        next("https://api.security.microsoft.com/api/libraryfiles?$skip=2").unwrap(),
        "https://portal.example/mde-proxy/api/libraryfiles?$skip=2"
    );
    // Before the fix these were followed with the token (they start with '/').
    for bad in [
        "//evil.example/x",
        "/\\evil.example/x",
        "/mde-proxy/api/other",
        "http://evil.example/api/libraryfiles",
    ] {
        assert_eq!(next(bad), Err(ApiError::ForeignLink), "{bad}");
    }
    // What the browser's parser makes of `//` and `/\` is decided here.
    assert_eq!(
        proxy.follow("https://evil.example", "/x", ""),
        Err(ApiError::ForeignLink)
    );
    assert_eq!(
        proxy.follow("https://evil.example", "/mde-proxy/api/libraryfiles", ""),
        Err(ApiError::ForeignLink)
    );
}

#[test]
fn retry_after_seconds_and_dates() {
    assert_eq!(parse_retry_after("12", 0), Some(12_000));
    assert_eq!(parse_retry_after(" 0 ", 0), Some(0));
    // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s.
    let now = 784_111_777_000 - 5_000;
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
        Some(5_000)
    );
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + 60_000),
        Some(0)
    );
    assert_eq!(parse_retry_after("soon", 0), None);
    assert_eq!(parse_retry_after("-3", 0), None);
    assert_eq!(parse_retry_after("", 0), None);
    // Too many digits for a u64 is a very long wait, not a parse failure (which would
    // fall back to a 2 s backoff).
    assert_eq!(parse_retry_after("99999999999999999999", 0), Some(u64::MAX));
    assert_eq!(parse_retry_after("18446744073709552", 0), Some(u64::MAX));
}

#[test]
fn reads_what_the_wire_types_write() {
    // The simulator serialises the shared wire types with serde; the app must read them back.
    let files = crate::listing::synthetic_library(8);
    let text = serde_json::to_string(&mde_wire::ListEnvelope {
        context: Some("x/$metadata#LibraryFiles".into()),
        value: files.clone(),
        next_link: Some("https://api/next".into()),
    })
    .unwrap();
    let back = read_list(&text).unwrap();
    assert_eq!(back.value, files);
    assert_eq!(back.next_link.as_deref(), Some("https://api/next"));
}

#[test]
fn reads_the_documented_entity_and_tolerates_gaps() {
    let text = r#"{"@odata.context":"https://api.security.microsoft.com/api/$metadata#LibraryFiles",
      "value":[{"fileName":"script1.ps1",
      "sha256":"6e212a0db618507c44e4ec8ee7499dfef7e5767e5f8d31144df3b96fd1145caf",
      "description":null,"creationTime":"2019-10-24T10:54:23.2009016Z",
      "lastUpdatedTime":"2019-10-24T10:54:23.2009016Z","createdBy":"admin",
      "hasParameters":true,"parametersDescription":"test","futureField":[1]},
      {"fileName":"bare.sh"}]}"#;
    let list = read_list(text).unwrap();
    assert_eq!(
        list.value[0].parameters_description.as_deref(),
        Some("test")
    );
    assert_eq!(list.value[0].description, None);
    assert!(list.value[0].has_parameters);
    assert!(!list.value[1].has_parameters);
    assert_eq!(list.next_link, None);
    // One unreadable entry is counted and left out; the others are kept.
    let partial =
        read_list(r#"{"value":[{"sha256":"x"},{"fileName":"ok.ps1"},{"fileName":7},3]}"#).unwrap();
    assert_eq!(partial.value.len(), 1);
    assert_eq!(partial.unreadable, 3);
    assert!(read_list(r#"{"nope":1}"#).unwrap_err().contains("value"));
    assert!(read_list("<html>").is_err());
}

#[test]
fn reads_error_bodies() {
    let d = read_error(r#"{"error":{"code":"NotFound","message":"m","target":"g"}}"#).unwrap();
    assert_eq!(
        (d.code.as_str(), d.message.as_str(), d.target.as_deref()),
        ("NotFound", "m", Some("g"))
    );
    assert_eq!(read_error("not json"), None);
    assert_eq!(read_error(r#"{"error":"x"}"#), None);
}

#[test]
fn statuses_are_classified() {
    assert!(matches!(
        classify(401, None, None, 0),
        ApiError::Unauthorized(_)
    ));
    assert!(matches!(
        classify(403, None, None, 0),
        ApiError::Forbidden(_)
    ));
    assert!(matches!(
        classify(404, None, None, 0),
        ApiError::NotFound(_)
    ));
    assert_eq!(
        classify(429, Some("2"), None, 0),
        ApiError::RateLimited {
            retry_after_ms: Some(2000),
            detail: None
        }
    );
    assert!(matches!(
        classify(500, None, None, 0),
        ApiError::Status { status: 500, .. }
    ));
}
