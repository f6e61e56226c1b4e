//! The log of requests received (`GET /_sim/requests`): never a token value, only whether a
//! bearer token came.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::state::Sim;
use crate::util::lock;

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
        lock(&sim.log).push(entry);
    }
    next.run(req).await
}
