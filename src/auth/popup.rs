//! Sign-in through a popup, for a panel in a frame: the provider's pages refuse to be framed.
//!
//! The popup is opened from the click (so blockers allow it), empty, and sent to the
//! authorize URL once the PKCE challenge is ready. It comes back to the redirect URI, which
//! is this app: [`hand_back`] runs there first thing, removes the answer from the popup's
//! address bar, posts it to `window.opener` for this origin only, and closes the popup. The
//! panel accepts the answer only from that popup and its own origin.

use futures::future::{select, Either};
use wasm_bindgen::JsValue;

use super::window_messages::{first, has_type, is_from, object, post, string_member};
use super::AuthError;
use crate::browser;

/// The popup's window name: how the redirect page knows it is the popup.
const NAME: &str = "mde-library-admin-sign-in";
/// Message type of the answer (the part after the prefix), and in full.
const RESPONSE: &str = "sign-in-response";
const RESPONSE_TYPE: &str = "mde-library-admin:sign-in-response";
/// How often to look whether the person closed the popup.
const CLOSED_POLL_MS: u32 = 500;

/// An open sign-in popup.
pub struct Popup(web_sys::Window);

/// Opens the (empty) popup; call it in the click handler.
pub fn open() -> Result<Popup, AuthError> {
    let window = web_sys::window().ok_or(AuthError::PopupBlocked)?;
    match window.open_with_url_and_target_and_features("", NAME, "popup,width=500,height=650") {
        Ok(Some(w)) => Ok(Popup(w)),
        _ => Err(AuthError::PopupBlocked),
    }
}

impl Popup {
    /// Sends the popup to `url`.
    pub fn go(&self, url: &str) -> Result<(), AuthError> {
        self.0
            .location()
            .set_href(url)
            .map_err(|_| AuthError::PopupBlocked)
    }

    /// Closes the popup (after a failure to start).
    pub fn close(&self) {
        let _ = self.0.close();
    }

    /// The redirect URI's full address as the popup saw it, or `SignInCanceled` once the
    /// person closes the popup.
    pub async fn answer(&self) -> Result<String, AuthError> {
        let source = JsValue::from(self.0.clone());
        let origin = browser::location_origin();
        let answer = Box::pin(first(move |event| {
            let data = event.data();
            (is_from(event, &source, &origin) && has_type(&data, RESPONSE))
                .then(|| string_member(&data, "url"))
                .flatten()
        }));
        let popup = self.0.clone();
        let closed = Box::pin(async move {
            loop {
                gloo_timers::future::TimeoutFuture::new(CLOSED_POLL_MS).await;
                if popup.closed().unwrap_or(true) {
                    // The answer may be in the queue right behind the close.
                    gloo_timers::future::TimeoutFuture::new(CLOSED_POLL_MS).await;
                    return;
                }
            }
        });
        match select(answer, closed).await {
            Either::Left((Some(url), _)) => Ok(url),
            _ => Err(AuthError::SignInCanceled),
        }
    }
}

impl Drop for Popup {
    fn drop(&mut self) {
        // Canceled (the panel went away): the popup must not stay open on the provider.
        let _ = self.0.close();
    }
}

/// In the popup, back from the provider: hands the answer to the opener and closes. Returns
/// whether it did (the page then shows nothing and starts no app).
pub fn hand_back() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    if window.name().ok().as_deref() != Some(NAME) {
        return false;
    }
    let Some(opener) = window
        .opener()
        .ok()
        .filter(|o| !o.is_null() && !o.is_undefined())
    else {
        return false;
    };
    let href = browser::location_href();
    if super::protocol::parse_return(&href) == super::protocol::Return::None {
        return false;
    }
    // The code must not stay in the popup's address bar or history.
    browser::replace_url(&super::protocol::strip_query(&href));
    let message = object(&[("type", RESPONSE_TYPE.into()), ("url", href.into())]);
    let opener: web_sys::Window = wasm_bindgen::JsCast::unchecked_into(opener);
    post(&opener, &message, &browser::location_origin());
    let _ = window.close();
    true
}
