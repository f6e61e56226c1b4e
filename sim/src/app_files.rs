//! Serves the built app (`dist/`), its `config.json` and a health check.
//!
//! `index.html` is served with a strict Content-Security-Policy whose script hashes are
//! computed from the inline bootstrap scripts Trunk writes, so no `'unsafe-inline'` is needed.
//!
//! With the embedding examples on (`--examples-port`), their origin may frame the page and
//! read the built files (`Access-Control-Allow-Origin`), to `import()` the module and fetch
//! the wasm.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use mde_wire::csp;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::state::Sim;

/// Routes for the app and its configuration; everything unknown falls to `dist/`.
pub fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/config.json", get(config))
        .route("/", get(index))
        .route("/index.html", get(index))
        .fallback(dist_file)
        .with_state(sim)
}

/// A file of `dist/`, readable by the examples origin when there is one; unknown paths get
/// the app page (or a 404 for asset-like names, see [`index`]).
async fn dist_file(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let uri = req.uri().clone();
    let from = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    let Ok(resp) = ServeDir::new(&sim.args.dist).oneshot(req).await;
    let mut resp = resp.map(Body::new);
    if resp.status() == StatusCode::NOT_FOUND {
        return index(State(sim), uri).await;
    }
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let ok = resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED;
    if let Some(origin) = sim.examples_origin_for(from.as_deref()) {
        if readable && ok && !is_html {
            if let Ok(v) = HeaderValue::from_str(origin) {
                resp.headers_mut()
                    .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                // Which of the examples' origins is named depends on who asks.
                resp.headers_mut()
                    .insert(header::VARY, HeaderValue::from_static("Origin"));
            }
        }
    }
    resp
}

/// The app configuration pointing at this simulator.
pub fn app_config(sim: &Sim) -> serde_json::Value {
    serde_json::json!({
        "apiBase": sim.api_base(),
        "auth": {
            "mode": "pkce",
            "authority": sim.authority(),
            "clientId": sim.args.client_id,
            "scopes": ["https://api.securitycenter.microsoft.com/Library.Manage"],
            "redirectUri": null
        },
        "rateLimit": sim.rate_limit_json()
    })
}

async fn config(State(sim): State<Arc<Sim>>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(app_config(&sim)),
    )
        .into_response()
}

/// The policy for the app page: only its own scripts, the API and the sign-in authority.
pub fn content_security_policy(sim: &Sim, html: &str) -> String {
    let mut connect = vec!["'self'".to_string()];
    for u in [sim.api_base(), sim.authority()] {
        if let Some(o) = mde_wire::origin_of(&u).map(str::to_string) {
            if !connect.contains(&o) {
                connect.push(o);
            }
        }
    }
    // The embedding examples' portal page frames the panel from its own origin.
    let ancestors: Vec<&str> = std::iter::once("'self'")
        .chain(sim.examples_origins())
        .collect();
    csp::content_security_policy(&csp::inline_script_hashes(html), &connect, &ancestors)
}

/// `index.html` with its Content-Security-Policy (also the portal's page).
pub async fn index(State(sim): State<Arc<Sim>>, uri: Uri) -> Response {
    // Unknown asset paths must be 404s, not the page: a missing .wasm should fail loudly.
    if uri
        .path()
        .rsplit('/')
        .next()
        .is_some_and(|s| s.contains('.'))
        && !matches!(
            uri.path(),
            "/index.html" | "/bridge/index.html" | "/bridge-x/index.html"
        )
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = sim.args.dist.join("index.html");
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => {
            let policy = content_security_policy(&sim, &html);
            let mut resp = (
                [
                    (header::CONTENT_SECURITY_POLICY, policy),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                Html(html),
            )
                .into_response();
            for (name, value) in csp::PAGE_HEADERS {
                // Valid names (a test compares the page's headers with nginx's);
                // HeaderName::from_static would want them in lower case.
                if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                    resp.headers_mut()
                        .insert(name, HeaderValue::from_static(value));
                }
            }
            resp
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html(format!(
                "<!doctype html><title>App not built</title><p>The app is not built: {} is missing. \
                 Run the README's demo command, which builds it with Trunk.</p>",
                crate::util::html_escape(&path.display().to_string())
            )),
        )
            .into_response(),
    }
}
