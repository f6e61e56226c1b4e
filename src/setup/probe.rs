//! What Check setup looks at, gathered from the browser: discovery, the session's token hint,
//! one list call, and the page's own response headers. Runs in the on-demand chunk; the
//! verdicts are the parent module's.

use wasm_bindgen_futures::JsFuture;

use super::Check;
use crate::clock::BrowserClock;
use crate::config::{AppConfig, AuthConfig};
use crate::js;
use crate::service::LibraryService;

/// The `Content-Security-Policy` the page was served with: `Some(None)` when it came without
/// one, `None` when the page's headers could not be read. Read from a fresh `GET` of the
/// page's own address (same origin: every header is readable).
async fn page_csp() -> Option<Option<String>> {
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let here = js::get(&js::get(&window, "location"), "href");
    let init = js_sys::Object::new();
    js::set(&init, "cache", &"no-store".into());
    js::set(&init, "credentials", &"same-origin".into());
    let answer = JsFuture::from(js_sys::Promise::from(
        js::call(&window, "fetch", &[here, init.into()]).ok()?,
    ))
    .await
    .ok()?;
    if !js::get(&answer, "ok").is_truthy() {
        return None;
    }
    let headers = js::get(&answer, "headers");
    let csp = js::call(&headers, "get", &["content-security-policy".into()]).ok()?;
    Some(csp.as_string())
}

/// Runs every check, in the order a deployer fixes them.
pub async fn run(cfg: &AppConfig, service: Option<&LibraryService>) -> Vec<Check> {
    let mut out = vec![super::config()];
    let (discovered, authority) = match &cfg.auth {
        AuthConfig::Pkce(p) => (
            Some(
                crate::auth::provider::discover(&p.authority)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            ),
            p.authority.as_str(),
        ),
        _ => (None, ""),
    };
    out.push(super::discovery(discovered, authority));
    let proxy = matches!(cfg.auth, AuthConfig::Proxy);
    out.push(super::token(service.is_some(), proxy));
    // The list call first: in `host` and `bridge` modes it is what fetches the token whose
    // scopes the next check reads.
    let listed = match service {
        Some(svc) => Some(svc.list(&BrowserClock, &|_| {}, &|_| {}).await.map(|_| ())),
        None => None,
    };
    // Read from the token itself, which the sign-in chunk may read in every mode: a portal's
    // token (`host`, `bridge`) too, and nothing when there is none (`proxy`).
    let hint = match service {
        Some(s) if s.session().sends_token() => s
            .session()
            .access_token()
            .await
            .ok()
            .and_then(|t| crate::auth::claims::has_library_scope(&t)),
        _ => None,
    };
    out.push(super::scope(service.is_some() && !proxy, hint));
    out.push(super::list_call(listed.as_ref()));
    let csp = page_csp().await;
    out.extend(super::headers(
        csp.as_ref().map(|c| c.as_deref()),
        crate::browser::is_framed(),
    ));
    out
}
