//! The embedding examples (`--examples-port`): a second origin that plays an internal portal
//! ("Contoso Security Portal") showing the panel three ways, and the panel-side routes they use.
//!
//! On the examples origin (same host, the examples port):
//! - the files of `--examples-dir` (`index.html`, `iframe.html`, `iframe-signin.html`,
//!   `mount.html`, …), never cached;
//! - `GET /example-config.json`: where the panel and the API are, so the pages hard-code no port;
//! - `POST /token` `{"account":"admin"|"reader","forceRefresh":bool}` → `{"accessToken":…}`:
//!   the portal backend handing its page a delegated token, signed as the token endpoint signs
//!   one. Counted in [`Sim::portal_token_requests`] (`GET /_sim/portal-token-requests`).
//!
//! On the panel origin:
//! - `/bridge/` serves the app page, and `/bridge/config.json` puts it in `bridge` mode with the
//!   examples origin as its host, so it asks the framing page for tokens by `postMessage`.
//!
//! [`crate::app_files`] adds the examples origin to the app page's `frame-ancestors` and to the
//! `Access-Control-Allow-Origin` of the built files, so a page there can frame the panel and
//! `import()` its module.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tower_http::services::ServeDir;

use crate::state::{portal_account, Sim};
use crate::tokens::library_token;
use crate::util::lock;

/// Routes of the examples origin.
pub fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/example-config.json", get(example_config))
        .route("/token", post(token))
        .fallback_service(ServeDir::new(&sim.args.examples_dir))
        .layer(axum::middleware::map_response(no_store))
        .with_state(sim)
}

/// Routes added to the panel origin while the examples are on.
pub fn bridge_routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/bridge", get(|| async { Redirect::permanent("/bridge/") }))
        .route("/bridge/", get(crate::app_files::index))
        .route("/bridge/index.html", get(crate::app_files::index))
        .route("/bridge/config.json", get(bridge_config))
        // The same for the examples on another site: its page is the bridge's one host.
        .route("/bridge-x/", get(crate::app_files::index))
        .route("/bridge-x/index.html", get(crate::app_files::index))
        .route("/bridge-x/config.json", get(bridge_cross_site_config))
        .with_state(sim)
}

/// The examples are edited while the simulator runs: a reload must show the change.
async fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// `GET /example-config.json` on the examples origin.
pub fn example_config_value(sim: &Sim, cross_site: bool) -> serde_json::Value {
    serde_json::json!({
        "panelOrigin": sim.public_url,
        // The bridge page whose `hostOrigin` is the asking page's origin.
        "bridgePath": if cross_site { "/bridge-x/" } else { "/bridge/" },
        "apiBase": sim.api_base(),
        "rateLimit": sim.rate_limit_json(),
        // Whether the proxy-mode portal (`/portal/sign-in?account=…` on the panel origin) runs.
        "proxyPortal": sim.args.portal,
    })
}

async fn example_config(
    State(sim): State<Arc<Sim>>,
    headers: axum::http::HeaderMap,
) -> Json<serde_json::Value> {
    // The same page served as `localhost` is the examples on another site.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let cross_site = sim
        .examples_cross_site_origin
        .as_deref()
        .is_some_and(|o| host.is_some_and(|h| o.strip_prefix("http://") == Some(h)));
    Json(example_config_value(&sim, cross_site))
}

/// The panel's configuration at `/bridge/config.json`: tokens come from the framing page.
pub fn bridge_config_value(sim: &Sim, host_origin: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "apiBase": sim.api_base(),
        "auth": { "mode": "bridge", "hostOrigin": host_origin },
        "rateLimit": sim.rate_limit_json()
    })
}

async fn bridge_config(State(sim): State<Arc<Sim>>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(bridge_config_value(&sim, sim.examples_origin.as_deref())),
    )
        .into_response()
}

/// `/bridge-x/config.json`: the bridge for the examples on another site.
async fn bridge_cross_site_config(State(sim): State<Arc<Sim>>) -> Response {
    let host = sim.examples_cross_site_origin.as_deref();
    match host {
        Some(_) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(bridge_config_value(&sim, host)),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Body of `POST /token` on the examples origin.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenAsk {
    account: String,
    #[serde(default)]
    force_refresh: bool,
}

/// The portal backend's token for its page. A real portal would redeem its own session for an
/// on-behalf-of token; here the signed-in account is whatever the page says. Only pages of this
/// origin can read the answer: a JSON body needs a CORS preflight, and this origin answers none.
async fn token(State(sim): State<Arc<Sim>>, Json(ask): Json<TokenAsk>) -> Response {
    let Some(account) = portal_account(&ask.account) else {
        return (StatusCode::BAD_REQUEST, "account must be admin or reader").into_response();
    };
    {
        let mut n = lock(&sim.portal_token_requests);
        n.total += 1;
        if ask.force_refresh {
            n.force_refresh += 1;
        }
    }
    Json(serde_json::json!({ "accessToken": library_token(&sim, account) })).into_response()
}
