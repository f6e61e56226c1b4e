//! The test control surface under `/_sim` (only with `--control`): the library, the faults to
//! inject ([`crate::faults`]), the request log ([`crate::request_log`]) and tokens.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use mde_wire::LibraryFile;
use serde::Deserialize;

use crate::faults::Fault;
use crate::request_log::LoggedRequest;
use crate::state::{PortalTokenRequests, Sim};
use crate::tokens::library_token;
use crate::util::lock;

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
        .route("/without-library-scope", post(without_library_scope))
        .route(
            "/portal-token-requests",
            get(portal_token_requests).delete(clear_portal_token_requests),
        )
        // Scale tests post libraries of 10,000 entries and more.
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024))
        .with_state(sim)
}

/// Body of `POST /_sim/reset`: optional replacement seed.
#[derive(Debug, Default, Deserialize)]
struct ResetBody {
    files: Option<Vec<LibraryFile>>,
}

async fn reset(State(sim): State<Arc<Sim>>, body: Option<Json<ResetBody>>) -> Response {
    let files = body.and_then(|Json(b)| b.files);
    if let Err(e) = lock(&sim.library).reset(files) {
        return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
    }
    lock(&sim.faults).clear();
    lock(&sim.log).clear();
    *lock(&sim.portal_token_requests) = PortalTokenRequests::default();
    *lock(&sim.sso) = None;
    lock(&sim.limiters).clear();
    sim.without_library_scope
        .store(false, std::sync::atomic::Ordering::Relaxed);
    StatusCode::NO_CONTENT.into_response()
}

/// Body of `POST /_sim/without-library-scope`.
#[derive(Debug, Deserialize)]
struct WithoutScopeBody {
    on: bool,
}

/// `POST /_sim/without-library-scope` `{"on": true}`: the access tokens issued from now on
/// (sign-in, refresh, portal backends) carry `scp` without `Library.Manage`.
async fn without_library_scope(
    State(sim): State<Arc<Sim>>,
    Json(b): Json<WithoutScopeBody>,
) -> StatusCode {
    sim.without_library_scope
        .store(b.on, std::sync::atomic::Ordering::Relaxed);
    StatusCode::NO_CONTENT
}

async fn files(State(sim): State<Arc<Sim>>) -> Json<Vec<LibraryFile>> {
    Json(lock(&sim.library).list().to_vec())
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
    let mut lib = lock(&sim.library);
    for f in list {
        if let Err(e) = lib.upsert(f, sim.args.case_insensitive_names) {
            return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn remove_file(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> Response {
    match lock(&sim.library).remove(&name, sim.args.case_insensitive_names) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn add_fault(State(sim): State<Arc<Sim>>, Json(f): Json<Fault>) -> Response {
    if let Some(problem) = f.problem() {
        return (StatusCode::BAD_REQUEST, problem).into_response();
    }
    lock(&sim.faults).push(f);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> StatusCode {
    lock(&sim.faults).clear();
    StatusCode::NO_CONTENT
}

async fn requests(State(sim): State<Arc<Sim>>) -> Json<Vec<LoggedRequest>> {
    Json(lock(&sim.log).clone())
}

async fn clear_requests(State(sim): State<Arc<Sim>>) -> StatusCode {
    lock(&sim.log).clear();
    StatusCode::NO_CONTENT
}

/// `GET /_sim/portal-token-requests`: `{"total":n,"forceRefresh":m}`, the tokens the
/// examples' portal backend (`POST /token` on the examples origin) handed out since the start
/// or the last reset, and how many were asked with `forceRefresh` (after the panel got a 401).
async fn portal_token_requests(State(sim): State<Arc<Sim>>) -> Response {
    let n = *lock(&sim.portal_token_requests);
    ([(header::CACHE_CONTROL, "no-store")], Json(n)).into_response()
}

async fn clear_portal_token_requests(State(sim): State<Arc<Sim>>) -> StatusCode {
    *lock(&sim.portal_token_requests) = PortalTokenRequests::default();
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
    *lock(&sim.page_size) = p.page_size.filter(|&n| n > 0);
    StatusCode::NO_CONTENT
}

/// `POST /_sim/token`: an access token for Ada Admin, signed exactly as the token endpoint
/// signs one after a sign-in with the app's scope. The benchmark's plain-JavaScript baseline
/// page uses it, so it measures listing and rendering without an OAuth client of its own.
async fn mint_token(State(sim): State<Arc<Sim>>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({ "accessToken": library_token(&sim, 0) })),
    )
        .into_response()
}
