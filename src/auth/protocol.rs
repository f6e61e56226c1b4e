//! The OAuth 2.0 / OpenID Connect protocol, pure: authorize URLs, the redirect's query,
//! `state`/`iss`/`nonce` checks, and the provider's JSON documents. No I/O here, so every rule
//! is unit-tested natively.
//!
//! The `oauth2` crate was tried first: with its `url`, `idna` and `http` dependencies it
//! took much of the first load's budget (size lead L47, bench/size-leads.md),
//! for two form posts and one query string. The protocol surface used here is small
//! and fully unit-tested instead.
//!
//! Flow: `provider::discover` → `signin::begin` (stores state, nonce and verifier in
//! `sessionStorage` only across the redirect) → provider → `signin::complete` (checks state
//! and `iss`, redeems the code, checks the nonce) → `provider::refresh` when the access
//! token runs out.

use crate::config::PkceConfig;
use crate::json::Json;
use crate::url;
use crate::wording::first_run;

/// `sessionStorage` key of the sign-in in progress.
pub(crate) const PENDING_KEY: &str = "mde-library-admin.pending-sign-in";
pub use super::PENDING_MAX_AGE_MS;

pub use super::error::AuthError;

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
    /// Whether the access token's `scp` holds `Library.Manage` (`claims`; a hint only), read
    /// here in the sign-in chunk so that the JWT reader stays out of the first load.
    pub library_scope: Option<bool>,
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
    /// Entra's `error_codes[0]`, the AADSTS number (else the one in the description).
    pub aadsts: Option<u32>,
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
    let error = if code_ok { error } else { "unknown_error" };
    let number = first_run::aadsts_number(description);
    if let Some(text) = first_run::first_run_text(error, number, &pending.redirect_uri) {
        return Some(AuthError::FirstRun(text));
    }
    Some(AuthError::Denied {
        error: error.to_string(),
        aadsts: number.map(|n| format!(" (AADSTS{n})")).unwrap_or_default(),
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
    let error_description = doc.opt_string("error_description").ok()?;
    let first_code = doc
        .get("error_codes")
        .and_then(|c| c.items()?.first()?.as_f64())
        .filter(|n| n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(n));
    Some(TokenErrorBody {
        error: doc.string("error").ok()?,
        aadsts: first_code
            .map(|n| n as u32)
            .or_else(|| first_run::aadsts_number(error_description.as_deref()?)),
        error_description,
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
        library_scope: super::claims::has_library_scope(&resp.access_token),
    }
}

/// Maps a token error body to the request's `redirect_uri`: a known first-run failure in its
/// own words; otherwise every `invalid_grant` means a new sign-in is needed.
pub fn token_error(body: TokenErrorBody, redirect_uri: &str) -> AuthError {
    if let Some(known) = first_run::FirstRun::of(&body.error, body.aadsts) {
        let text = known.message(
            redirect_uri,
            &first_run::code_label(&body.error, body.aadsts),
        );
        return if known.sign_in_again() {
            AuthError::SignInAgain(text)
        } else {
            AuthError::FirstRun(text)
        };
    }
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
mod tests;
