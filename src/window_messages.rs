//! Messages between windows and tabs: the popup handing its sign-in answer back, the token
//! bridge to the embedding portal, events and sizes for it, and a sign-out reaching the other
//! tabs. Every message is plain JSON-shaped data named by `type`; every type name is here
//! (the portal's side, `embed/host-bridge.js`, spells the bridge's; a test checks they agree).
//!
//! A message is trusted only from the one window expected (`event.source`) and its exact
//! origin (`event.origin`); everything else is ignored without a word, so a page cannot probe
//! the panel by posting to it.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Prefix of every message type of the panel's public contract.
pub const PREFIX: &str = "mde-library-admin:";

// Types read with [`has_type`] (and posted after [`PREFIX`]).
/// Portal → panel (bridge): the token for a request.
pub const TOKEN: &str = "token";
/// Portal → panel (bridge): no token for a request, with why.
pub const TOKEN_ERROR: &str = "token-error";
/// Popup → panel, on the attempt's channel: the address the sign-in came back to.
pub const SIGN_IN_RESPONSE: &str = "sign-in-response";
/// Panel → popup: the answer was taken.
pub const SIGN_IN_RECEIVED: &str = "sign-in-received";
/// Tab → the panel's other tabs: signed out.
pub const SIGNED_OUT: &str = "signed-out";

// Types the panel only posts, whole (literals: `format!` here weighs on the wasm; size lead
// L52, bench/size-leads.md).
/// Panel → portal (bridge): asks for a token.
pub const TOKEN_REQUEST: &str = "mde-library-admin:token-request";
/// Panel → portal: one change, as an activity event.
pub const EVENT: &str = "mde-library-admin:event";
/// Panel → portal: the panel's height.
pub const RESIZE: &str = "mde-library-admin:resize";

/// Builds a plain object from string members.
pub fn object(members: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in members {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o
}

/// Member `key` of a message's data as a string.
pub fn string_member(data: &JsValue, key: &str) -> Option<String> {
    crate::json::own(data, key)?.as_string()
}

/// Whether `data` is an object whose `type` is `mde-library-admin:{name}`.
pub fn has_type(data: &JsValue, name: &str) -> bool {
    string_member(data, "type").is_some_and(|t| t.strip_prefix(PREFIX) == Some(name))
}

/// Whether `event` comes from `source` at exactly `origin`.
pub fn is_from(event: &web_sys::MessageEvent, source: &JsValue, origin: &str) -> bool {
    let from = event.source().map(JsValue::from).unwrap_or(JsValue::NULL);
    event.origin() == origin && js_sys::Object::is(&from, source)
}

/// Posts `data` to `target` for `origin` only.
pub fn post(target: &web_sys::Window, data: &JsValue, origin: &str) -> bool {
    target.post_message(data, origin).is_ok()
}

/// Listens to `message` events on this window until dropped.
pub struct Listener {
    closure: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Listener {
    /// Calls `on_message` for every message this window receives.
    pub fn new(on_message: impl FnMut(web_sys::MessageEvent) + 'static) -> Option<Self> {
        let closure = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(on_message);
        web_sys::window()?
            .add_event_listener_with_callback("message", closure.as_ref().unchecked_ref())
            .ok()?;
        Some(Self { closure })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback(
                "message",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Waits for the first message `accept` maps to a value; the listener goes with the future.
pub async fn first<T: 'static>(
    mut accept: impl FnMut(&web_sys::MessageEvent) -> Option<T> + 'static,
) -> Option<T> {
    let (tx, rx) = oneshot::channel();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let _listener = Listener::new(move |event| {
        if let Some(value) = accept(&event) {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(value);
            }
        }
    })?;
    rx.map(Result::ok).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_side_spells_the_bridge_types_the_same() {
        let js = include_str!("../embed/host-bridge.js");
        assert!(js.contains(&format!("var PREFIX = '{PREFIX}';")));
        for posted in [TOKEN_REQUEST, EVENT, RESIZE] {
            let short = posted.strip_prefix(PREFIX).expect("a contract type");
            assert!(js.contains(&format!("PREFIX + '{short}'")), "{posted}");
        }
        for read in [TOKEN, TOKEN_ERROR] {
            assert!(js.contains(&format!("PREFIX + '{read}'")), "{read}");
        }
    }
}
