//! The test control surface under `/_sim` (only with `--control`), and the middlewares that
//! log every request and inject the faults tests asked for.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use mde_wire::LibraryFile;
use serde::{Deserialize, Serialize};

use crate::state::{Sim, ACCOUNTS};
use crate::tokens::API_AUDIENCE;

/// One request as received: never the token, only whether there was one.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path exactly as received, still percent-encoded.
    pub path: String,
    /// Query string as received, if any.
    pub query: Option<String>,
    /// Names of the headers, lower case.
    pub header_names: Vec<String>,
    /// Whether an `Authorization: Bearer` header was present.
    pub bearer: bool,
    /// The `Origin` header, for CORS checks.
    pub origin: Option<String>,
}

/// A failure to answer instead of the real handler, for the next `count` matching requests.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Only requests with this method (any when absent).
    pub method: Option<String>,
    /// Only requests whose raw path starts with this (any when absent).
    pub path_prefix: Option<String>,
    /// How many requests to fail; default one.
    #[serde(default = "one")]
    pub count: u32,
    /// Status to answer; when absent the request only gets the delay.
    pub status: Option<u16>,
    /// JSON body to answer (a string is sent as text).
    pub body: Option<serde_json::Value>,
    /// `Retry-After` header value, sent verbatim (seconds or an HTTP date).
    pub retry_after: Option<String>,
    /// Delay before answering, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
}

fn one() -> u32 {
    1
}

/// Routes under `/_sim`.
pub fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/reset", post(reset))
        .route("/files", get(files).post(add_files))
        .route("/files/{name}", delete(remove_file))
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/expire-refresh-tokens", post(expire_refresh))
        .route("/page-size", post(set_page_size))
        .route("/token", post(mint_token))
        // Scale tests post libraries of 10,000 entries and more.
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024))
        .with_state(sim)
}

/// Logs every request outside `/_sim` (never a token value, only whether one came).
pub async fn log_requests(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/_sim/") {
        let headers = req.headers();
        let entry = LoggedRequest {
            method: req.method().to_string(),
            path: path.to_string(),
            query: req.uri().query().map(str::to_string),
            header_names: headers.keys().map(|k| k.as_str().to_string()).collect(),
            bearer: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ")),
            origin: headers
                .get("origin")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        };
        sim.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
    }
    next.run(req).await
}

/// Answers with an injected fault if one matches. It sits inside each router's CORS layer,
/// so injected answers carry the same CORS headers as real ones and preflights never fail.
pub async fn inject_faults(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    // Nested routers see their path without the prefix; faults match the path as sent.
    let path = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| req.uri().path().to_string(), |u| u.path().to_string());
    let Some(f) = take_fault(&sim, req.method().as_str(), &path) else {
        return next.run(req).await;
    };
    if f.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
    }
    let Some(status) = f.status else {
        return next.run(req).await;
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = match f.body {
        Some(serde_json::Value::String(s)) => (status, s).into_response(),
        Some(v) => (status, Json(v)).into_response(),
        None => status.into_response(),
    };
    if let Some(ra) = f.retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
        resp.headers_mut().insert("retry-after", ra);
    }
    resp
}

fn take_fault(sim: &Sim, method: &str, path: &str) -> Option<Fault> {
    let mut faults = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
    let i = faults.iter().position(|f| {
        f.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && f.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
    })?;
    let f = faults[i].clone();
    if faults[i].count <= 1 {
        faults.remove(i);
    } else {
        faults[i].count -= 1;
    }
    Some(f)
}

/// Body of `POST /_sim/reset`: optional replacement seed.
#[derive(Debug, Default, Deserialize)]
struct ResetBody {
    files: Option<Vec<LibraryFile>>,
}

async fn reset(State(sim): State<Arc<Sim>>, body: Option<Json<ResetBody>>) -> Response {
    let files = body.and_then(|Json(b)| b.files);
    if let Err(e) = sim
        .library
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .reset(files)
    {
        return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
    }
    sim.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
    sim.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    sim.limiters
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn files(State(sim): State<Arc<Sim>>) -> Json<Vec<LibraryFile>> {
    Json(
        sim.library
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .list()
            .to_vec(),
    )
}

/// One file or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<LibraryFile>),
    One(Box<LibraryFile>),
}

async fn add_files(State(sim): State<Arc<Sim>>, Json(body): Json<OneOrMany>) -> Response {
    let list = match body {
        OneOrMany::Many(v) => v,
        OneOrMany::One(f) => vec![*f],
    };
    let mut lib = sim.library.lock().unwrap_or_else(|e| e.into_inner());
    for f in list {
        if let Err(e) = lib.upsert(f, sim.args.case_insensitive_names) {
            return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn remove_file(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> Response {
    match sim
        .library
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&name, sim.args.case_insensitive_names)
    {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn add_fault(State(sim): State<Arc<Sim>>, Json(f): Json<Fault>) -> StatusCode {
    sim.faults.lock().unwrap_or_else(|e| e.into_inner()).push(f);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
    StatusCode::NO_CONTENT
}

async fn requests(State(sim): State<Arc<Sim>>) -> Json<Vec<LoggedRequest>> {
    Json(sim.log.lock().unwrap_or_else(|e| e.into_inner()).clone())
}

async fn clear_requests(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    StatusCode::NO_CONTENT
}

async fn expire_refresh(State(sim): State<Arc<Sim>>) -> StatusCode {
    crate::oidc::expire_refresh_tokens(&sim);
    StatusCode::NO_CONTENT
}

/// Body of `POST /_sim/page-size`: entries per list page, or null for one page.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageSize {
    page_size: Option<usize>,
}

async fn set_page_size(State(sim): State<Arc<Sim>>, Json(p): Json<PageSize>) -> StatusCode {
    *sim.page_size.lock().unwrap_or_else(|e| e.into_inner()) = p.page_size.filter(|&n| n > 0);
    StatusCode::NO_CONTENT
}

/// `POST /_sim/token`: an access token for Ada Admin, signed exactly as the token endpoint
/// signs one after a sign-in with the app's scope. The benchmark's plain-JavaScript baseline
/// page uses it, so it measures listing and rendering without an OAuth client of its own.
async fn mint_token(State(sim): State<Arc<Sim>>) -> Response {
    let scope = format!("{API_AUDIENCE}/Library.Manage");
    let claims = crate::oidc::access_claims(&sim, &ACCOUNTS[0], &sim.args.client_id, &scope);
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({ "accessToken": sim.keys.sign(&claims) })),
    )
        .into_response()
}
