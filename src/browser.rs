//! Thin wrappers over the browser APIs the app needs: WebCrypto, `sessionStorage`, the
//! address bar and timers. Crypto stays in the browser rather than in the wasm.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A browser API failed; the text is safe to show (it never holds a token).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the browser refused: {0}")]
pub struct BrowserError(pub String);

fn js_err(what: &str, e: wasm_bindgen::JsValue) -> BrowserError {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default();
    BrowserError(format!("{what} {detail}").trim().to_string())
}

fn window() -> Result<web_sys::Window, BrowserError> {
    web_sys::window().ok_or_else(|| BrowserError("no window".into()))
}

/// `n` random bytes from `crypto.getRandomValues`, base64url without padding.
pub fn random_token(n: usize) -> Result<String, BrowserError> {
    let mut bytes = vec![0u8; n];
    window()?
        .crypto()
        .map_err(|e| js_err("crypto:", e))?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|e| js_err("getRandomValues:", e))?;
    Ok(crate::b64url::encode(&bytes))
}

/// SHA-256 through `crypto.subtle.digest`, base64url without padding (the PKCE S256 form).
pub async fn sha256_b64url(text: &str) -> Result<String, BrowserError> {
    let subtle = window()?
        .crypto()
        .map_err(|e| js_err("crypto:", e))?
        .subtle();
    let data = js_sys::Uint8Array::from(text.as_bytes());
    let promise = subtle
        .digest_with_str_and_buffer_source("SHA-256", &data)
        .map_err(|e| js_err("digest:", e))?;
    let buf = JsFuture::from(promise)
        .await
        .map_err(|e| js_err("digest:", e))?;
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    Ok(crate::b64url::encode(&bytes))
}

fn session() -> Result<web_sys::Storage, BrowserError> {
    window()?
        .session_storage()
        .map_err(|e| js_err("sessionStorage:", e))?
        .ok_or_else(|| BrowserError("sessionStorage is unavailable".into()))
}

/// Reads a `sessionStorage` entry.
pub fn session_get(key: &str) -> Option<String> {
    session().ok()?.get_item(key).ok().flatten()
}

/// Writes a `sessionStorage` entry.
pub fn session_set(key: &str, value: &str) -> Result<(), BrowserError> {
    session()?
        .set_item(key, value)
        .map_err(|e| js_err("sessionStorage:", e))
}

/// Removes a `sessionStorage` entry.
pub fn session_remove(key: &str) {
    if let Ok(s) = session() {
        let _ = s.remove_item(key);
    }
}

/// The page's full URL.
pub fn location_href() -> String {
    window()
        .ok()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// The page's origin.
pub fn location_origin() -> String {
    window()
        .ok()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Whether the page runs in a frame (`window.top !== window.self`); a cross-origin parent
/// counts too.
pub fn is_framed() -> bool {
    let Ok(w) = window() else { return false };
    match w.top() {
        Ok(Some(top)) => top != w,
        _ => true,
    }
}

/// Whether the page is in a frame whose sign-in popup could never hand its answer back: a
/// frame of another site (storage and `BroadcastChannel` are partitioned by top-level site),
/// told by `location.ancestorOrigins` where the browser has it (Chromium, Safari), or a frame
/// whose storage the browser refuses.
pub fn cross_site_frame() -> bool {
    if !is_framed() {
        return false;
    }
    let Ok(w) = window() else { return false };
    if w.session_storage().is_err() {
        return true;
    }
    let own = location_origin();
    let ancestors = crate::js::get(&w.location().into(), "ancestorOrigins");
    let n = crate::js::get(&ancestors, "length").as_f64().unwrap_or(0.0) as u32;
    (0..n).any(|i| {
        js_sys::Reflect::get_u32(&ancestors, i)
            .ok()
            .and_then(|o| o.as_string())
            .is_some_and(|o| crate::url::certainly_cross_site(&o, &own))
    })
}

/// Reloads the page (after the portal's session expired, in `proxy` mode).
pub fn reload() {
    if let Ok(w) = window() {
        let _ = w.location().reload();
    }
}

/// Navigates away (to the sign-in page).
pub fn navigate(url: &str) -> Result<(), BrowserError> {
    window()?
        .location()
        .assign(url)
        .map_err(|e| js_err("navigation:", e))
}

/// Replaces the address bar without reloading, dropping `code`, `state` and the rest.
pub fn replace_url(url: &str) {
    if let Ok(h) = window().and_then(|w| w.history().map_err(|e| js_err("history:", e))) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
    }
}

/// Asks before the page is left or reloaded, until dropped (a bulk run is going on).
pub struct LeaveWarning(Option<wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>>);

impl LeaveWarning {
    /// Starts asking.
    pub fn new() -> Self {
        let ask =
            wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| {
                // Browsers show their own words; preventDefault is what asks.
                e.prevent_default();
            });
        let added = window().ok().is_some_and(|w| {
            w.add_event_listener_with_callback("beforeunload", ask.as_ref().unchecked_ref())
                .is_ok()
        });
        Self(added.then_some(ask))
    }
}

impl Default for LeaveWarning {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for LeaveWarning {
    fn drop(&mut self) {
        if let (Some(ask), Ok(w)) = (&self.0, window()) {
            let _ =
                w.remove_event_listener_with_callback("beforeunload", ask.as_ref().unchecked_ref());
        }
    }
}

/// Saves `text` as a file named `name` (an export): a Blob, an object URL, a click on a
/// detached link, the URL revoked. Nothing leaves the browser.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), BrowserError> {
    use crate::js::{call, construct, get, set};
    use wasm_bindgen::JsValue;
    let failed = |what: &'static str| move |e| js_err(what, e);
    let opts = js_sys::Object::new();
    set(&opts, "type", &mime.into());
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = construct("Blob", &[parts.into(), opts.into()]).map_err(failed("Blob:"))?;
    let url_api = get(&window()?.into(), "URL");
    let url = call(&url_api, "createObjectURL", &[blob]).map_err(failed("URL:"))?;
    let link: JsValue = window()?
        .document()
        .ok_or_else(|| BrowserError("no document".into()))?
        .create_element("a")
        .map_err(failed("createElement:"))?
        .into();
    set(&link, "href", &url);
    set(&link, "download", &name.into());
    call(&link, "click", &[]).map_err(failed("click:"))?;
    // Revoked once the browser has surely read it (some start reading after the click).
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = call(&url_api, "revokeObjectURL", &[url]);
    })
    .forget();
    Ok(())
}

/// Copies text to the clipboard.
pub async fn copy_text(text: &str) -> Result<(), BrowserError> {
    let clip = window()?.navigator().clipboard();
    JsFuture::from(clip.write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| js_err("clipboard:", e))
}

/// A moment as local text and full UTC text, via `Date`; `None` if unparsable.
pub fn local_and_utc(iso: &str) -> Option<(String, String)> {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
    if d.get_time().is_nan() {
        return None;
    }
    let local =
        LOCAL_FORMAT.with(|f| f.call1(&wasm_bindgen::JsValue::NULL, &d).ok()?.as_string())?;
    Some((local, format!("{iso} (UTC)")))
}

thread_local! {
    // One formatter for every date cell: `Date.toLocaleString(lang, options)` builds a new
    // one per call, which was many times slower (timing T3, bench/size-leads.md).
    static LOCAL_FORMAT: js_sys::Function = {
        let opts = js_sys::Object::new();
        for (k, v) in [("dateStyle", "short"), ("timeStyle", "short")] {
            let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
        }
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &opts).format()
    };
}
