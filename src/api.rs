//! The MDE library API client: URLs, HTTP and JSON. No Leptos, no DOM.
//!
//! Every request is built here, so this is where the DELETE is sent and where the token is
//! attached; the caller decides which token and what to do with the outcome.

use mde_wire::{origin_of, ErrorDetail, LibraryFile};

use crate::clock::now_ms;
use crate::http::{self, HttpError, Method};
use crate::json::Json;

/// What went wrong with an API call, by what the caller can do about it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 401: the token is missing, invalid or expired.
    #[error("the API refused the sign-in (401)")]
    Unauthorized(Option<ErrorDetail>),
    /// 403: missing `Library.Manage` or missing Defender role.
    #[error("the API refused access (403)")]
    Forbidden(Option<ErrorDetail>),
    /// 404 on a file.
    #[error("not found (404)")]
    NotFound(Option<ErrorDetail>),
    /// 429: the wait the server asked for, if it could be read.
    #[error("rate limited (429)")]
    RateLimited {
        /// Milliseconds to wait, from `Retry-After`, when readable.
        retry_after_ms: Option<u64>,
        /// The error body, if any.
        detail: Option<ErrorDetail>,
    },
    /// Any other unexpected status.
    #[error("the API answered {status}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The error body, if any.
        detail: Option<ErrorDetail>,
    },
    /// The request never got an answer (offline, DNS, CORS refusal).
    #[error("the API could not be reached ({0})")]
    Network(String),
    /// The API answered, but the browser withheld it from this page's origin (CORS).
    #[error("the API refuses this page's origin (CORS). Set apiBase to a same-origin proxy path (README: proxy)")]
    Cors,
    /// The answer was not the JSON expected.
    #[error("the API's answer could not be read ({0})")]
    Body(String),
    /// A `@odata.nextLink` pointed away from the API's list; the token is not sent there.
    #[error("the API sent a next-page link outside the library API; it was not followed")]
    ForeignLink,
    /// A name that cannot be put in a URL path without changing its meaning.
    #[error("the name \"{0}\" cannot be addressed in a URL path")]
    Unaddressable(String),
}

impl ApiError {
    /// The error body the service sent, when there was one.
    pub fn detail(&self) -> Option<&ErrorDetail> {
        match self {
            ApiError::Unauthorized(d) | ApiError::Forbidden(d) | ApiError::NotFound(d) => {
                d.as_ref()
            }
            ApiError::RateLimited { detail, .. } | ApiError::Status { detail, .. } => {
                detail.as_ref()
            }
            _ => None,
        }
    }
}

/// Percent-encodes a file name as one path segment.
///
/// Dot-only names are refused: URL parsers turn `.` and `..` (encoded or not) into path
/// navigation, so the request would hit another resource.
///
/// A name holding U+FFFD is refused too: it is what an unpaired surrogate from the API
/// becomes in Rust, so the request would name another file.
pub fn encode_segment(name: &str) -> Result<String, ApiError> {
    if name.is_empty() || name.chars().all(|c| c == '.') || name.contains('\u{fffd}') {
        return Err(ApiError::Unaddressable(name.to_string()));
    }
    Ok(crate::url::encode(name))
}

/// Parses `Retry-After`: delay seconds or an HTTP date, as milliseconds from `now_ms`.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds is still "this long or longer": never a short wait.
        return Some(
            v.parse::<u64>()
                .map_or(u64::MAX, |s| s.saturating_mul(1000)),
        );
    }
    let at_ms = parse_http_date_ms(v)?;
    Some(at_ms.saturating_sub(now_ms))
}

/// An HTTP date as milliseconds since the epoch: the browser's `Date.parse` in the app.
#[cfg(target_arch = "wasm32")]
fn parse_http_date_ms(v: &str) -> Option<u64> {
    // `Date.parse` is lenient; insist on the IMF-fixdate shape first ("Sun, 06 Nov 1994 …").
    if !(v.len() == 29 && v.ends_with(" GMT") && v.as_bytes().get(3) == Some(&b',')) {
        return None;
    }
    let ms = js_sys::Date::parse(v);
    (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
}

/// An HTTP date as milliseconds since the epoch (native builds: tests and benchmarks).
#[cfg(not(target_arch = "wasm32"))]
fn parse_http_date_ms(v: &str) -> Option<u64> {
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as u64)
}

/// One call to the library API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `GET` one page of the list (the first page's URL, or a `@odata.nextLink`).
    Page(String),
    /// `DELETE` one file by name.
    Delete(String),
}

/// What a successful call returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// A page of the list.
    Page(Page),
    /// A change's 2xx answer without an entity: its status (a delete is done only at 204).
    Status(u16),
}

/// One page of the list as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The entries that could be read.
    pub value: Vec<LibraryFile>,
    /// Entries left out because they could not be read (wrong types, invalid Unicode).
    pub unreadable: usize,
    /// `@odata.nextLink`, as sent.
    pub next_link: Option<String>,
}

/// Client for one API base (an origin, or a same-origin proxy path).
#[derive(Clone, Debug, PartialEq)]
pub struct LibraryApi {
    base: String,
    page_origin: String,
}

impl LibraryApi {
    /// A client for `base`; `page_origin` resolves a relative (proxy path) base.
    pub fn new(base: &str, page_origin: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            page_origin: page_origin.to_string(),
        }
    }

    /// The origin that may receive the token.
    pub fn origin(&self) -> &str {
        origin_of(&self.base).unwrap_or(&self.page_origin)
    }

    /// `GET` URL of the list.
    pub fn list_url(&self) -> String {
        format!("{}/api/libraryfiles", self.base)
    }

    /// `DELETE` URL of one file.
    pub fn file_url(&self, file_name: &str) -> Result<String, ApiError> {
        Ok(format!(
            "{}/api/libraryfiles/{}",
            self.base,
            encode_segment(file_name)?
        ))
    }

    /// Path of the list on the API origin: `/api/libraryfiles`, under the proxy path if any.
    fn list_path(&self) -> String {
        let base_path = match origin_of(&self.base) {
            Some(origin) => &self.base[origin.len()..],
            None => &self.base,
        };
        format!("{base_path}/api/libraryfiles")
    }

    /// The URL of the next page for a `@odata.nextLink`, or why it is not followed.
    ///
    /// The link is resolved with the browser's URL parser (so `//host`, `/\host` and dot
    /// segments mean what they mean to `fetch`), then accepted only on the API origin and on
    /// the list's own path. Behind a proxy path the real API's absolute links (a Defender API
    /// host) are mapped onto the proxy: only their query is kept, so the token still goes
    /// nowhere else.
    pub fn next_page_url(&self, link: &str) -> Result<String, ApiError> {
        let list_url = self.list_url();
        let absolute_list = if origin_of(&list_url).is_some() {
            list_url
        } else {
            format!("{}{list_url}", self.page_origin)
        };
        let (origin, path, query) = resolve(link, &absolute_list).ok_or(ApiError::ForeignLink)?;
        self.follow(&origin, &path, &query)
    }

    /// The decision of [`next_page_url`](Self::next_page_url) on a resolved link.
    pub fn follow(&self, origin: &str, path: &str, query: &str) -> Result<String, ApiError> {
        let list_path = self.list_path();
        let proxied = origin_of(&self.base).is_none();
        if origin.eq_ignore_ascii_case(self.origin()) && path == list_path {
            Ok(format!("{origin}{path}{query}"))
        } else if proxied
            && path == "/api/libraryfiles"
            && crate::url::is_defender_api_origin(origin)
        {
            Ok(format!("{}{list_path}{query}", self.page_origin))
        } else {
            Err(ApiError::ForeignLink)
        }
    }

    /// Fetches one page of the list.
    pub async fn list_page(&self, url: &str, token: Option<&str>) -> Result<Page, ApiError> {
        let resp = send(Method::Get, url, token).await?;
        if resp.status != 200 {
            return Err(error_from(&resp));
        }
        read_list(&resp.text).map_err(ApiError::Body)
    }

    /// Sends one request, with `token` as its bearer (none behind a token-holding proxy).
    pub async fn send(&self, request: &Request, token: Option<&str>) -> Result<Reply, ApiError> {
        match request {
            Request::Page(url) => self.list_page(url, token).await.map(Reply::Page),
            Request::Delete(name) => self.delete(name, token).await.map(Reply::Status),
        }
    }

    /// Deletes one file: `Ok` with the status of a 2xx answer, which only at 204 says the
    /// file is gone (the workflows decide what a 200 or 202 means).
    pub async fn delete(&self, file_name: &str, token: Option<&str>) -> Result<u16, ApiError> {
        let url = self.file_url(file_name)?;
        let resp = send(Method::Delete, &url, token).await?;
        match resp.status {
            200..=299 => Ok(resp.status),
            _ => Err(error_from(&resp)),
        }
    }
}

/// One file to upload, with the form's other fields.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The content: a picked or dropped `File` (a `Blob`).
    pub file: wasm_bindgen::JsValue,
    /// Its size in bytes.
    pub size: u64,
    /// The library name: the `file` part's `filename`.
    pub file_name: String,
    /// `Description`.
    pub description: String,
    /// `HasParameters`.
    pub has_parameters: bool,
    /// `ParametersDescription`.
    pub parameters_description: String,
    /// `OverrideIfExists`.
    pub overwrite: bool,
}

impl LibraryApi {
    /// Uploads one file: `POST {apiBase}/api/libraryfiles`, multipart as the API documents
    /// it (a `file` part named for the library, PascalCase text parts, booleans as `true`
    /// and `false`). The status of the 2xx answer and the entity it holds, or `None` for
    /// the empty 200 some tenants send.
    pub async fn upload(
        &self,
        up: &Upload,
        token: Option<&str>,
        on_progress: &dyn Fn(u64, u64),
    ) -> Result<(u16, Option<LibraryFile>), ApiError> {
        use crate::js::{call, construct};
        use wasm_bindgen::JsValue;
        let no_form = |_| ApiError::Network("the upload form could not be built".into());
        let form = construct("FormData", &[]).map_err(no_form)?;
        let flag = |b: bool| if b { "true" } else { "false" };
        call(
            &form,
            "append",
            &["file".into(), up.file.clone(), up.file_name.as_str().into()],
        )
        .map_err(no_form)?;
        for (k, v) in [
            ("Description", up.description.as_str()),
            ("HasParameters", flag(up.has_parameters)),
            ("ParametersDescription", up.parameters_description.as_str()),
            ("OverrideIfExists", flag(up.overwrite)),
        ] {
            call(
                &form,
                "append",
                &[JsValue::from_str(k), JsValue::from_str(v)],
            )
            .map_err(no_form)?;
        }
        let bearer = token.map(|t| format!("Bearer {t}"));
        let url = self.list_url();
        let resp = http::send_form(&url, &headers(&url, &bearer), &form, up.size, on_progress)
            .await
            .map_err(|e| match e {
                HttpError::Body | HttpError::TooLarge | HttpError::Redirected => {
                    ApiError::Body(e.to_string())
                }
                e => ApiError::Network(e.to_string()),
            })?;
        match resp.status {
            200..=299 if resp.text.trim().is_empty() => Ok((resp.status, None)),
            200..=299 => Json::parse(&resp.text)
                .map_err(|e| e.to_string())
                .and_then(|v| read_file(&v))
                .map(|entity| (resp.status, Some(entity)))
                .map_err(ApiError::Body),
            _ => Err(error_from(&resp)),
        }
    }
}

async fn send(method: Method, url: &str, token: Option<&str>) -> Result<http::Response, ApiError> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    http::send(http::Request {
        method,
        url,
        headers: &headers(url, &bearer),
        body: None,
    })
    .await
    .map_err(|e| match e {
        HttpError::Body | HttpError::TooLarge => ApiError::Body(e.to_string()),
        HttpError::Cors => ApiError::Cors,
        e => ApiError::Network(e.to_string()),
    })
}

/// The header every call to a same-origin proxy carries (`proxy` mode's portal backend, the
/// nginx `/mde-proxy` path), which they require: a page cannot send it without a preflight,
/// which they never approve, so a page of the same site cannot ride the portal's cookie
/// (RFC 10017's BFF CSRF defence; README "proxy"). The real API is never a path.
pub const PROXY_MARKER: (&str, &str) = ("X-MDE-Library-Admin", "1");

fn headers<'a>(url: &str, bearer: &'a Option<String>) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![("Accept", "application/json")];
    if let Some(b) = bearer {
        headers.push(("Authorization", b.as_str()));
    }
    if url.starts_with('/') {
        headers.push(PROXY_MARKER);
    }
    headers
}

fn error_from(resp: &http::Response) -> ApiError {
    let detail = read_error(&resp.text);
    classify(resp.status, resp.retry_after.as_deref(), detail, now_ms())
}

/// Reads one library file entity; unknown members are ignored, optional ones defaulted.
pub fn read_file(v: &Json) -> Result<LibraryFile, String> {
    if !v.is_object() {
        return Err("a library entry is not an object".into());
    }
    let text = |k: &str| v.opt_string(k).map(Option::unwrap_or_default);
    Ok(LibraryFile {
        file_name: v.string("fileName")?,
        sha256: text("sha256")?,
        description: v.opt_string("description")?,
        creation_time: text("creationTime")?,
        last_updated_time: text("lastUpdatedTime")?,
        created_by: v.opt_string("createdBy")?,
        has_parameters: v.opt_bool("hasParameters")?.unwrap_or(false),
        parameters_description: v.opt_string("parametersDescription")?,
    })
}

/// Reads a list response: the OData envelope around library file entities. An entry that
/// cannot be read is counted and left out, so one bad entry does not hide the others.
pub fn read_list(text: &str) -> Result<Page, String> {
    let doc = Json::parse(text).map_err(|e| e.to_string())?;
    let items = doc
        .get("value")
        .and_then(|v| v.items())
        .ok_or("the list has no \"value\" array")?;
    let total = items.len();
    let value: Vec<LibraryFile> = items.iter().filter_map(|v| read_file(v).ok()).collect();
    Ok(Page {
        unreadable: total - value.len(),
        value,
        next_link: doc.opt_string("@odata.nextLink")?,
    })
}

/// Resolves `link` against `base` as `fetch` would: `(origin, path, query)`.
#[cfg(target_arch = "wasm32")]
fn resolve(link: &str, base: &str) -> Option<(String, String, String)> {
    let u = web_sys::Url::new_with_base(link, base).ok()?;
    Some((u.origin(), u.pathname(), u.search()))
}

/// Native builds (unit tests) only resolve absolute and origin-relative links; the browser's
/// parser is exercised by the wasm tests.
#[cfg(not(target_arch = "wasm32"))]
fn resolve(link: &str, base: &str) -> Option<(String, String, String)> {
    let (origin, rest) = match origin_of(link) {
        Some(o) if !link.starts_with('/') => (o.to_string(), &link[o.len()..]),
        _ if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/\\") => {
            (origin_of(base)?.to_string(), link)
        }
        _ => return None,
    };
    let (path, query) = rest
        .split_once('?')
        .map_or((rest, ""), |(p, _)| (p, &rest[p.len()..]));
    Some((origin, path.to_string(), query.to_string()))
}

/// Reads an error body `{"error": {"code", "message", "target"}}`, if that is what it is.
pub fn read_error(text: &str) -> Option<ErrorDetail> {
    let error = Json::parse(text).ok()?.get("error")?;
    Some(ErrorDetail {
        code: error.string("code").ok()?,
        message: error.opt_string("message").ok()?.unwrap_or_default(),
        target: error.opt_string("target").ok()?,
    })
}

/// Maps a failing status (and its `Retry-After`, body) to an error.
pub fn classify(
    status: u16,
    retry_after: Option<&str>,
    detail: Option<ErrorDetail>,
    now_ms: u64,
) -> ApiError {
    match status {
        401 => ApiError::Unauthorized(detail),
        403 => ApiError::Forbidden(detail),
        404 => ApiError::NotFound(detail),
        429 => ApiError::RateLimited {
            retry_after_ms: retry_after.and_then(|v| parse_retry_after(v, now_ms)),
            detail,
        },
        status => ApiError::Status { status, detail },
    }
}

#[cfg(test)]
mod tests;
