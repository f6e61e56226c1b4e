//! Entra ID's answers to the failures a first run meets (a fault's `aadsts`), each where and
//! how the real service gives it: a redirect URI it does not know on its own error page (it
//! never sends anyone to an unregistered address), missing consent back on the redirect URI,
//! the rest from the token endpoint as JSON.

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::errors::EntraError;
use crate::oidc::{error_page, redirect_error};
use crate::state::Sim;
use crate::tokens::API_AUDIENCE;

/// The AADSTS numbers a fault can answer with.
pub const KNOWN: [u32; 6] = [50011, 9002326, 65001, 700084, 50076, 50079];

/// Where the real service answers `aadsts` when a fault names no path.
pub fn default_endpoint(aadsts: u32) -> &'static str {
    match aadsts {
        50011 | 65001 => "/oauth2/v2.0/authorize",
        _ => "/oauth2/v2.0/token",
    }
}

/// AADSTS700084, as Entra words it: also what the token endpoint answers when a refresh
/// token's fixed lifetime has ended.
pub fn spa_refresh_expired() -> EntraError {
    EntraError::new(
        "invalid_grant",
        700084,
        "The refresh token was issued to a single page app (SPA), and therefore has a fixed, \
         limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new \
         sign in request must be sent by the SPA to the sign in page.",
    )
}

/// The error for `aadsts`, with Entra's words.
fn error_for(aadsts: u32, q: &Query, origin: &str) -> EntraError {
    match aadsts {
        50011 => EntraError::new(
            "invalid_request",
            50011,
            format!(
                "The redirect URI '{}' specified in the request does not match the redirect URIs \
                 configured for the application '{}'. Make sure the redirect URI sent in the \
                 request matches one added to your application in the Azure portal.",
                q.redirect_uri, q.client_id
            ),
        ),
        9002326 => EntraError::new(
            "invalid_request",
            9002326,
            format!(
                "Cross-origin token redemption is permitted only for the 'Single-Page \
                 Application' client-type. Request origin: '{origin}'."
            ),
        ),
        65001 => EntraError::new(
            if q.at_token {
                "invalid_grant"
            } else {
                "consent_required"
            },
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID \
                 '{}'. Send an interactive authorization request for this user and resource.",
                q.client_id
            ),
        ),
        700084 => spa_refresh_expired(),
        50076 => EntraError::new(
            "interaction_required",
            50076,
            format!(
                "Due to a configuration change made by your administrator, or because you moved \
                 to a new location, you must use multi-factor authentication to access \
                 '{API_AUDIENCE}'."
            ),
        ),
        _ => EntraError::new(
            "invalid_grant",
            50079,
            format!(
                "Due to a configuration change made by your administrator, or because you moved \
                 to a new location, you must enroll in multi-factor authentication to access \
                 '{API_AUDIENCE}'."
            ),
        ),
    }
}

/// What of the request the answer needs.
struct Query {
    redirect_uri: String,
    client_id: String,
    state: Option<String>,
    at_token: bool,
}

/// Entra's answer with `aadsts` to the request at `uri`: the token endpoint's JSON error, or
/// at the authorize endpoint its error page (AADSTS50011, and any error for a redirect URI it
/// does not know) or the redirect back with `error` and `error_description`.
pub fn answer(sim: &Sim, aadsts: u32, uri: &Uri, headers: &HeaderMap) -> Response {
    let pairs = uri.query().map(url_pairs).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let q = Query {
        redirect_uri: get("redirect_uri").unwrap_or_default(),
        client_id: get("client_id").unwrap_or_else(|| sim.args.client_id.clone()),
        state: get("state"),
        at_token: !uri.path().ends_with("/authorize"),
    };
    let origin = headers
        .get("origin")
        .and_then(|o| o.to_str().ok())
        .unwrap_or("null");
    let e = error_for(aadsts, &q, origin);
    if q.at_token {
        return e.into_response();
    }
    if aadsts == 50011 || !sim.redirect_uris.contains(&q.redirect_uri) {
        return error_page(StatusCode::BAD_REQUEST, &e);
    }
    redirect_error(sim, &q.redirect_uri, q.state.as_deref(), &e)
}

/// A query string's pairs, percent-decoded (`+` as a space, as forms write it).
fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|p| p.split_once('=').or(Some((p, ""))))
        .map(|(k, v)| {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}
