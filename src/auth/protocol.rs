//! The OAuth 2.0 / OpenID Connect protocol, pure: authorize URLs, the redirect's query,
//! `state`/`iss`/`nonce` checks, and the provider's JSON documents. No I/O here, so every rule
//! is unit-tested natively.
//!
//! The `oauth2` crate was tried first and measured: with its `url`, `idna` and `http`
//! dependencies it added 105 KB gzip to the first load, two thirds of the 150 KB budget,
//! for two form posts and one query string. The protocol surface used here is small
//! and fully unit-tested instead.
//!
//! Flow: `provider::discover` → `signin::begin` (stores state, nonce and verifier in
//! `sessionStorage` only across the redirect) → provider → `signin::complete` (checks state
//! and `iss`, redeems the code, checks the nonce) → `provider::refresh` when the access
//! token runs out.

use crate::browser::BrowserError;
use crate::config::PkceConfig;
use crate::json::Json;
use crate::url;

/// `sessionStorage` key of the sign-in in progress.
pub(crate) const PENDING_KEY: &str = "mde-library-admin.pending-sign-in";
/// A pending sign-in older than this is discarded (Entra codes live 10 minutes); a popup
/// sign-in is waited for as long.
pub const PENDING_MAX_AGE_MS: u64 = 15 * 60 * 1000;

/// Why signing in or refreshing failed, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Discovery failed or returned something unusable.
    #[error("Could not read the sign-in configuration at {url}: {reason}")]
    Discovery {
        /// Discovery URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The `state` returned does not match the one sent (possible forgery).
    #[error("The sign-in response did not match the request (state mismatch). Sign in again.")]
    StateMismatch,
    /// RFC 9207 `iss` differs from the discovered issuer (possible mix-up attack).
    #[error("The sign-in response came from an unexpected issuer ({0}). Sign in again.")]
    IssuerMismatch(String),
    /// RFC 9207 `iss` is missing though discovery says the provider always sends it.
    #[error("The sign-in response did not name its issuer, which this sign-in service always does. Sign in again.")]
    IssuerMissing,
    /// The ID token's nonce does not match, or no ID token came to check it in.
    #[error(
        "The ID token did not match this sign-in (nonce mismatch or no ID token). Sign in again."
    )]
    NonceMismatch,
    /// A code arrived but no sign-in was started in this tab (or it expired).
    #[error("No sign-in was in progress in this tab, or it took too long. Sign in again.")]
    NoPendingSignIn,
    /// The provider returned `error=` to the redirect URI for this tab's sign-in. Only the
    /// error code and the AADSTS number are kept: the description is free text from the
    /// address bar, which anyone can put there.
    #[error("Sign-in was not completed: {error}{aadsts}.")]
    Denied {
        /// OAuth error code, such as `access_denied` (letters and `_` only).
        error: String,
        /// ` (AADSTS65004)`, or empty.
        aadsts: String,
    },
    /// "Sign in again" came back with another account than the session's: refused, so a
    /// waiting run never goes on as someone else under the first person's name.
    #[error("That was another account ({other}). This session is {this}'s: sign in again as {this}, or sign out to switch accounts.")]
    OtherAccount {
        /// The session's account, by name.
        this: String,
        /// The account that signed in, by name.
        other: String,
    },
    /// The session cannot be renewed silently; a new interactive sign-in is needed.
    #[error("Your sign-in has expired. Sign in again. ({0})")]
    SignInRequired(String),
    /// The token endpoint refused for another reason.
    #[error("The sign-in service refused: {error}. {description}")]
    Token {
        /// OAuth error code.
        error: String,
        /// The provider's description.
        description: String,
    },
    /// The provider could not be reached or answered garbage.
    #[error("The sign-in service could not be reached: {0}")]
    Network(String),
    /// `proxy` mode: the portal's backend answered 401, so its session cookie is gone.
    #[error("Your portal session has expired. Reload the page to sign in to the portal again.")]
    PortalSession,
    /// The embedding portal gave no token (no answer in time, an error, or a bad token);
    /// the portal's own words when it sent some.
    #[error("The portal did not provide a sign-in token.{}", portal_words(.0))]
    Host(Option<String>),
    /// The browser blocked the sign-in popup (the panel is in a frame).
    #[error("The sign-in window was blocked. Allow pop-ups for this page, then try again.")]
    PopupBlocked,
    /// The sign-in window gave no answer while its sign-in could still be completed.
    #[error("The sign-in window did not answer within {} minutes. Sign in again.", PENDING_MAX_AGE_MS / 60_000)]
    PopupTimedOut,
    /// The popup sign-in's code (a wasm chunk) could not be loaded.
    #[error("Part of the panel did not load. Check the connection and sign in again.")]
    SignInUnavailable,
    /// No `BroadcastChannel` to carry the popup's answer, or a frame of another site.
    #[error(
        "This browser cannot sign in through a window here. Open the panel in a tab of its own."
    )]
    PopupUnsupported,
    /// `sessionStorage` is refused (blocked site data, or a frame of another site).
    #[error("This browser blocks session storage here, which signing in needs. Allow this site to store data, or open the panel in a tab of its own.")]
    StorageBlocked,
    /// A browser API failed.
    #[error("{0}")]
    Browser(#[from] BrowserError),
}

fn portal_words(words: &Option<String>) -> String {
    words
        .as_ref()
        .map(|w| format!(" ({w})"))
        .unwrap_or_default()
}

/// The endpoints found through discovery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Issuer identifier, compared with RFC 9207 `iss`.
    pub issuer: String,
    /// Where the browser is sent to sign in.
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are redeemed.
    pub token_endpoint: String,
    /// Where the browser signs out of the provider, if it has one.
    pub end_session_endpoint: Option<String>,
    /// Discovery's `authorization_response_iss_parameter_supported`: `iss` is then required.
    pub iss_required: bool,
}

/// What the app keeps across the redirect, in `sessionStorage`, and removes on return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingSignIn {
    /// CSRF state sent to the provider.
    pub state: String,
    /// Nonce expected in the ID token.
    pub nonce: String,
    /// PKCE verifier.
    pub verifier: String,
    /// Redirect URI used; must be repeated when redeeming.
    pub redirect_uri: String,
    /// Issuer from discovery.
    pub issuer: String,
    /// When the sign-in started (ms since epoch).
    pub started_ms: u64,
    /// The filter text on the page, restored after the round trip.
    pub filter: String,
    /// A `prompt=none` attempt: "interaction required" then just means "show Sign in".
    pub silent: bool,
}

/// Tokens of a signed-in session. Held in memory only.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// The API access token.
    pub access_token: String,
    /// When it expires (ms since epoch).
    pub expires_at_ms: u64,
    /// Refresh token, when `offline_access` was granted.
    pub refresh_token: Option<String>,
    /// The account's display name, from the ID token, for display only.
    pub account_name: Option<String>,
    /// The account's sign-in name, from the ID token: the `login_hint` of a silent sign-in.
    pub login_hint: Option<String>,
    /// `tid:oid` from the ID token: which person the session is, compared when signing in
    /// again (a display name can be anyone's).
    pub account: Option<String>,
}

// Never print tokens, even in a debug dump.
impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_at_ms", &self.expires_at_ms)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("account_name", &self.account_name)
            .finish_non_exhaustive()
    }
}

/// `k=v&k=v`, every key and value percent-encoded: a query string or a form body.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| url::encode(k) + "=" + &url::encode(v))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decoded `key=value` pairs of a URL's query (`+` is a space, as in forms).
pub fn query_pairs(href: &str) -> Vec<(String, String)> {
    let Some(q) = href
        .split('#')
        .next()
        .and_then(|h| h.split_once('?'))
        .map(|(_, q)| q)
    else {
        return Vec::new();
    };
    let decode = |s: &str| url::decode(&s.replace('+', " "));
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A successful token response (RFC 6749 §5.1, plus OpenID's `id_token`).
#[derive(Debug, PartialEq)]
pub(crate) struct TokenResponse {
    pub(crate) access_token: String,
    pub(crate) expires_in: Option<u64>,
    pub(crate) refresh_token: Option<String>,
    pub(crate) id_token: Option<String>,
}

/// A token error response (RFC 6749 §5.2), as Entra sends it.
#[derive(Debug, PartialEq)]
pub struct TokenErrorBody {
    /// OAuth error code.
    pub error: String,
    /// Text such as "AADSTS700082: …".
    pub error_description: Option<String>,
}

/// What the address bar says about a returning sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Return {
    /// Not a return from the provider.
    None,
    /// A code to redeem.
    Code {
        /// Authorization code.
        code: String,
        /// Returned state.
        state: String,
        /// RFC 9207 issuer, when sent.
        iss: Option<String>,
    },
    /// The provider reported an error.
    Error {
        /// OAuth error code.
        error: String,
        /// Description.
        description: String,
        /// Returned state.
        state: Option<String>,
        /// RFC 9207 issuer, when sent.
        iss: Option<String>,
    },
}

/// Reads `code`/`error`, `state` and `iss` from a URL's query.
pub fn parse_return(href: &str) -> Return {
    let pairs = query_pairs(href);
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if let Some(error) = get("error") {
        return Return::Error {
            error,
            description: get("error_description").unwrap_or_default(),
            state: get("state"),
            iss: get("iss"),
        };
    }
    match (get("code"), get("state")) {
        (Some(code), Some(state)) => Return::Code {
            code,
            state,
            iss: get("iss"),
        },
        (Some(_), None) => Return::Error {
            error: "invalid_response".into(),
            description: "The provider returned a code without state.".into(),
            state: None,
            iss: get("iss"),
        },
        _ => Return::None,
    }
}

/// The URL without query and fragment: the default redirect URI, and the clean address.
pub fn strip_query(href: &str) -> String {
    let end = href.find(['?', '#']).unwrap_or(href.len());
    href[..end].to_string()
}

/// Checks the returned `state` and RFC 9207 `iss` against the pending sign-in.
pub fn check_return(
    pending: &PendingSignIn,
    state: Option<&str>,
    iss: Option<&str>,
    iss_required: bool,
    now_ms: u64,
) -> Result<(), AuthError> {
    if now_ms.saturating_sub(pending.started_ms) > PENDING_MAX_AGE_MS {
        return Err(AuthError::NoPendingSignIn);
    }
    // Constant-time equality is not needed: the state is single-use and compared once.
    if state != Some(pending.state.as_str()) {
        return Err(AuthError::StateMismatch);
    }
    match iss {
        Some(i) if i != pending.issuer => Err(AuthError::IssuerMismatch(i.to_string())),
        None if iss_required => Err(AuthError::IssuerMissing),
        _ => Ok(()),
    }
}

/// The error a returning `error=` response means for this tab, or `None` when it answers no
/// sign-in of this tab (wrong or missing `state`): such a response is ignored, and the
/// sign-in in progress, if any, is left alone.
pub fn error_return(
    pending: Option<&PendingSignIn>,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Option<AuthError> {
    let pending = pending?;
    if state != Some(pending.state.as_str()) {
        return None;
    }
    let code_ok = !error.is_empty()
        && error.len() <= 64
        && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    let aadsts = description
        .find("AADSTS")
        .map(|i| {
            let digits: String = description[i + 6..]
                .chars()
                .take_while(char::is_ascii_digit)
                .take(9)
                .collect();
            digits
        })
        .filter(|d| !d.is_empty())
        .map(|d| format!(" (AADSTS{d})"))
        .unwrap_or_default();
    Some(AuthError::Denied {
        error: if code_ok { error } else { "unknown_error" }.to_string(),
        aadsts,
    })
}

/// Whether a silent sign-in's error only means "the person has to sign in interactively".
pub fn needs_interaction(error: &str) -> bool {
    matches!(
        error,
        "interaction_required"
            | "login_required"
            | "consent_required"
            | "account_selection_required"
    )
}

/// Checks discovered endpoints: https (or loopback http), on the authority's own origin, so a
/// tampered discovery document cannot send codes or tokens anywhere else.
pub fn check_endpoints(ep: &Endpoints, authority: &str) -> Result<(), String> {
    let origin = mde_wire::origin_of(authority).unwrap_or_default();
    let endpoints = [&ep.authorization_endpoint, &ep.token_endpoint]
        .into_iter()
        .chain(ep.end_session_endpoint.as_ref());
    for u in endpoints {
        let same_origin = mde_wire::origin_of(u).is_some_and(|o| o.eq_ignore_ascii_case(origin))
            && u.as_bytes().get(origin.len()) == Some(&b'/');
        if !url::is_secure(u) || !same_origin {
            return Err(format!(
                "endpoint {u} is not on the authority's https origin {origin}"
            ));
        }
    }
    Ok(())
}

/// Claims of the ID token the app uses; display and nonce only, never authorization.
#[derive(Debug, PartialEq)]
pub struct IdClaims {
    /// Display name.
    pub name: Option<String>,
    /// Sign-in name.
    pub preferred_username: Option<String>,
    /// Nonce echoed from the request.
    pub nonce: Option<String>,
    /// Entra's opaque hint for later sign-ins of the same account.
    pub login_hint: Option<String>,
    /// `tid:oid`: the tenant and the account's object id, which person this is.
    pub account: Option<String>,
}

/// Decodes (without verifying) the payload of a JWT.
pub fn id_claims(jwt: &str) -> Option<IdClaims> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = crate::b64url::decode(payload)?;
    let claims = Json::parse(std::str::from_utf8(&bytes).ok()?).ok()?;
    Some(IdClaims {
        name: claims.opt_string("name").ok()?,
        preferred_username: claims.opt_string("preferred_username").ok()?,
        nonce: claims.opt_string("nonce").ok()?,
        login_hint: claims.opt_string("login_hint").ok()?,
        account: match (
            claims.opt_string("tid").ok()?,
            claims.opt_string("oid").ok()?,
        ) {
            (Some(tid), Some(oid)) => Some(tid + ":" + &oid),
            _ => None,
        },
    })
}

/// Reads a discovery document.
pub fn read_endpoints(text: &str) -> Result<Endpoints, String> {
    let doc = Json::parse(text).map_err(|e| e.to_string())?;
    Ok(Endpoints {
        issuer: doc.string("issuer")?,
        authorization_endpoint: doc.string("authorization_endpoint")?,
        token_endpoint: doc.string("token_endpoint")?,
        end_session_endpoint: doc.opt_string("end_session_endpoint")?,
        iss_required: doc
            .opt_bool("authorization_response_iss_parameter_supported")?
            .unwrap_or(false),
    })
}

/// Reads a token response (RFC 6749 §5.1) or a token error (§5.2).
pub(crate) fn read_token_response(text: &str) -> Result<TokenResponse, String> {
    let doc = Json::parse(text).map_err(|e| e.to_string())?;
    Ok(TokenResponse {
        access_token: doc.string("access_token")?,
        expires_in: doc.opt_u64("expires_in")?,
        refresh_token: doc.opt_string("refresh_token")?,
        id_token: doc.opt_string("id_token")?,
    })
}

/// Reads a token error body (RFC 6749 §5.2).
pub fn read_token_error(text: &str) -> Option<TokenErrorBody> {
    let doc = Json::parse(text).ok()?;
    Some(TokenErrorBody {
        error: doc.string("error").ok()?,
        error_description: doc.opt_string("error_description").ok()?,
    })
}

impl PendingSignIn {
    /// The record as `sessionStorage` keeps it: form-encoded pairs.
    pub fn encode(&self) -> String {
        form_encode(&[
            ("state", &self.state),
            ("nonce", &self.nonce),
            ("verifier", &self.verifier),
            ("redirect_uri", &self.redirect_uri),
            ("issuer", &self.issuer),
            ("started_ms", &self.started_ms.to_string()),
            ("filter", &self.filter),
            ("silent", if self.silent { "1" } else { "0" }),
        ])
    }

    /// Reads a record written by `encode`; `None` if any part is missing.
    pub fn decode(text: &str) -> Option<PendingSignIn> {
        let pairs = query_pairs(&format!("?{text}"));
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        Some(PendingSignIn {
            state: get("state")?,
            nonce: get("nonce")?,
            verifier: get("verifier")?,
            redirect_uri: get("redirect_uri")?,
            issuer: get("issuer")?,
            started_ms: get("started_ms")?.parse().ok()?,
            filter: get("filter").unwrap_or_default(),
            silent: get("silent").as_deref() == Some("1"),
        })
    }
}

/// The authorization request URL (RFC 6749 §4.1.1 with RFC 7636 PKCE and OpenID nonce).
pub fn authorize_url(
    cfg: &PkceConfig,
    ep: &Endpoints,
    redirect_uri: &str,
    pending: &PendingSignIn,
    challenge: &str,
    (prompt, hint): (Option<&str>, Option<&str>),
) -> String {
    let scope = cfg.requested_scopes().join(" ");
    let mut query = form_encode(&[
        ("client_id", &cfg.client_id),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri),
        ("response_mode", "query"),
        ("scope", &scope),
        ("state", &pending.state),
        ("nonce", &pending.nonce),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]);
    // `prompt=none` (silent) or `select_account`; the account's `login_hint` for the silent
    // attempt and for "Sign in again", which must be the same person.
    if let Some(prompt) = prompt {
        query = query + "&" + &form_encode(&[("prompt", prompt)]);
    }
    if let Some(hint) = hint {
        query = query + "&" + &form_encode(&[("login_hint", hint)]);
    }
    let sep = if ep.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{sep}{query}", ep.authorization_endpoint)
}

pub(crate) fn token_set(
    resp: &TokenResponse,
    old_refresh: Option<String>,
    now_ms: u64,
) -> TokenSet {
    let lifetime = resp.expires_in.unwrap_or(3600).saturating_mul(1000);
    let claims = resp.id_token.as_deref().and_then(id_claims);
    TokenSet {
        access_token: resp.access_token.clone(),
        expires_at_ms: now_ms + lifetime,
        // Providers rotate refresh tokens; keep the old one only when no new one came.
        refresh_token: resp.refresh_token.clone().or(old_refresh),
        login_hint: claims
            .as_ref()
            .and_then(|c| c.login_hint.clone().or(c.preferred_username.clone())),
        account: claims.as_ref().and_then(|c| c.account.clone()),
        account_name: claims.and_then(|c| c.name.or(c.preferred_username)),
    }
}

/// Maps a token error body; every `invalid_grant` means a new sign-in is needed.
pub fn token_error(body: TokenErrorBody) -> AuthError {
    let description = body.error_description.unwrap_or_default();
    if body.error == "invalid_grant" {
        AuthError::SignInRequired(description)
    } else {
        AuthError::Token {
            error: body.error,
            description,
        }
    }
}

/// A bearer token is visible ASCII (RFC 6750 `b64token`, JWTs included): anything else (CR,
/// LF, spaces, characters above U+00FF) would be refused by the browser inside `fetch`, or
/// worse, split a header.
pub fn is_valid_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            token_error(body),
            AuthError::SignInRequired("AADSTS700082: expired".into())
        );
        let other = TokenErrorBody {
            error: "invalid_client".into(),
            error_description: None,
        };
        assert!(matches!(token_error(other), AuthError::Token { .. }));
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
}
