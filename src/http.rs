//! The one place a request leaves the browser: `fetch` with an abort when the caller's future
//! is dropped (a superseded reload, a sign-out), a time limit, and a cap on the body read.
//!
//! Written against `web_sys` rather than gloo-net: every caller here reads a whole text body,
//! and gloo-net's general request builder and error type weighed more than this file.

/// How long any request may take before it is given up: a stalled proxy must not leave the
/// page on "Loading" for ever.
pub const TIMEOUT_MS: u32 = 30_000;
/// Largest body read, in bytes: a 10,000-entry list is about 4 MB, so 32 MB is generous and
/// still keeps a broken proxy from exhausting the tab.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// HTTP methods the app uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
}

/// A request: the method, the URL, headers and an optional text body.
pub struct Request<'a> {
    /// Method.
    pub method: Method,
    /// Absolute URL, or a path on the page's origin.
    pub url: &'a str,
    /// Header names and values.
    pub headers: &'a [(&'a str, &'a str)],
    /// Body, sent as is.
    pub body: Option<&'a str>,
}

/// A complete answer: status, the headers the caller reads, and the body text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After`, when present and exposed to the page.
    pub retry_after: Option<String>,
    /// The body as text.
    pub text: String,
}

/// Why no complete answer arrived.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// No answer: offline, DNS, or the server refused the browser's CORS request (where
    /// [`HttpError::Cors`] could not be told apart).
    #[error("network error or the server refused the browser's CORS request")]
    Network,
    /// The server answered, but not to this page's origin: the browser withheld the answer
    /// (a CORS refusal), told by a `no-cors` probe of the same URL.
    #[error("refused by CORS")]
    Cors,
    /// The request could not even be built (a header value the browser refuses).
    #[error("the request could not be built: {0}")]
    Invalid(String),
    /// No answer within [`TIMEOUT_MS`].
    #[error("no answer within 30 s")]
    Timeout,
    /// The body broke off, or was not UTF-8 text.
    #[error("the answer broke off or was not text")]
    Body,
    /// The body was larger than [`MAX_BODY_BYTES`]; reading stopped there.
    #[error("the answer was larger than 32 MB")]
    TooLarge,
    /// The answer came from another address than asked: a redirect was followed (an upload's
    /// `XMLHttpRequest` cannot refuse one; `fetch` refuses them, as a network error).
    #[error("redirected to another address")]
    Redirected,
}

/// `GET url` without credentials: configuration and discovery documents.
pub async fn get(url: &str) -> Result<Response, HttpError> {
    send(Request {
        method: Method::Get,
        url,
        headers: &[],
        body: None,
    })
    .await
}

/// Sends `req` and reads the whole answer.
pub async fn send(req: Request<'_>) -> Result<Response, HttpError> {
    #[cfg(target_arch = "wasm32")]
    {
        imp::send(req).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Native builds only run unit tests of the pure parts; nothing is sent from them.
        let _ = req;
        Err(HttpError::Network)
    }
}

/// `POST`s a multipart `form` to `url` and reads the whole answer, reporting the bytes sent
/// so far and in all to `on_progress` (`fetch` cannot tell upload progress; this is the one
/// `XMLHttpRequest`). Aborted when the future is dropped; the time limit grows with the
/// body (30 s, plus 1 s for every 50 KB).
pub async fn send_form(
    url: &str,
    headers: &[(&str, &str)],
    form: &wasm_bindgen::JsValue,
    size: u64,
    on_progress: &dyn Fn(u64, u64),
) -> Result<Response, HttpError> {
    #[cfg(target_arch = "wasm32")]
    {
        imp::send_form(url, headers, form, size, on_progress).await
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (url, headers, form, size, on_progress);
        Err(HttpError::Network)
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::*;
    use futures::future::{select, Either};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    /// Aborts the fetch when the future holding it is dropped.
    struct AbortOnDrop(web_sys::AbortController);

    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }

    fn invalid(e: JsValue) -> HttpError {
        HttpError::Invalid(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default(),
        )
    }

    pub async fn send(req: Request<'_>) -> Result<Response, HttpError> {
        let controller = web_sys::AbortController::new().map_err(invalid)?;
        let init = web_sys::RequestInit::new();
        init.set_method(match req.method {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        });
        init.set_signal(Some(&controller.signal()));
        // Never follow a redirect: on the same origin it keeps `Authorization`, so a 307 could
        // turn a confirmed DELETE of one file into a DELETE of another.
        crate::js::set(&init, "redirect", &"error".into());
        let headers = web_sys::Headers::new().map_err(invalid)?;
        for (k, v) in req.headers {
            // Refused (throws) for a value with CR, LF or a character above U+00FF.
            headers.set(k, v).map_err(invalid)?;
        }
        init.set_headers(&headers);
        if let Some(body) = req.body {
            init.set_body(&JsValue::from_str(body));
        }
        let request = web_sys::Request::new_with_str_and_init(req.url, &init).map_err(invalid)?;
        let window = web_sys::window().ok_or(HttpError::Network)?;
        let _abort = AbortOnDrop(controller);
        let fetch = JsFuture::from(window.fetch_with_request(&request));
        let url = req.url;
        let exchange = async move {
            let resp: web_sys::Response = match fetch.await {
                Ok(resp) => resp.unchecked_into(),
                Err(_) => return Err(why_unanswered(url).await),
            };
            let too_big = resp
                .headers()
                .get("content-length")
                .ok()
                .flatten()
                .and_then(|l| l.trim().parse::<usize>().ok())
                .is_some_and(|l| l > MAX_BODY_BYTES);
            if too_big {
                return Err(HttpError::TooLarge);
            }
            let text = read_capped(&resp).await?;
            Ok(Response {
                status: resp.status(),
                retry_after: resp.headers().get("retry-after").ok().flatten(),
                text,
            })
        };
        let timeout = gloo_timers::future::TimeoutFuture::new(TIMEOUT_MS);
        let outcome = match select(std::pin::pin!(exchange), timeout).await {
            Either::Left((result, _)) => result,
            // `_abort` aborts the fetch as this returns.
            Either::Right(_) => Err(HttpError::Timeout),
        };
        outcome
    }

    /// Why a `fetch` got no answer. The browser says nothing (a `TypeError` for an offline
    /// host and a CORS refusal alike), but a `no-cors` request to the same URL needs no CORS:
    /// it resolves (with an opaque answer) when the server is there, so the first failure was
    /// CORS, and fails again when the network is the cause. `HEAD`: it changes nothing, and a
    /// cross-origin `no-cors` request carries no cookie (nor the token, which is a header).
    async fn why_unanswered(url: &str) -> HttpError {
        // A path, or the page's own origin: CORS does not apply.
        if mde_wire::origin_of(url).is_none_or(|o| o == crate::browser::location_origin()) {
            return HttpError::Network;
        }
        let init = web_sys::RequestInit::new();
        init.set_method("HEAD");
        crate::js::set(&init, "mode", &"no-cors".into());
        let probe = web_sys::Request::new_with_str_and_init(url, &init);
        let (Ok(probe), Some(window)) = (probe, web_sys::window()) else {
            return HttpError::Network;
        };
        match JsFuture::from(window.fetch_with_request(&probe)).await {
            Ok(_) => HttpError::Cors,
            Err(_) => HttpError::Network,
        }
    }

    /// The body as text, read chunk by chunk and given up at [`MAX_BODY_BYTES`]: a body
    /// without `Content-Length` (or one longer than it said) is never held whole. In mount mode
    /// the panel shares the portal's tab, so an endless answer must not take its memory.
    async fn read_capped(resp: &web_sys::Response) -> Result<String, HttpError> {
        use crate::js::{call, get};
        // Untyped: `ReadableStream`'s typed bindings would add shims to the first load's glue.
        let body = get(resp, "body");
        if body.is_null() || body.is_undefined() {
            return Ok(String::new());
        }
        let reader = call(&body, "getReader", &[]).map_err(|_| HttpError::Body)?;
        let mut bytes = Vec::new();
        loop {
            let read = call(&reader, "read", &[]).map_err(|_| HttpError::Body)?;
            let chunk: JsValue = JsFuture::from(js_sys::Promise::unchecked_from_js(read))
                .await
                .map_err(|_: JsValue| HttpError::Body)?;
            if get(&chunk, "done").is_truthy() {
                break;
            }
            let chunk = js_sys::Uint8Array::unchecked_from_js(get(&chunk, "value"));
            if bytes.len() + chunk.length() as usize > MAX_BODY_BYTES {
                // Tells the server to stop sending; the answer is refused either way.
                let _ = call(&reader, "cancel", &[]);
                return Err(HttpError::TooLarge);
            }
            let at = bytes.len();
            bytes.resize(at + chunk.length() as usize, 0);
            chunk.copy_to(&mut bytes[at..]);
        }
        // As `Response.text()` does: UTF-8, a leading byte order mark dropped. Bytes that are
        // not UTF-8 are refused rather than replaced: a replaced character in a file name
        // would name another file.
        let text = String::from_utf8(bytes).map_err(|_| HttpError::Body)?;
        Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        })
    }

    /// Aborts the request when the future holding it is dropped.
    struct AbortXhr(JsValue);

    impl Drop for AbortXhr {
        fn drop(&mut self) {
            let _ = crate::js::call(&self.0, "abort", &[]);
        }
    }

    // `XMLHttpRequest` through `crate::js`: its typed bindings weighed in the first load.
    pub async fn send_form(
        url: &str,
        headers: &[(&str, &str)],
        form: &JsValue,
        size: u64,
        on_progress: &dyn Fn(u64, u64),
    ) -> Result<Response, HttpError> {
        use crate::js::{call, construct, get, set};
        use std::cell::RefCell;
        use std::rc::Rc;
        use wasm_bindgen::closure::Closure;

        let xhr = construct("XMLHttpRequest", &[]).map_err(invalid)?;
        call(&xhr, "open", &["POST".into(), url.into()]).map_err(invalid)?;
        for (k, v) in headers {
            call(&xhr, "setRequestHeader", &[(*k).into(), (*v).into()]).map_err(invalid)?;
        }
        let limit = TIMEOUT_MS as u64 + size / 50_000 * 1000;
        set(&xhr, "timeout", &JsValue::from_f64(limit as f64));
        // Progress events land in a cell the loop below reads: `on_progress` is borrowed.
        let sent = Rc::new(RefCell::new(None::<(u64, u64)>));
        let (tx, rx) = futures::channel::oneshot::channel::<Result<(), HttpError>>();
        let tx = Rc::new(RefCell::new(Some(tx)));
        let settle = |result: Result<(), HttpError>| {
            let tx = tx.clone();
            Closure::<dyn Fn()>::new(move || {
                if let Some(tx) = tx.borrow_mut().take() {
                    let _ = tx.send(result.clone());
                }
            })
        };
        let on_load = settle(Ok(()));
        let on_error = settle(Err(HttpError::Network));
        let on_timeout = settle(Err(HttpError::Timeout));
        // The answer is capped while it arrives, as `read_capped` does for `fetch`.
        let (xhr_, tx_) = (xhr.clone(), tx.clone());
        let on_download = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
            if get(&e, "loaded").as_f64().unwrap_or(0.0) > MAX_BODY_BYTES as f64 {
                let _ = call(&xhr_, "abort", &[]);
                if let Some(tx) = tx_.borrow_mut().take() {
                    let _ = tx.send(Err(HttpError::TooLarge));
                }
            }
        });
        set(&xhr, "onprogress", on_download.as_ref());
        set(&xhr, "onload", on_load.as_ref());
        set(&xhr, "onerror", on_error.as_ref());
        set(&xhr, "ontimeout", on_timeout.as_ref());
        let progress_cell = sent.clone();
        let on_upload = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
            let n = |k| get(&e, k).as_f64().unwrap_or(0.0) as u64;
            if get(&e, "lengthComputable").is_truthy() {
                *progress_cell.borrow_mut() = Some((n("loaded"), n("total")));
            }
        });
        set(&get(&xhr, "upload"), "onprogress", on_upload.as_ref());
        let _abort = AbortXhr(xhr.clone());
        call(&xhr, "send", std::slice::from_ref(form)).map_err(invalid)?;
        let mut rx = rx;
        let outcome = loop {
            let tick = gloo_timers::future::TimeoutFuture::new(200);
            match select(&mut rx, tick).await {
                Either::Left((result, _)) => break result.unwrap_or(Err(HttpError::Network)),
                Either::Right(_) => {
                    if let Some((loaded, total)) = sent.borrow_mut().take() {
                        on_progress(loaded, total);
                    }
                }
            }
        };
        outcome?;
        // XMLHttpRequest follows redirects without a say; at least the answer must be from
        // the address the upload was sent to.
        // (`URL` untyped: a typed binding's shims would sit in the first load's glue.)
        let asked = construct("URL", &[url.into(), crate::browser::location_href().into()])
            .map(|u| get(&u, "href"))
            .unwrap_or_default();
        if get(&xhr, "responseURL") != asked {
            return Err(HttpError::Redirected);
        }
        on_progress(size, size);
        let text = get(&xhr, "responseText").as_string().unwrap_or_default();
        if text.len() > MAX_BODY_BYTES {
            return Err(HttpError::TooLarge);
        }
        let retry_after = call(&xhr, "getResponseHeader", &["retry-after".into()])
            .ok()
            .and_then(|v| v.as_string());
        Ok(Response {
            status: get(&xhr, "status").as_f64().unwrap_or(0.0) as u16,
            retry_after,
            text,
        })
    }
}
