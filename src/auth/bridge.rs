//! The token bridge (`auth.mode: "bridge"`): the panel runs in the portal's iframe and asks
//! the portal for each token with `postMessage`, as MSAL's nested app authentication does.
//!
//! Panel → portal: `{"type":"mde-library-admin:token-request","id","forceRefresh"}`, posted
//! to `window.parent` for `hostOrigin` only. Portal → panel: `…:token` with `accessToken`, or
//! `…:token-error` with `message`, carrying the same `id`. An answer counts only if it comes
//! from `window.parent`, from exactly `hostOrigin`, and names the request waiting for it.
//!
//! Loaded on demand: the asking runs in the `windows` chunk ([`super::windows`]), fetched on
//! the first token request, so no other mode carries it.

use futures::future::{select, Either};
use wasm_bindgen::JsValue;

use super::AuthError;
use crate::window_messages::{
    first, has_type, is_from, object, post, string_member, TOKEN, TOKEN_ERROR, TOKEN_REQUEST,
};

/// How long the portal has to answer a token request.
pub const ANSWER_MS: u32 = 10_000;

/// Asks the portal at `host_origin` for a token; `force_refresh` after a 401.
pub async fn request_token(host_origin: &str, force_refresh: bool) -> Result<String, AuthError> {
    let job = super::windows::Job::BridgeToken {
        host_origin: host_origin.to_string(),
        force_refresh,
    };
    match super::windows::load(job).await {
        Ok(super::windows::Done::Token(token)) => token,
        _ => Err(AuthError::SignInUnavailable),
    }
}

/// The asking itself, in the `windows` chunk.
pub(super) async fn ask(host_origin: &str, force_refresh: bool) -> Result<String, AuthError> {
    let no_token = || AuthError::Host(None);
    let window = web_sys::window().ok_or_else(no_token)?;
    let parent = window.parent().ok().flatten().ok_or_else(no_token)?;
    if parent == window {
        // Not in a frame: there is no portal to ask.
        return Err(AuthError::Host(Some(
            "the panel is not inside the portal's frame".into(),
        )));
    }
    let id = crate::browser::random_token(16).map_err(|_| no_token())?;
    let source = JsValue::from(parent.clone());
    let origin = host_origin.to_string();
    let expected = id.clone();
    let answer = first(move |event| {
        let data = event.data();
        if !is_from(event, &source, &origin)
            || string_member(&data, "id").as_deref() != Some(expected.as_str())
        {
            return None;
        }
        if has_type(&data, TOKEN) {
            Some(string_member(&data, "accessToken").ok_or(None))
        } else if has_type(&data, TOKEN_ERROR) {
            Some(Err(string_member(&data, "message")))
        } else {
            None
        }
    });
    let request = object(&[
        ("type", TOKEN_REQUEST.into()),
        ("id", id.into()),
        ("forceRefresh", force_refresh.into()),
    ]);
    if !post(&parent, &request, host_origin) {
        return Err(no_token());
    }
    let timeout = gloo_timers::future::TimeoutFuture::new(ANSWER_MS);
    match select(Box::pin(answer), timeout).await {
        Either::Left((Some(Ok(token)), _)) if super::protocol::is_valid_token(&token) => Ok(token),
        Either::Left((Some(Ok(_)), _)) => Err(AuthError::Host(Some(
            "the portal sent a malformed token".into(),
        ))),
        Either::Left((Some(Err(message)), _)) => Err(AuthError::Host(message)),
        Either::Left((None, _)) | Either::Right(_) => Err(no_token()),
    }
}
