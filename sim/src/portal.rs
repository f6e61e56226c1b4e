//! A portal backend (`--portal`), for the panel's `proxy` mode: the browser holds no token.
//!
//! - `GET /portal/sign-in?account=admin|reader` starts a portal session: a `__Host-`,
//!   `Secure`, `HttpOnly`, `SameSite=Strict` cookie, then back to `/portal/`;
//! - `GET /portal/sign-out` ends it;
//! - `/portal/` serves the panel with a `config.json` in `proxy` mode;
//! - `/portal/mde-proxy/api/libraryfiles...` forwards to the simulator's own API with a token
//!   the server holds for the session's account, only when the request passes the CSRF
//!   checks a portal backend must make ([`csrf_refusal`]: 403 otherwise); without a session it
//!   answers 401.

use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde::Deserialize;
use tower::ServiceExt;

use crate::state::{portal_account, Sim};
use crate::tokens::library_token;
use crate::util::{lock, random_id, random_secret};

/// Name of the portal's session cookie. `__Host-`: the browser keeps it only if it is
/// `Secure`, has `Path=/` and no `Domain`, so no other host of the site (a sibling subdomain)
/// can set or shadow it. Chromium treats loopback as secure, so it works over plain HTTP here.
pub const COOKIE: &str = "__Host-mde_portal_session";
/// The header the panel sends on every call to a same-origin proxy (the app's
/// `api::PROXY_MARKER`): a page cannot send it without a preflight, which this backend never
/// approves (RFC 10017, the BFF's CSRF defence).
pub const MARKER: &str = "x-mde-library-admin";
/// Where the proxied API lives on the portal.
pub const PROXY_PATH: &str = "/portal/mde-proxy";

/// Routes of the portal role.
pub fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/portal/sign-in", get(sign_in))
        .route("/portal/sign-out", get(sign_out))
        .route("/portal/config.json", get(config))
        .route("/portal/", get(crate::app_files::index))
        .route("/portal/mde-proxy/{*rest}", any(forward))
        .with_state(sim)
}

#[derive(Deserialize)]
struct SignIn {
    account: String,
}

async fn sign_in(State(sim): State<Arc<Sim>>, Query(q): Query<SignIn>) -> Response {
    let Some(account) = portal_account(&q.account) else {
        return (StatusCode::BAD_REQUEST, "account must be admin or reader").into_response();
    };
    let id = random_secret();
    lock(&sim.portal_sessions).insert(id.clone(), account);
    let cookie = format!("{COOKIE}={id}; Path=/; Secure; HttpOnly; SameSite=Strict");
    let mut resp = Redirect::to("/portal/").into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

async fn sign_out(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    if let Some(id) = session_id(&req) {
        lock(&sim.portal_sessions).remove(&id);
    }
    let gone = format!("{COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    let mut resp = "Signed out of the portal.".into_response();
    if let Ok(v) = HeaderValue::from_str(&gone) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

async fn config(State(sim): State<Arc<Sim>>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({
            "apiBase": PROXY_PATH,
            "auth": { "mode": "proxy" },
            "rateLimit": sim.rate_limit_json()
        })),
    )
        .into_response()
}

fn session_id(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

/// Why a proxied request must not be forwarded on the session cookie, if it must not: the
/// contract a portal backend keeps (README "proxy"). The marker header proves the request
/// came from script that passed CORS (a form or a `no-cors` fetch cannot send it); where the
/// browser says where a request came from (`Sec-Fetch-Site`, `Origin`), it must be this
/// origin. Checked before the session, so a refused request learns nothing about it.
pub fn csrf_refusal(headers: &axum::http::HeaderMap) -> Option<&'static str> {
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    if text(MARKER) != Some("1") {
        return Some("the request lacks the panel's X-MDE-Library-Admin header");
    }
    if text("sec-fetch-site").is_some_and(|site| site != "same-origin") {
        return Some("the request came from another origin (Sec-Fetch-Site)");
    }
    let own = text("host").map(|host| format!("http://{host}"));
    if text("origin").is_some_and(|origin| Some(origin.to_string()) != own) {
        return Some("the request came from another origin (Origin)");
    }
    None
}

/// Forwards to the API with the session's server-held token: 403 when the CSRF checks fail,
/// 401 without a session.
async fn forward(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    if let Some(why) = csrf_refusal(req.headers()) {
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"error": {
                "code": "Forbidden",
                "message": format!("The portal refused to forward this request: {why}."),
                "target": random_id(),
            }})),
        )
            .into_response();
    }
    let account = session_id(&req).and_then(|id| lock(&sim.portal_sessions).get(&id).copied());
    let Some(account) = account else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": {
                "code": "Unauthorized",
                "message": "No portal session.",
                "target": random_id(),
            }})),
        )
            .into_response();
    };
    let (parts, body) = req.into_parts();
    let Some(rest) = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .and_then(|pq| pq.strip_prefix(PROXY_PATH))
        .map(str::to_string)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(uri) = rest.parse() else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut parts = parts;
    parts.uri = uri;
    // The browser's cookie stays here; the API sees only the server-held token.
    parts.headers.remove(header::COOKIE);
    parts.headers.remove(header::ORIGIN);
    parts.headers.remove(MARKER);
    let bearer = format!("Bearer {}", library_token(&sim, account));
    if let Ok(v) = HeaderValue::from_str(&bearer) {
        parts.headers.insert(header::AUTHORIZATION, v);
    }
    // A fresh request: the outer route's path parameters must not reach the API's routes.
    let mut inner = Request::new(body);
    *inner.method_mut() = parts.method;
    *inner.uri_mut() = parts.uri;
    *inner.headers_mut() = parts.headers;
    let api = crate::api::routes(sim.clone());
    match api.oneshot(inner).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}
