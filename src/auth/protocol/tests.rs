//! Tests of [`super`] (`src/auth/protocol.rs`).
use super::*;

fn pending() -> PendingSignIn {
    PendingSignIn {
        state: "s1".into(),
        nonce: "n1".into(),
        verifier: "v".into(),
        redirect_uri: "https://app/".into(),
        issuer: "https://login/t/v2.0".into(),
        started_ms: 1_000,
        filter: String::new(),
        silent: false,
    }
}

#[test]
fn parses_code_and_error_returns() {
    assert_eq!(
        parse_return("https://app/?code=abc&state=s1&iss=https%3A%2F%2Flogin%2Ft%2Fv2.0"),
        Return::Code {
            code: "abc".into(),
            state: "s1".into(),
            iss: Some("https://login/t/v2.0".into())
        }
    );
    assert_eq!(
        parse_return("https://app/?error=access_denied&error_description=AADSTS65004%3A+User+declined&state=s1"),
        Return::Error {
            error: "access_denied".into(),
            description: "AADSTS65004: User declined".into(),
            state: Some("s1".into()),
            iss: None
        }
    );
    assert_eq!(parse_return("https://app/"), Return::None);
    assert!(matches!(
        parse_return("https://app/?code=x"),
        Return::Error { .. }
    ));
}

#[test]
fn state_and_issuer_are_checked() {
    let p = pending();
    assert_eq!(check_return(&p, Some("s1"), None, false, 2_000), Ok(()));
    assert_eq!(
        check_return(&p, Some("s1"), Some("https://login/t/v2.0"), false, 2_000),
        Ok(())
    );
    assert_eq!(
        check_return(&p, Some("s2"), None, false, 2_000),
        Err(AuthError::StateMismatch)
    );
    assert_eq!(
        check_return(&p, None, None, false, 2_000),
        Err(AuthError::StateMismatch)
    );
    assert!(matches!(
        check_return(&p, Some("s1"), Some("https://evil/"), false, 2_000),
        Err(AuthError::IssuerMismatch(_))
    ));
    assert_eq!(
        check_return(&p, Some("s1"), None, false, 1_000 + PENDING_MAX_AGE_MS + 1),
        Err(AuthError::NoPendingSignIn)
    );
    // Discovery says the provider sends `iss`: a response without it is refused
    // (before the fix a missing `iss` was always accepted).
    assert_eq!(
        check_return(&p, Some("s1"), None, true, 2_000),
        Err(AuthError::IssuerMissing)
    );
    assert_eq!(
        check_return(&p, Some("s1"), Some("https://login/t/v2.0"), true, 2_000),
        Ok(())
    );
}

#[test]
fn only_an_error_answering_this_tabs_sign_in_is_shown_and_without_free_text() {
    let p = pending();
    let desc = "AADSTS65004: <b>Call +1-555 now</b> to restore access";
    // Unsolicited (no or another state): ignored; before the fix it was shown.
    assert_eq!(error_return(None, "access_denied", desc, Some("s1")), None);
    assert_eq!(error_return(Some(&p), "access_denied", desc, None), None);
    assert_eq!(
        error_return(Some(&p), "access_denied", desc, Some("s2")),
        None
    );
    let e = error_return(Some(&p), "access_denied", desc, Some("s1")).unwrap();
    assert_eq!(
        e.to_string(),
        "Sign-in was not completed: access_denied (AADSTS65004)."
    );
    let odd = error_return(Some(&p), "Call <me>", "no number", Some("s1")).unwrap();
    assert_eq!(odd.to_string(), "Sign-in was not completed: unknown_error.");
    assert!(needs_interaction("login_required"));
    assert!(!needs_interaction("access_denied"));
}

#[test]
fn endpoints_are_pinned_to_the_authority_origin() {
    let ep = |a: &str, t: &str, e: Option<&str>| Endpoints {
        issuer: "https://login.microsoftonline.com/t/v2.0".into(),
        authorization_endpoint: a.into(),
        token_endpoint: t.into(),
        end_session_endpoint: e.map(Into::into),
        iss_required: false,
    };
    let authority = "https://login.microsoftonline.com/t/v2.0";
    let good = "https://login.microsoftonline.com/t/oauth2/v2.0/";
    assert!(check_endpoints(
        &ep(
            &format!("{good}authorize"),
            &format!("{good}token"),
            Some(&format!("{good}logout"))
        ),
        authority
    )
    .is_ok());
    for (a, t, e) in [
        (
            "https://evil.example/authorize",
            "https://login.microsoftonline.com/t/token",
            None,
        ),
        (
            "https://login.microsoftonline.com/t/a",
            "https://login.microsoftonline.com.evil.example/t",
            None,
        ),
        (
            "https://login.microsoftonline.com/t/a",
            "https://login.microsoftonline.com/t/t",
            Some("https://evil.example/logout"),
        ),
        (
            "http://login.microsoftonline.com/t/a",
            "https://login.microsoftonline.com/t/t",
            None,
        ),
    ] {
        assert!(
            check_endpoints(&ep(a, t, e), authority).is_err(),
            "{a} {t} {e:?}"
        );
    }
    let local = "http://127.0.0.1:8787/t/v2.0";
    assert!(check_endpoints(
        &ep(
            "http://127.0.0.1:8787/t/authorize",
            "http://127.0.0.1:8787/t/token",
            None
        ),
        local
    )
    .is_ok());
    assert!(check_endpoints(
        &ep(
            "http://localhost.evil.example/a",
            "http://127.0.0.1:8787/t/token",
            None
        ),
        local
    )
    .is_err());
}

#[test]
fn pending_record_round_trips_through_session_storage_text() {
    let mut p = pending();
    p.filter = "a&b=c %".into();
    assert_eq!(PendingSignIn::decode(&p.encode()), Some(p));
    assert_eq!(PendingSignIn::decode("state=x"), None);
    assert_eq!(PendingSignIn::decode("garbage"), None);
}

#[test]
fn reads_discovery_and_token_responses() {
    let ep = read_endpoints(
        r#"{"issuer":"i","authorization_endpoint":"a","token_endpoint":"t","x":[1]}"#,
    )
    .unwrap();
    assert_eq!((ep.issuer.as_str(), ep.token_endpoint.as_str()), ("i", "t"));
    assert!(!ep.iss_required && ep.end_session_endpoint.is_none());
    let ep = read_endpoints(
        r#"{"issuer":"i","authorization_endpoint":"a","token_endpoint":"t",
           "end_session_endpoint":"e","authorization_response_iss_parameter_supported":true}"#,
    )
    .unwrap();
    assert!(ep.iss_required);
    assert_eq!(ep.end_session_endpoint.as_deref(), Some("e"));
    assert!(read_endpoints(r#"{"issuer":"i"}"#)
        .unwrap_err()
        .contains("authorization_endpoint"));
    let t = read_token_response(
        r#"{"token_type":"Bearer","access_token":"at","expires_in":3600,"refresh_token":"rt"}"#,
    )
    .unwrap();
    assert_eq!(t.expires_in, Some(3600));
    assert_eq!(t.id_token, None);
    assert!(read_token_response(r#"{"expires_in":3600}"#).is_err());
    assert_eq!(read_token_error("<html>"), None);
}

#[test]
fn strips_query_and_fragment() {
    assert_eq!(strip_query("https://app/x?code=1#f"), "https://app/x");
    assert_eq!(strip_query("https://app/"), "https://app/");
}

#[test]
fn id_token_payload_is_read_for_display() {
    use base64::Engine;
    // Encoded by the base64 crate: a cross-check of the app's own decoder.
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(br#"{"name":"Ada Admin","nonce":"n1"}"#);
    let c = id_claims(&format!("h.{payload}.sig")).unwrap();
    assert_eq!(c.name.as_deref(), Some("Ada Admin"));
    assert_eq!(c.nonce.as_deref(), Some("n1"));
    assert!(id_claims("garbage").is_none());
}

#[test]
fn debug_never_shows_tokens() {
    let t = TokenSet {
        access_token: "SECRET-AT".into(),
        expires_at_ms: 1,
        refresh_token: Some("SECRET-RT".into()),
        account_name: None,
        login_hint: None,
        account: None,
        library_scope: None,
    };
    let s = format!("{t:?}");
    assert!(!s.contains("SECRET"), "{s}");
}

#[test]
fn invalid_grant_means_sign_in_again() {
    let body = read_token_error(
        r#"{"error":"invalid_grant","error_description":"AADSTS700082: expired","error_codes":[700082]}"#,
    )
    .unwrap();
    assert_eq!(body.aadsts, Some(700082));
    assert_eq!(
        token_error(body, "https://app/"),
        AuthError::SignInRequired("AADSTS700082: expired".into())
    );
    let other = TokenErrorBody {
        error: "invalid_client".into(),
        error_description: None,
        aadsts: None,
    };
    assert!(matches!(
        token_error(other, "https://app/"),
        AuthError::Token { .. }
    ));
}

/// A token error as Entra sends it, with `error_codes`.
fn entra(error: &str, code: u32) -> TokenErrorBody {
    read_token_error(&format!(
        r#"{{"error":"{error}","error_description":"AADSTS{code}: words. Trace ID: t","error_codes":[{code}]}}"#
    ))
    .unwrap()
}

#[test]
fn first_run_token_errors_get_their_own_words() {
    use crate::wording::first_run::first_run_text;
    let uri = "https://portal.example/panel/";
    let words = |error: &str, code: u32| first_run_text(error, Some(code), uri).unwrap();
    // The registration must change: signing in again would not help.
    assert_eq!(
        token_error(entra("invalid_request", 9002326), uri),
        AuthError::FirstRun(words("invalid_request", 9002326))
    );
    assert_eq!(
        token_error(entra("invalid_grant", 65001), uri),
        AuthError::FirstRun(words("invalid_grant", 65001))
    );
    // A new sign-in is the fix: the session asks for one.
    for (error, code) in [
        ("invalid_grant", 700084),
        ("interaction_required", 50076),
        ("invalid_grant", 50079),
    ] {
        assert_eq!(
            token_error(entra(error, code), uri),
            AuthError::SignInAgain(words(error, code))
        );
    }
    // Without `error_codes`, the number in the description counts.
    let bare = read_token_error(
        r#"{"error":"interaction_required","error_description":"AADSTS50076: MFA"}"#,
    )
    .unwrap();
    assert_eq!(bare.aadsts, Some(50076));
}

#[test]
fn first_run_redirect_errors_get_their_own_words_with_the_uri_sent() {
    use crate::wording::first_run::first_run_text;
    let p = pending_for_errors();
    let got = error_return(
        Some(&p),
        "invalid_request",
        "AADSTS50011: The redirect URI 'https://evil/' specified",
        Some(&p.state),
    );
    let want = first_run_text("invalid_request", Some(50011), &p.redirect_uri).unwrap();
    assert_eq!(got, Some(AuthError::FirstRun(want.clone())));
    // The URI named is the one the panel sent, never the description's.
    assert!(want.contains(&p.redirect_uri) && !want.contains("evil"));
    let consent = error_return(Some(&p), "consent_required", "", Some(&p.state));
    assert_eq!(
        consent,
        Some(AuthError::FirstRun(
            first_run_text("consent_required", None, &p.redirect_uri).unwrap()
        ))
    );
    // An unknown code keeps the code-and-number words.
    assert_eq!(
        error_return(
            Some(&p),
            "access_denied",
            "AADSTS65004: declined",
            Some(&p.state)
        ),
        Some(AuthError::Denied {
            error: "access_denied".into(),
            aadsts: " (AADSTS65004)".into()
        })
    );
}

fn pending_for_errors() -> PendingSignIn {
    PendingSignIn {
        state: "s1".into(),
        nonce: "n".into(),
        verifier: "v".into(),
        redirect_uri: "https://portal.example/panel/".into(),
        issuer: "https://login/t/v2.0".into(),
        started_ms: 0,
        filter: String::new(),
        silent: false,
    }
}

#[test]
fn authorize_url_carries_pkce_state_nonce_and_scopes() {
    let cfg = PkceConfig {
        authority: "https://login/t/v2.0".into(),
        client_id: "cid".into(),
        scopes: vec!["https://api.securitycenter.microsoft.com/Library.Manage".into()],
        redirect_uri: None,
    };
    let ep = Endpoints {
        issuer: "https://login/t/v2.0".into(),
        authorization_endpoint: "https://login/t/oauth2/v2.0/authorize".into(),
        token_endpoint: "https://login/t/oauth2/v2.0/token".into(),
        end_session_endpoint: None,
        iss_required: false,
    };
    let url = authorize_url(
        &cfg,
        &ep,
        "https://app/x",
        &pending(),
        "ch4ll",
        (None, None),
    );
    let q: std::collections::HashMap<_, _> = query_pairs(&url).into_iter().collect();
    assert!(url.starts_with("https://login/t/oauth2/v2.0/authorize?"));
    assert_eq!(q["client_id"], "cid");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["redirect_uri"], "https://app/x");
    assert_eq!(q["state"], "s1");
    assert_eq!(q["nonce"], "n1");
    assert_eq!(q["code_challenge"], "ch4ll");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(
        q["scope"],
        "https://api.securitycenter.microsoft.com/Library.Manage openid profile offline_access"
    );
    assert!(!url.contains(' '));
    assert!(!q.contains_key("prompt"));
    let silent = authorize_url(
        &cfg,
        &ep,
        "https://app/x",
        &pending(),
        "ch4ll",
        (Some("none"), Some("ada@contoso.com")),
    );
    let q: std::collections::HashMap<_, _> = query_pairs(&silent).into_iter().collect();
    assert_eq!(
        (q["prompt"].as_str(), q["login_hint"].as_str()),
        ("none", "ada@contoso.com")
    );
    // "Sign in again": the same account's hint, no prompt.
    let again = authorize_url(
        &cfg,
        &ep,
        "https://app/x",
        &pending(),
        "ch4ll",
        (None, Some("ada@contoso.com")),
    );
    let q: std::collections::HashMap<_, _> = query_pairs(&again).into_iter().collect();
    assert_eq!(q["login_hint"], "ada@contoso.com");
    assert!(!q.contains_key("prompt"));
}

#[test]
fn form_values_round_trip() {
    let enc = form_encode(&[("a b", "x&y=z/é+")]);
    assert_eq!(enc, "a%20b=x%26y%3Dz%2F%C3%A9%2B");
    assert_eq!(
        query_pairs(&format!("https://h/?{enc}&c=1+2#frag")),
        vec![
            ("a b".into(), "x&y=z/é+".into()),
            ("c".into(), "1 2".into())
        ]
    );
}

#[test]
fn tokens_must_be_visible_ascii() {
    assert!(is_valid_token("eyJ0eXAi.eyJzdWIi.c2ln-_~+/="));
    for bad in ["", "a b", "a\r\nX-Evil: 1", "caf\u{e9}", "\u{2603}"] {
        assert!(!is_valid_token(bad), "{bad:?}");
    }
}
