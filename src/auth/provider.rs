//! Calls to the OpenID provider: discovery, and the token endpoint for codes and refresh
//! tokens. Every request goes through [`crate::http`].

use super::protocol::{
    check_endpoints, form_encode, id_claims, read_endpoints, read_token_error, read_token_response,
    token_error, token_set, AuthError, Endpoints, PendingSignIn, TokenResponse, TokenSet,
};
use crate::config::PkceConfig;
use crate::http::{self, Method};

/// Fetches `{authority}/.well-known/openid-configuration`.
pub async fn discover(authority: &str) -> Result<Endpoints, AuthError> {
    let doc_url = format!(
        "{}/.well-known/openid-configuration",
        authority.trim_end_matches('/')
    );
    let fail = |reason: String| AuthError::Discovery {
        url: doc_url.clone(),
        reason,
    };
    let resp = http::get(&doc_url).await.map_err(|e| fail(e.to_string()))?;
    if resp.status != 200 {
        return Err(fail(format!("HTTP {}", resp.status)));
    }
    let ep = read_endpoints(&resp.text).map_err(fail)?;
    check_endpoints(&ep, authority).map_err(fail)?;
    Ok(ep)
}

/// Redeems the code of a checked return and checks the ID token's nonce.
pub async fn redeem_code(
    cfg: &PkceConfig,
    ep: &Endpoints,
    pending: &PendingSignIn,
    code: &str,
    now_ms: u64,
) -> Result<TokenSet, AuthError> {
    let resp = post_token(
        ep,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &cfg.client_id),
            ("code", code),
            ("redirect_uri", &pending.redirect_uri),
            ("code_verifier", &pending.verifier),
        ],
    )
    .await
    .map_err(Failure::into_error)?;
    let set = token_set(&resp, None, now_ms);
    // `openid` was asked for, so an ID token must come, and carry this sign-in's nonce.
    let claims = resp.id_token.as_deref().and_then(id_claims);
    if claims.and_then(|c| c.nonce).as_deref() != Some(pending.nonce.as_str()) {
        return Err(AuthError::NonceMismatch);
    }
    Ok(set)
}

/// Redeems a refresh token; the provider rotates it, so the new one replaces the old.
pub async fn refresh(
    cfg: &PkceConfig,
    ep: &Endpoints,
    redirect_uri: &str,
    previous: &TokenSet,
    now_ms: u64,
) -> Result<TokenSet, AuthError> {
    let Some(rt) = previous.refresh_token.clone() else {
        return Err(AuthError::SignInRequired("no refresh token".into()));
    };
    let scope = cfg.requested_scopes().join(" ");
    let resp = post_token(
        ep,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &cfg.client_id),
            ("refresh_token", &rt),
            ("redirect_uri", redirect_uri),
            ("scope", &scope),
        ],
    )
    .await
    .map_err(|f| match f {
        Failure::Refused(e) => e,
        // The provider answered, so it has most likely rotated the refresh token: the one
        // held is spent, and sending it again would revoke the grant on a strict provider.
        Failure::Lost(_) => AuthError::SignInRequired("the answer to a renewal was lost".into()),
    })?;
    let mut set = token_set(&resp, previous.refresh_token.clone(), now_ms);
    if set.account_name.is_none() {
        set.account_name = previous.account_name.clone();
    }
    if set.account.is_none() {
        set.account = previous.account.clone();
    }
    Ok(set)
}

/// How a grant failed.
enum Failure {
    /// Refused, or never reached the provider.
    Refused(AuthError),
    /// The provider answered, but the answer was cut short or could not be read.
    Lost(String),
}

impl Failure {
    fn into_error(self) -> AuthError {
        match self {
            Failure::Refused(e) => e,
            Failure::Lost(why) => AuthError::Network(why),
        }
    }
}

/// POSTs a grant to the token endpoint (a CORS request, as Entra allows for `spa` URIs).
async fn post_token(ep: &Endpoints, form: &[(&str, &str)]) -> Result<TokenResponse, Failure> {
    let resp = http::send(http::Request {
        method: Method::Post,
        url: &ep.token_endpoint,
        headers: &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ],
        body: Some(&form_encode(form)),
    })
    .await
    .map_err(|e| match e {
        http::HttpError::Body | http::HttpError::TooLarge => Failure::Lost(e.to_string()),
        e => Failure::Refused(AuthError::Network(e.to_string())),
    })?;
    let text = resp.text;
    if (200..300).contains(&resp.status) {
        // The parser's words only: never a fragment of what may be a token response.
        return read_token_response(&text)
            .map_err(|_| Failure::Lost("unreadable token response".into()));
    }
    match read_token_error(&text) {
        Some(body) => {
            let sent = form.iter().find(|(k, _)| *k == "redirect_uri");
            Err(Failure::Refused(token_error(
                body,
                sent.map_or("", |(_, v)| v),
            )))
        }
        None => Err(Failure::Refused(AuthError::Network(format!(
            "token endpoint answered HTTP {}",
            resp.status
        )))),
    }
}
