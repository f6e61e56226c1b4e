//! `BroadcastChannel`, for the pages of the panel in one browser: a popup's answer
//! ([`super::popup`]) and a sign-out reaching the other tabs ([`super::signin`]). It joins
//! same-origin pages of one storage partition only.

use wasm_bindgen::prelude::*;

use crate::js;

/// A `BroadcastChannel`, closed when dropped. Untyped (`js`): only sign-in uses it.
pub struct Channel(JsValue);

impl Channel {
    /// Joins the channel `name` of this origin and storage partition.
    pub fn open(name: &str) -> Option<Self> {
        js::construct("BroadcastChannel", &[name.into()])
            .ok()
            .map(Self)
    }

    /// Calls `f` with every message another page posts on it.
    pub fn on_message(&self, f: &Closure<dyn FnMut(web_sys::MessageEvent)>) {
        js::set(&self.0, "onmessage", f.as_ref());
    }

    /// Posts `data` to every other page on it (not to this one).
    pub fn post(&self, data: &JsValue) {
        let _ = js::call(&self.0, "postMessage", std::slice::from_ref(data));
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        js::set(&self.0, "onmessage", &JsValue::NULL);
        let _ = js::call(&self.0, "close", &[]);
    }
}
