//! Faults injected into coming requests (`POST /_sim/faults`): what a fault matches, the
//! middlewares that answer with it ([`inject_faults`] inside each router's CORS layer,
//! [`refuse_cors`] outside all of them) and the broken answers they send.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use crate::state::Sim;
use crate::util::lock;

pub mod entra;

/// A failure to answer instead of the real handler, for the next `count` matching requests.
///
/// What happens to a matching request, in order: it is held `stallMs` (alias `delayMs`);
/// then `reset` closes the connection without an answer; otherwise it is answered with
/// `status` (and the body chosen by `oversizeBytes`, `html` or `body`), or, without a
/// status, by the real handler. `retryAfter` and `contentType` set those headers,
/// `truncated` cuts the body short of its declared `Content-Length`, and `noCors` sends the
/// answer without CORS headers, so the browser refuses to show it to the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Only requests with this method (any when absent). `OPTIONS` faults catch CORS
    /// preflights before the CORS layer answers them.
    pub method: Option<String>,
    /// Only requests whose raw path starts with this (any when absent).
    pub path_prefix: Option<String>,
    /// Only requests whose query string contains this, as sent or percent-decoded (such
    /// as `$skip=8`, to fail a later page of the list).
    pub query_contains: Option<String>,
    /// How many requests to fail; default one.
    #[serde(default = "one")]
    pub count: u32,
    /// Status to answer; when absent the real handler answers (after the stall, and with
    /// the other changes applied).
    pub status: Option<u16>,
    /// JSON body to answer (a string is sent as text).
    pub body: Option<serde_json::Value>,
    /// `Content-Type` of the answer, replacing the one the body implies.
    pub content_type: Option<String>,
    /// Answer with a gateway's HTML error page for the status (`text/html`), as proxies
    /// and load balancers send for 502, 503 and 504.
    #[serde(default)]
    pub html: bool,
    /// A body of exactly this many bytes: a JSON object the app does not expect
    /// (`{"padding":"xxx…"}`), such as 10 MB from a misbehaving proxy.
    pub oversize_bytes: Option<usize>,
    /// A body that never ends: no `Content-Length`, `{"padding":"xxx…` at about 12 MB/s
    /// until the client stops reading (a proxy stuck in a loop). A client that waits for the
    /// whole body before checking its size holds it until its time limit.
    #[serde(default)]
    pub endless: bool,
    /// `Retry-After` header value, sent verbatim: seconds, an HTTP date, or any garbage
    /// (a number is sent as its decimal text).
    #[serde(default, deserialize_with = "string_or_number")]
    pub retry_after: Option<String>,
    /// Hold the request this long before doing anything else, in milliseconds.
    #[serde(default, alias = "stallMs")]
    pub delay_ms: u64,
    /// `Location` header of the answer: with a 307, a redirect the browser follows with the
    /// same method and, on the same origin, the same `Authorization` header.
    pub location: Option<String>,
    /// Close the connection without any HTTP answer (the browser's fetch rejects).
    #[serde(default)]
    pub reset: bool,
    /// Declare the full `Content-Length` but send only the first half of the body, then
    /// close the connection (the browser's body read fails).
    #[serde(default)]
    pub truncated: bool,
    /// Send the answer without `Access-Control-*` headers: a CORS refusal of this one
    /// response. On an `OPTIONS` fault, the preflight itself is refused.
    #[serde(default)]
    pub no_cors: bool,
    /// Answer as Entra ID does with this AADSTS number ([`entra::KNOWN`]: 50011, 9002326,
    /// 65001, 700084, 50076, 50079), where it does: without `pathPrefix`, the next authorize
    /// page (50011: Entra's error page; 65001: back on the redirect URI with
    /// `error=consent_required`) or the next token request (JSON). With a `pathPrefix`, the
    /// answer takes the shape of the endpoint matched.
    pub aadsts: Option<u32>,
}

fn one() -> u32 {
    1
}

/// `Retry-After` may be given as a JSON string or number.
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|r| match r {
        Raw::Text(s) => s,
        Raw::Number(n) => n.to_string(),
    }))
}

impl Fault {
    /// Why this fault cannot be injected as asked, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if let Some(s) = self.status {
            if !(100..=999).contains(&s) {
                return Some(format!("status {s} is not an HTTP status"));
            }
        }
        for (name, value) in [
            ("retryAfter", &self.retry_after),
            ("contentType", &self.content_type),
        ] {
            if let Some(v) = value {
                if HeaderValue::from_bytes(v.as_bytes()).is_err() {
                    return Some(format!("{name} {v:?} cannot be sent as a header value"));
                }
            }
        }
        if self.reset
            && (self.status.is_some()
                || self.body.is_some()
                || self.html
                || self.oversize_bytes.is_some()
                || self.endless
                || self.truncated)
        {
            return Some(
                "reset sends no answer: drop status, body, html, oversizeBytes, endless and truncated"
                    .into(),
            );
        }
        if let Some(code) = self.aadsts {
            if !entra::KNOWN.contains(&code) {
                return Some(format!("aadsts {code} is not one of {:?}", entra::KNOWN));
            }
            if self.status.is_some() || self.body.is_some() || self.html || self.reset {
                return Some("aadsts is the answer: drop status, body, html and reset".into());
            }
        }
        let bodies = [
            self.body.is_some(),
            self.html,
            self.oversize_bytes.is_some(),
            self.endless,
        ];
        if bodies.iter().filter(|b| **b).count() > 1 {
            return Some("give at most one of body, html, oversizeBytes and endless".into());
        }
        if self.endless && (self.status.is_none() || self.truncated) {
            return Some(
                "endless needs a status (its body replaces the answer's) and no truncated".into(),
            );
        }
        None
    }

    fn matches(&self, method: &str, path: &str, query: Option<&str>) -> bool {
        // An Entra answer without a path goes where the real service gives it.
        let entra_endpoint = match (self.aadsts, &self.path_prefix) {
            (Some(code), None) => {
                let at = entra::default_endpoint(code);
                let wanted = if at.ends_with("/token") {
                    "POST"
                } else {
                    "GET"
                };
                path.ends_with(at) && method == wanted
            }
            _ => true,
        };
        entra_endpoint
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
            && self.query_contains.as_deref().is_none_or(|want| {
                let q = query.unwrap_or_default();
                q.contains(want)
                    || percent_encoding::percent_decode_str(q)
                        .decode_utf8_lossy()
                        .contains(want)
            })
    }
}

/// Marks a response whose CORS headers must be removed on the way out.
#[derive(Clone, Copy, Debug)]
struct NoCors;

/// Answers with an injected fault if one matches. It sits inside each router's CORS layer,
/// so injected answers carry the same CORS headers as real ones and preflights never fail
/// (unless a fault says `noCors`, see [`refuse_cors`]).
pub async fn inject_faults(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    // Nested routers see their path without the prefix; faults match the path as sent.
    let uri = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| req.uri().clone(), |u| u.0.clone());
    let Some(f) = take_fault(&sim, |f| {
        f.matches(req.method().as_str(), uri.path(), uri.query())
    }) else {
        return next.run(req).await;
    };
    if f.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
    }
    if f.reset {
        return reset_connection();
    }
    if let Some(code) = f.aadsts {
        return entra::answer(&sim, code, &uri, req.headers());
    }
    let mut resp = match f.status {
        Some(status) => fault_answer(&f, status),
        None => next.run(req).await,
    };
    let headers = resp.headers_mut();
    if let Some(v) = f.retry_after.as_deref() {
        if let Ok(v) = HeaderValue::from_bytes(v.as_bytes()) {
            headers.insert(header::RETRY_AFTER, v);
        }
    }
    if let Some(v) = f.content_type.as_deref() {
        if let Ok(v) = HeaderValue::from_bytes(v.as_bytes()) {
            headers.insert(header::CONTENT_TYPE, v);
        }
    }
    if let Some(v) = f.location.as_deref() {
        if let Ok(v) = HeaderValue::from_bytes(v.as_bytes()) {
            headers.insert(header::LOCATION, v);
        }
    }
    if f.truncated {
        resp = truncate(resp).await;
    }
    if f.no_cors {
        resp.extensions_mut().insert(NoCors);
    }
    resp
}

/// The answer a fault with a status gives.
fn fault_answer(f: &Fault, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if f.endless {
        return (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            Body::from_stream(endless_body()),
        )
            .into_response();
    }
    if let Some(n) = f.oversize_bytes {
        return (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            oversize_body(n),
        )
            .into_response();
    }
    if f.html {
        return (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            gateway_page(status),
        )
            .into_response();
    }
    match &f.body {
        Some(serde_json::Value::String(s)) => (status, s.clone()).into_response(),
        Some(v) => (status, Json(v.clone())).into_response(),
        None => status.into_response(),
    }
}

/// `{"padding":"` and then `x`s, 256 KB every 20 ms, for as long as the client reads.
pub fn endless_body() -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    static XS: [u8; 256 * 1024] = [b'x'; 256 * 1024];
    let head = futures_util::stream::once(async {
        Ok::<Bytes, std::io::Error>(Bytes::from_static(b"{\"padding\":\""))
    });
    let xs = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Some((Ok(Bytes::from_static(&XS)), ()))
    });
    head.chain(xs)
}

/// Exactly `n` bytes: `{"padding":"xxx…"}`, or only `x`s when `n` is too small for that.
pub fn oversize_body(n: usize) -> Vec<u8> {
    const HEAD: &[u8] = b"{\"padding\":\"";
    const TAIL: &[u8] = b"\"}";
    if n < HEAD.len() + TAIL.len() {
        return vec![b'x'; n];
    }
    let mut body = Vec::with_capacity(n);
    body.extend_from_slice(HEAD);
    body.resize(n - TAIL.len(), b'x');
    body.extend_from_slice(TAIL);
    body
}

/// An HTML error page like the ones nginx or a cloud load balancer sends.
pub fn gateway_page(status: StatusCode) -> String {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    format!(
        "<!DOCTYPE html>\n<html>\n<head><title>{title}</title></head>\n<body>\n\
         <center><h1>{title}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    )
}

/// A response whose body fails before anything is written: hyper then drops the
/// connection without sending the status line, so the client sees no HTTP answer at all.
fn reset_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// Sends the status, the headers and a `Content-Length` for the whole body, but only the
/// first half of the body; then the connection breaks.
async fn truncate(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let full = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    // An empty body is declared as 64 bytes, so there is still something missing.
    let declared = full.len().max(64);
    let sent = full.slice(..full.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(declared));
    let first = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(sent) });
    // The pause lets hyper flush the head and the first half before the body fails.
    let then_fail = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "injected truncated body",
        ))
    });
    Response::from_parts(parts, Body::from_stream(first.chain(then_fail)))
}

/// Outside every CORS layer: refuses a preflight for an `OPTIONS` fault (no
/// `Access-Control-*` headers), and strips those headers from answers marked `noCors`.
pub async fn refuse_cors(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if req.method() == Method::OPTIONS && !path.starts_with("/_sim/") {
        let query = req.uri().query();
        let preflight = take_fault(&sim, |f| {
            f.method
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("OPTIONS"))
                && f.matches("OPTIONS", path, query)
        });
        if let Some(f) = preflight {
            if f.delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
            }
            if f.reset {
                return reset_connection();
            }
            let status = f.status.unwrap_or(204);
            // Whatever the fault says, the preflight answer carries no CORS headers.
            return fault_answer(&f, status);
        }
    }
    let mut resp = next.run(req).await;
    if resp.extensions().get::<NoCors>().is_some() {
        let cors: Vec<_> = resp
            .headers()
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for k in cors {
            resp.headers_mut().remove(k);
        }
    }
    resp
}

fn take_fault(sim: &Sim, matches: impl Fn(&Fault) -> bool) -> Option<Fault> {
    let mut faults = lock(&sim.faults);
    let i = faults.iter().position(matches)?;
    let f = faults[i].clone();
    if faults[i].count <= 1 {
        faults.remove(i);
    } else {
        faults[i].count -= 1;
    }
    Some(f)
}
