//! The entry points: the panel on a page of its own (`index.html`), and `mount()` for a
//! portal that puts the panel into its own page (through `embed.js`).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::app::{App, AppProps, Embedding};
use crate::config::{parse_config, AuthConfig};

/// Starts the panel for `index.html`; returns `false` on a page that is not the panel's own
/// (`embed.js` loads the same module into a portal's page, which then calls [`mount`]).
pub fn start_page() -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let own_page = doc
        .query_selector("meta[name=mde-library-admin]")
        .ok()
        .flatten()
        .is_some();
    // The sign-in popup, back from the provider on the panel's own page (never a portal's
    // page that loads the module for mount()): hand the answer over, start no panel.
    if own_page && crate::auth::popup::hand_back() {
        return true;
    }
    if own_page {
        // The page is the panel's alone: no margin around it. Set here (through the CSSOM,
        // which the CSP allows) rather than in a stylesheet of its own, which weighed on the
        // first load (size lead L31); style/main.css styles nothing outside the panel.
        if let Some(body) = doc.body() {
            let _ = body.style().set_property("margin", "0");
        }
        leptos::mount::mount_to_body(|| App(AppProps::builder().build()));
    }
    own_page
}

/// A mounted panel; `unmount()` removes it with everything it started.
#[wasm_bindgen]
pub struct Mounted(Option<Box<dyn std::any::Any>>);

#[wasm_bindgen]
impl Mounted {
    /// Removes the panel: its DOM, listeners, timers and requests in flight.
    pub fn unmount(&mut self) {
        self.0.take();
    }
}

fn member(options: &JsValue, key: &str) -> Option<js_sys::Function> {
    crate::json::own(options, key)?
        .dyn_into::<js_sys::Function>()
        .ok()
}

/// Mounts a panel into `element` with `options`: the `config.json` fields, plus
/// `getToken({ forceRefresh })` (`auth.mode: "host"`) and `onEvent(event)`. Throws an `Error`
/// naming the bad option.
#[wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, options: JsValue) -> Result<Mounted, JsError> {
    // The plain fields, as config.json would hold them (JSON drops the functions).
    let json = js_sys::JSON::stringify(&options)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsError::new("mount(): options must be an object"))?;
    let config = parse_config(&json).map_err(|e| JsError::new(&format!("mount(): {e}")))?;
    let get_token = member(&options, "getToken");
    match config.auth {
        AuthConfig::Host if get_token.is_none() => {
            return Err(JsError::new("mount(): auth.mode \"host\" needs getToken"))
        }
        AuthConfig::Host | AuthConfig::Proxy => {}
        _ => {
            return Err(JsError::new(
                "mount(): auth.mode must be \"host\" or \"proxy\"",
            ))
        }
    }
    let embedding = Embedding {
        config: Some(config),
        get_token,
        on_event: member(&options, "onEvent"),
    };
    // Dropping the handle unmounts: the view's cleanups cancel its tasks and observers.
    let handle = leptos::mount::mount_to(element, move || App(AppProps { embedding }));
    Ok(Mounted(Some(Box::new(handle))))
}
