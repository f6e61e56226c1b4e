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
    .await?;
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
    .await?;
    let mut set = token_set(&resp, previous.refresh_token.clone(), now_ms);
    if set.account_name.is_none() {
        set.account_name = previous.account_name.clone();
    }
    if set.account.is_none() {
        set.account = previous.account.clone();
    }
    Ok(set)
}

/// POSTs a grant to the token endpoint (a CORS request, as Entra allows for `spa` URIs).
async fn post_token(ep: &Endpoints, form: &[(&str, &str)]) -> Result<TokenResponse, AuthError> {
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
    .map_err(|e| AuthError::Network(e.to_string()))?;
    let text = resp.text;
    if (200..300).contains(&resp.status) {
        return read_token_response(&text)
            .map_err(|e| AuthError::Network(format!("unreadable token response: {e}")));
    }
    match read_token_error(&text) {
        Some(body) => Err(token_error(body)),
        None => Err(AuthError::Network(format!(
            "token endpoint answered HTTP {}",
            resp.status
        ))),
    }
}
