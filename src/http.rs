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
    /// No answer: offline, DNS, or the server refused the browser's CORS request.
    #[error("network error or the server refused the browser's CORS request")]
    Network,
    /// The request could not even be built (a header value the browser refuses).
    #[error("the request could not be built: {0}")]
    Invalid(String),
    /// No answer within [`TIMEOUT_MS`].
    #[error("no answer within 30 s")]
    Timeout,
    /// The body was larger than [`MAX_BODY_BYTES`] or broke off.
    #[error("the answer was too large or broke off")]
    Body,
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
    form: &web_sys::FormData,
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
        let exchange = async move {
            let resp: web_sys::Response = fetch
                .await
                .map_err(|_| HttpError::Network)?
                .unchecked_into();
            let too_big = resp
                .headers()
                .get("content-length")
                .ok()
                .flatten()
                .and_then(|l| l.trim().parse::<usize>().ok())
                .is_some_and(|l| l > MAX_BODY_BYTES);
            if too_big {
                return Err(HttpError::Body);
            }
            let text = JsFuture::from(resp.text().map_err(|_| HttpError::Body)?)
                .await
                .map_err(|_| HttpError::Body)?
                .as_string()
                .ok_or(HttpError::Body)?;
            if text.len() > MAX_BODY_BYTES {
                return Err(HttpError::Body);
            }
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

    /// Aborts the request when the future holding it is dropped.
    struct AbortXhr(web_sys::XmlHttpRequest);

    impl Drop for AbortXhr {
        fn drop(&mut self) {
            let _ = self.0.abort();
        }
    }

    pub async fn send_form(
        url: &str,
        headers: &[(&str, &str)],
        form: &web_sys::FormData,
        size: u64,
        on_progress: &dyn Fn(u64, u64),
    ) -> Result<Response, HttpError> {
        use std::cell::RefCell;
        use std::rc::Rc;
        use wasm_bindgen::closure::Closure;

        let xhr = web_sys::XmlHttpRequest::new().map_err(invalid)?;
        xhr.open_with_async("POST", url, true).map_err(invalid)?;
        for (k, v) in headers {
            xhr.set_request_header(k, v).map_err(invalid)?;
        }
        xhr.set_timeout(TIMEOUT_MS + (size / 50_000) as u32 * 1000);
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
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        xhr.set_ontimeout(Some(on_timeout.as_ref().unchecked_ref()));
        let progress_cell = sent.clone();
        let on_upload = Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() {
                *progress_cell.borrow_mut() = Some((e.loaded() as u64, e.total() as u64));
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_upload.as_ref().unchecked_ref()));
        }
        let _abort = AbortXhr(xhr.clone());
        xhr.send_with_opt_form_data(Some(form)).map_err(invalid)?;
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
        on_progress(size, size);
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        if text.len() > MAX_BODY_BYTES {
            return Err(HttpError::Body);
        }
        Ok(Response {
            status: xhr.status().map_err(invalid)?,
            retry_after: xhr.get_response_header("retry-after").ok().flatten(),
            text,
        })
    }
}
