//! An OpenID provider shaped like Entra ID v2: discovery, an authorize page to pick an
//! account, a token endpoint (authorization code with PKCE S256, refresh) and JWKS.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tower_http::cors::{Any, CorsLayer};

use crate::errors::EntraError;
use crate::state::{Account, Sim, ACCOUNTS};
use crate::tokens::{access_claims, api_scopes, API_AUDIENCE};
use crate::util::{html_escape, lock, now_s, random_id, random_secret};

/// Authorization codes live ten minutes, as Entra's do.
const CODE_LIFETIME_S: u64 = 600;

/// An authorize request waiting for the person to pick an account.
#[derive(Clone, Debug)]
pub struct PendingAuthorize {
    params: AuthorizeParams,
}

/// An issued authorization code and everything it was bound to.
#[derive(Clone, Debug)]
pub struct AuthCode {
    client_id: String,
    redirect_uri: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    scope: String,
    nonce: Option<String>,
    account: usize,
    expires_at: u64,
}

/// A refresh token: which grant family it belongs to and when the family dies.
#[derive(Clone, Debug)]
pub struct RefreshGrant {
    family: String,
    client_id: String,
    scope: String,
    account: usize,
    expires_at: u64,
    used: bool,
}

/// Query of `GET /authorize`.
#[derive(Clone, Debug, Deserialize)]
pub struct AuthorizeParams {
    client_id: Option<String>,
    response_type: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    response_mode: Option<String>,
    prompt: Option<String>,
    login_hint: Option<String>,
}

/// Routes of the OpenID provider, all under `/{tenant}/`.
pub fn routes(sim: Arc<Sim>) -> Router {
    // Entra enables CORS on these for `spa` redirect URIs; the sign-in page itself is a navigation.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any);
    let fetchable = Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route("/{tenant}/oauth2/v2.0/token", axum::routing::post(token))
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            crate::faults::inject_faults,
        ))
        .layer(cors);
    Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize_page).post(authorize_answer),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
        // Navigations, not fetches: no CORS layer, but faults apply as everywhere.
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            crate::faults::inject_faults,
        ))
        .layer(axum::middleware::map_response_with_state(
            sim.clone(),
            opener_policy,
        ))
        .merge(fetchable)
        .with_state(sim)
}

/// Entra ID sends `Cross-Origin-Opener-Policy: same-origin` on its sign-in pages (MSAL.js v5
/// migration guide: "Microsoft Entra ID has COOP enabled by default"). A popup that gets here
/// moves to another browsing-context group: its opener sees it closed at once, and back at the
/// redirect URI it has no `window.opener` and no `window.name`. `--no-coop` leaves it out.
async fn opener_policy(State(sim): State<Arc<Sim>>, mut resp: Response) -> Response {
    if !sim.args.no_coop {
        resp.headers_mut().insert(
            "cross-origin-opener-policy",
            axum::http::HeaderValue::from_static("same-origin"),
        );
    }
    resp
}

fn check_tenant(sim: &Sim, tenant: &str) -> Result<(), EntraError> {
    // Entra accepts the tenant id, and also the "organizations" alias.
    if tenant == sim.args.tenant || tenant == "organizations" {
        Ok(())
    } else {
        Err(EntraError::new(
            "invalid_tenant",
            90002,
            format!("Tenant '{tenant}' not found."),
        ))
    }
}

async fn discovery(
    State(sim): State<Arc<Sim>>,
    Path(tenant): Path<String>,
) -> Result<Response, EntraError> {
    check_tenant(&sim, &tenant)?;
    let base = format!("{}/{}", sim.public_url, sim.args.tenant);
    Ok(Json(serde_json::json!({
        "issuer": sim.authority(),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": sim.args.send_iss,
        "tenant_region_scope": "EU",
    }))
    .into_response())
}

async fn jwks(State(sim): State<Arc<Sim>>, Path(tenant): Path<String>) -> Response {
    match check_tenant(&sim, &tenant) {
        Ok(()) => Json(sim.keys.jwks()).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Entra's own error page: for what it will not redirect (the redirect target is not trusted).
pub(crate) fn error_page(status: StatusCode, e: &EntraError) -> Response {
    let desc = e.description(&random_id(), &random_id());
    let html = format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Sign in error</title></head>\
         <body><main><h1>Sorry, but we're having trouble signing you in.</h1><p>{}</p></main></body></html>",
        html_escape(&desc)
    );
    (status, Html(html)).into_response()
}

fn append_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = uri.to_string();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in pairs {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&utf8_percent_encode(v, NON_ALPHANUMERIC).to_string());
        sep = '&';
    }
    out
}

/// Problems that must not be redirected (the redirect target itself is not trusted).
fn validate_client(sim: &Sim, p: &AuthorizeParams) -> Result<String, EntraError> {
    if p.client_id.as_deref() != Some(sim.args.client_id.as_str()) {
        return Err(EntraError::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{}' was not found in the directory.",
                p.client_id.as_deref().unwrap_or("")
            ),
        ));
    }
    let redirect = p.redirect_uri.clone().unwrap_or_default();
    if !sim.redirect_uris.contains(&redirect) {
        return Err(EntraError::new(
            "invalid_request",
            50011,
            format!("The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application."),
        ));
    }
    Ok(redirect)
}

async fn authorize_page(
    State(sim): State<Arc<Sim>>,
    Path(tenant): Path<String>,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    if let Err(e) = check_tenant(&sim, &tenant) {
        return error_page(StatusCode::BAD_REQUEST, &e);
    }
    let redirect = match validate_client(&sim, &p) {
        Ok(r) => r,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e),
    };
    if p.response_type.as_deref() != Some("code") {
        let e = EntraError::new(
            "unsupported_response_type",
            700054,
            "response_type must be 'code' for this application.",
        );
        return redirect_error(&sim, &redirect, p.state.as_deref(), &e);
    }
    if p.response_mode.as_deref().is_some_and(|m| m != "query") {
        let e = EntraError::new(
            "invalid_request",
            900144,
            "The simulator only supports response_mode=query.",
        );
        return redirect_error(&sim, &redirect, p.state.as_deref(), &e);
    }
    if p.prompt.as_deref() == Some("none") {
        // Silent: answered at once from the provider's session, never with a page.
        let signed_in = *lock(&sim.sso);
        let hint_ok = |a: usize| p.login_hint.as_deref().is_none_or(|h| h == ACCOUNTS[a].upn);
        return match signed_in.filter(|&a| hint_ok(a)) {
            Some(account) => issue_code(&sim, &p, account, &redirect),
            None => {
                let e = EntraError::new(
                    "login_required",
                    50058,
                    "A silent sign-in request was sent but no user is signed in.",
                );
                redirect_error(&sim, &redirect, p.state.as_deref(), &e)
            }
        };
    }
    let id = random_secret();
    let scope = p.scope.clone().unwrap_or_default();
    lock(&sim.pending).insert(id.clone(), PendingAuthorize { params: p });
    let accounts: String = ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "<li><button type=submit name=account value={i}>{} <small>{} ({})</small></button></li>",
                html_escape(a.name),
                html_escape(a.upn),
                if a.library_role { "Defender role: manage security settings" } else { "Defender role: view only" },
            )
        })
        .collect();
    let html = format!(
        r#"<!doctype html><html lang=en><head><meta charset=utf-8><title>Sign in to your account</title>
<meta name=viewport content="width=device-width,initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}}main{{max-width:30rem;margin:3rem auto;background:#fff;padding:2rem;box-shadow:0 2px 6px #0003}}
ul{{list-style:none;padding:0}}li{{margin:.5rem 0}}button{{width:100%;text-align:left;padding:.75rem;font-size:1rem;cursor:pointer}}small{{display:block;color:#555}}.deny{{text-align:center;width:auto}}</style></head>
<body><main><h1>Pick an account</h1>
<p>Simulated Entra ID sign-in for tenant <code>{tenant}</code>. The app asks for: <code>{scope}</code></p>
<form method=post><input type=hidden name=request value="{id}"><ul>{accounts}</ul>
<button class=deny type=submit name=deny value=1>Deny</button></form></main></body></html>"#,
        tenant = html_escape(&sim.args.tenant),
        scope = html_escape(&scope),
        id = html_escape(&id),
    );
    // The sign-in page is not framed and runs no script.
    (
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Html(html),
    )
        .into_response()
}

/// The form the sign-in page posts.
#[derive(Debug, Deserialize)]
pub struct AuthorizeAnswer {
    request: String,
    account: Option<usize>,
    deny: Option<String>,
}

/// Back to the redirect URI with `error`, `error_description`, `state` (and `iss`).
pub(crate) fn redirect_error(
    sim: &Sim,
    redirect: &str,
    state: Option<&str>,
    e: &EntraError,
) -> Response {
    let desc = e.description(&random_id(), &random_id());
    let mut pairs = vec![("error", e.error), ("error_description", desc.as_str())];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    let authority = sim.authority();
    if sim.args.send_iss {
        pairs.push(("iss", authority.as_str()));
    }
    Redirect::to(&append_query(redirect, &pairs)).into_response()
}

async fn authorize_answer(
    State(sim): State<Arc<Sim>>,
    Path(tenant): Path<String>,
    Form(answer): Form<AuthorizeAnswer>,
) -> Response {
    if let Err(e) = check_tenant(&sim, &tenant) {
        return error_page(StatusCode::BAD_REQUEST, &e);
    }
    let pending = lock(&sim.pending).remove(&answer.request);
    let Some(PendingAuthorize { params: p }) = pending else {
        let e = EntraError::new(
            "invalid_request",
            90014,
            "The sign-in request expired or was already answered. Start again from the app.",
        );
        return error_page(StatusCode::BAD_REQUEST, &e);
    };
    let redirect = p.redirect_uri.clone().unwrap_or_default();
    if answer.deny.is_some() {
        let e = EntraError::new(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        );
        return redirect_error(&sim, &redirect, p.state.as_deref(), &e);
    }
    let Some(account) = answer.account.filter(|&i| i < ACCOUNTS.len()) else {
        let e = EntraError::new("invalid_request", 90014, "No account was chosen.");
        return error_page(StatusCode::BAD_REQUEST, &e);
    };
    *lock(&sim.sso) = Some(account);
    issue_code(&sim, &p, account, &redirect)
}

/// Query of the logout (end-session) endpoint.
#[derive(Debug, Deserialize)]
pub struct LogoutParams {
    post_logout_redirect_uri: Option<String>,
}

/// Ends the provider's session, then goes back to a registered redirect URI.
async fn logout(
    State(sim): State<Arc<Sim>>,
    Path(tenant): Path<String>,
    Query(q): Query<LogoutParams>,
) -> Response {
    if let Err(e) = check_tenant(&sim, &tenant) {
        return error_page(StatusCode::BAD_REQUEST, &e);
    }
    *lock(&sim.sso) = None;
    match q.post_logout_redirect_uri {
        Some(back) if sim.redirect_uris.contains(&back) => Redirect::to(&back).into_response(),
        _ => Html("<!doctype html><title>Signed out</title><p>You signed out of your account.</p>")
            .into_response(),
    }
}

/// Issues a code for `account` and sends the browser back with it.
fn issue_code(sim: &Sim, p: &AuthorizeParams, account: usize, redirect: &str) -> Response {
    let code = random_secret();
    lock(&sim.codes).insert(
        code.clone(),
        AuthCode {
            client_id: p.client_id.clone().unwrap_or_default(),
            redirect_uri: redirect.to_string(),
            code_challenge: p.code_challenge.clone(),
            code_challenge_method: p.code_challenge_method.clone(),
            scope: p.scope.clone().unwrap_or_default(),
            nonce: p.nonce.clone(),
            account,
            expires_at: now_s() + CODE_LIFETIME_S,
        },
    );
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = p.state.as_deref() {
        pairs.push(("state", s));
    }
    let authority = sim.authority();
    if sim.args.send_iss {
        pairs.push(("iss", authority.as_str()));
    }
    Redirect::to(&append_query(redirect, &pairs)).into_response()
}

/// Form of `POST /token`.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

/// A successful token response.
#[derive(Debug, Serialize)]
struct TokenResponse {
    token_type: &'static str,
    scope: String,
    expires_in: u64,
    ext_expires_in: u64,
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

/// PKCE S256: base64url(sha256(verifier)) must equal the challenge.
pub fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

async fn token(
    State(sim): State<Arc<Sim>>,
    Path(tenant): Path<String>,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, EntraError> {
    check_tenant(&sim, &tenant)?;
    let Form(f) = form.map_err(|e| {
        EntraError::new(
            "invalid_request",
            900144,
            format!("The request body must be application/x-www-form-urlencoded: {e}"),
        )
    })?;
    if f.client_id.as_deref() != Some(sim.args.client_id.as_str()) {
        let mut e = EntraError::new(
            "invalid_client",
            700016,
            format!(
                "Application with identifier '{}' was not found in the directory.",
                f.client_id.as_deref().unwrap_or("")
            ),
        );
        e.status = StatusCode::UNAUTHORIZED;
        return Err(e);
    }
    match f.grant_type.as_deref() {
        Some("authorization_code") => redeem_code(&sim, &f),
        Some("refresh_token") => redeem_refresh(&sim, &f),
        other => Err(EntraError::new(
            "unsupported_grant_type",
            70003,
            format!(
                "The app requested an unsupported grant type '{}'.",
                other.unwrap_or("")
            ),
        )),
    }
}

fn redeem_code(sim: &Sim, f: &TokenForm) -> Result<Response, EntraError> {
    let code = f.code.as_deref().unwrap_or_default();
    // A code is single use: removed before any check, so a failed attempt also burns it.
    let c = lock(&sim.codes).remove(code).ok_or_else(|| {
        EntraError::new(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed or is not valid.",
        )
    })?;
    if c.expires_at < now_s() {
        return Err(EntraError::new(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity.",
        ));
    }
    if f.client_id.as_deref() != Some(c.client_id.as_str())
        || f.redirect_uri.as_deref() != Some(c.redirect_uri.as_str())
    {
        return Err(EntraError::new(
            "invalid_grant",
            50148,
            "The redirect_uri or client_id does not match the one used in the authorization request.",
        ));
    }
    let (Some(challenge), Some("S256")) = (
        c.code_challenge.as_deref(),
        c.code_challenge_method.as_deref(),
    ) else {
        return Err(EntraError::new(
            "invalid_request",
            9002325,
            "Proof Key for Code Exchange with code_challenge_method S256 is required for cross-origin authorization code redemption.",
        ));
    };
    let Some(verifier) = f.code_verifier.as_deref() else {
        return Err(EntraError::new(
            "invalid_grant",
            501481,
            "The Code_Verifier was not supplied.",
        ));
    };
    if s256(verifier) != challenge {
        return Err(EntraError::new(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    let family = random_id();
    let expires_at = now_s() + sim.args.refresh_token_lifetime;
    issue(
        sim,
        c.account,
        &c.client_id,
        &c.scope,
        c.nonce.as_deref(),
        family,
        expires_at,
    )
}

fn redeem_refresh(sim: &Sim, f: &TokenForm) -> Result<Response, EntraError> {
    let rt = f.refresh_token.as_deref().unwrap_or_default();
    let mut grants = lock(&sim.refresh);
    let Some(g) = grants.get_mut(rt) else {
        return Err(EntraError::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid: the refresh token is not known.",
        ));
    };
    let family = g.family.clone();
    if lock(&sim.revoked_families).contains(&family) {
        return Err(EntraError::new(
            "invalid_grant",
            50173,
            "The provided grant has been revoked. Sign in again.",
        ));
    }
    if g.used {
        // Rotation: reuse of a spent refresh token revokes the whole grant.
        lock(&sim.revoked_families).insert(family);
        return Err(EntraError::new(
            "invalid_grant",
            50173,
            "The refresh token was already used; the grant has been revoked. Sign in again.",
        ));
    }
    if g.expires_at <= now_s() {
        // A refresh token of a `spa` redirect URI has a fixed 24-hour lifetime: Entra names
        // its end AADSTS700084 (700082 is the inactivity expiry of other clients' tokens).
        return Err(crate::faults::entra::spa_refresh_expired());
    }
    if f.client_id.as_deref() != Some(g.client_id.as_str()) {
        return Err(EntraError::new(
            "invalid_grant",
            70000,
            "The refresh token was issued to another client.",
        ));
    }
    g.used = true;
    let g = g.clone();
    drop(grants);
    let scope = f.scope.clone().unwrap_or(g.scope);
    issue(
        sim,
        g.account,
        &g.client_id,
        &scope,
        None,
        g.family,
        g.expires_at,
    )
}

#[allow(clippy::too_many_arguments)]
fn issue(
    sim: &Sim,
    account: usize,
    client_id: &str,
    scope: &str,
    nonce: Option<&str>,
    family: String,
    refresh_expires_at: u64,
) -> Result<Response, EntraError> {
    let a: &Account = &ACCOUNTS[account];
    let now = now_s();
    let scp = api_scopes(scope);
    let claims = access_claims(sim, a, client_id, scope);
    let words: Vec<&str> = scope.split(' ').collect();
    let id_token = words.contains(&"openid").then(|| {
        let mut c = HashMap::new();
        c.insert("aud", serde_json::json!(client_id));
        c.insert("iss", serde_json::json!(sim.authority()));
        c.insert("iat", serde_json::json!(now));
        c.insert("nbf", serde_json::json!(now));
        c.insert("exp", serde_json::json!(now + 3600));
        c.insert("tid", serde_json::json!(sim.args.tenant));
        c.insert("oid", serde_json::json!(a.oid));
        c.insert("sub", serde_json::json!(a.oid));
        c.insert("name", serde_json::json!(a.name));
        c.insert("preferred_username", serde_json::json!(a.upn));
        // Entra's optional `login_hint` claim: what a later `prompt=none` request passes back.
        c.insert("login_hint", serde_json::json!(a.upn));
        if let Some(n) = nonce {
            c.insert("nonce", serde_json::json!(n));
        }
        sim.keys.sign(&c)
    });
    let refresh_token = words.contains(&"offline_access").then(|| {
        let rt = random_secret();
        lock(&sim.refresh).insert(
            rt.clone(),
            RefreshGrant {
                family,
                client_id: client_id.into(),
                scope: scope.into(),
                account,
                expires_at: refresh_expires_at,
                used: false,
            },
        );
        rt
    });
    let granted: Vec<String> = scp
        .iter()
        .map(|s| format!("{API_AUDIENCE}/{s}"))
        .chain(
            ["openid", "profile", "offline_access", "email"]
                .iter()
                .filter(|s| words.contains(s))
                .map(|s| s.to_string()),
        )
        .collect();
    let body = TokenResponse {
        token_type: "Bearer",
        scope: granted.join(" "),
        expires_in: sim.args.access_token_lifetime,
        ext_expires_in: sim.args.access_token_lifetime,
        access_token: sim.keys.sign(&claims),
        refresh_token,
        id_token,
    };
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response())
}

/// Marks every refresh token as expired (control surface).
pub fn expire_refresh_tokens(sim: &Sim) {
    for g in lock(&sim.refresh).values_mut() {
        g.expires_at = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
