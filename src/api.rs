//! The MDE library API client: URLs, HTTP and JSON. No Leptos, no DOM.
//!
//! Every request is built here, so this is where the DELETE is sent and where the token is
//! attached; the caller decides which token and what to do with the outcome.

use mde_wire::{origin_of, ErrorDetail, LibraryFile, ListEnvelope};

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
    /// The answer was not the JSON expected.
    #[error("the API's answer could not be read ({0})")]
    Body(String),
    /// A `@odata.nextLink` pointed away from the API origin; the token is not sent there.
    #[error("the API sent a next-page link to another origin ({0}); it was not followed")]
    ForeignLink(String),
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
pub fn encode_segment(name: &str) -> Result<String, ApiError> {
    if name.is_empty() || name.chars().all(|c| c == '.') {
        return Err(ApiError::Unaddressable(name.to_string()));
    }
    Ok(crate::url::encode(name))
}

/// Parses `Retry-After`: delay seconds or an HTTP date, as milliseconds from `now_ms`.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
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
    Page(ListEnvelope<LibraryFile>),
    /// The file was deleted (204).
    Deleted,
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

    /// Whether a URL may be sent the token: only the API's own origin.
    pub fn may_receive_token(&self, url: &str) -> bool {
        match origin_of(url) {
            Some(o) => o.eq_ignore_ascii_case(self.origin()),
            // Relative URLs resolve against the page: allowed only for a proxy-path base.
            None => url.starts_with('/') && origin_of(&self.base).is_none(),
        }
    }

    /// Fetches one page of the list.
    pub async fn list_page(
        &self,
        url: &str,
        token: &str,
    ) -> Result<ListEnvelope<LibraryFile>, ApiError> {
        if !self.may_receive_token(url) {
            return Err(ApiError::ForeignLink(
                origin_of(url).unwrap_or(url).to_string(),
            ));
        }
        let resp = send(Method::Get, url, token).await?;
        if resp.status != 200 {
            return Err(error_from(&resp));
        }
        read_list(&resp.text).map_err(ApiError::Body)
    }

    /// Sends one request with `token`.
    pub async fn send(&self, request: &Request, token: &str) -> Result<Reply, ApiError> {
        match request {
            Request::Page(url) => self.list_page(url, token).await.map(Reply::Page),
            Request::Delete(name) => self.delete(name, token).await.map(|()| Reply::Deleted),
        }
    }

    /// Deletes one file: `Ok` on 204 (and any other 2xx).
    pub async fn delete(&self, file_name: &str, token: &str) -> Result<(), ApiError> {
        let url = self.file_url(file_name)?;
        let resp = send(Method::Delete, &url, token).await?;
        match resp.status {
            200..=299 => Ok(()),
            _ => Err(error_from(&resp)),
        }
    }
}

async fn send(method: Method, url: &str, token: &str) -> Result<http::Response, ApiError> {
    let bearer = format!("Bearer {token}");
    http::send(http::Request {
        method,
        url,
        headers: &[("Authorization", &bearer), ("Accept", "application/json")],
        body: None,
    })
    .await
    .map_err(|e| match e {
        HttpError::Body => ApiError::Body(e.to_string()),
        e => ApiError::Network(e.to_string()),
    })
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

/// Reads a list response: the OData envelope around library file entities.
pub fn read_list(text: &str) -> Result<ListEnvelope<LibraryFile>, String> {
    let doc = Json::parse(text).map_err(|e| e.to_string())?;
    let value = doc
        .get("value")
        .and_then(|v| v.items())
        .ok_or("the list has no \"value\" array")?;
    Ok(ListEnvelope {
        context: doc.opt_string("@odata.context")?,
        value: value.iter().map(read_file).collect::<Result<_, _>>()?,
        next_link: doc.opt_string("@odata.nextLink")?,
    })
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

/// Wall clock in milliseconds, from the browser.
pub fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_encoded_segment() {
        assert_eq!(
            encode_segment("Get-Info_v2.ps1").unwrap(),
            "Get-Info_v2.ps1"
        );
        assert_eq!(
            encode_segment("a b#c%d?e/f\u{e9}.ps1").unwrap(),
            "a%20b%23c%25d%3Fe%2Ff%C3%A9.ps1"
        );
        assert!(encode_segment("..").is_err());
        assert!(encode_segment(".").is_err());
        assert!(encode_segment("").is_err());
        assert_eq!(encode_segment("...x").unwrap(), "...x");
    }

    #[test]
    fn file_url_uses_the_base() {
        let api = LibraryApi::new("https://api.security.microsoft.com/", "https://portal");
        assert_eq!(
            api.file_url("x y").unwrap(),
            "https://api.security.microsoft.com/api/libraryfiles/x%20y"
        );
    }

    #[test]
    fn token_goes_only_to_the_api_origin() {
        let api = LibraryApi::new(
            "https://api.security.microsoft.com",
            "https://portal.example",
        );
        assert!(
            api.may_receive_token("https://api.security.microsoft.com/api/libraryfiles?$skip=2")
        );
        assert!(!api.may_receive_token("https://evil.example/api/libraryfiles"));
        assert!(!api.may_receive_token("https://api.security.microsoft.com.evil.example/x"));
        assert!(!api.may_receive_token("/api/libraryfiles"));
        let proxy = LibraryApi::new("/mde", "https://portal.example");
        assert_eq!(proxy.origin(), "https://portal.example");
        assert!(proxy.may_receive_token("/mde/api/libraryfiles"));
        assert!(!proxy.may_receive_token("https://evil.example/x"));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("12", 0), Some(12_000));
        assert_eq!(parse_retry_after(" 0 ", 0), Some(0));
        // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s.
        let now = 784_111_777_000 - 5_000;
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(5_000)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + 60_000),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("-3", 0), None);
    }

    #[test]
    fn reads_what_the_wire_types_write() {
        // The simulator serialises the shared wire types with serde; the app must read them back.
        let files = crate::listing::synthetic_library(8);
        let text = serde_json::to_string(&ListEnvelope {
            context: Some("x/$metadata#LibraryFiles".into()),
            value: files.clone(),
            next_link: Some("https://api/next".into()),
        })
        .unwrap();
        let back = read_list(&text).unwrap();
        assert_eq!(back.value, files);
        assert_eq!(back.next_link.as_deref(), Some("https://api/next"));
    }

    #[test]
    fn reads_the_documented_entity_and_tolerates_gaps() {
        let text = r#"{"@odata.context":"https://api.security.microsoft.com/api/$metadata#LibraryFiles",
          "value":[{"fileName":"script1.ps1",
          "sha256":"6e212a0db618507c44e4ec8ee7499dfef7e5767e5f8d31144df3b96fd1145caf",
          "description":null,"creationTime":"2019-10-24T10:54:23.2009016Z",
          "lastUpdatedTime":"2019-10-24T10:54:23.2009016Z","createdBy":"admin",
          "hasParameters":true,"parametersDescription":"test","futureField":[1]},
          {"fileName":"bare.sh"}]}"#;
        let list = read_list(text).unwrap();
        assert_eq!(
            list.value[0].parameters_description.as_deref(),
            Some("test")
        );
        assert_eq!(list.value[0].description, None);
        assert!(list.value[0].has_parameters);
        assert!(!list.value[1].has_parameters);
        assert_eq!(list.next_link, None);
        assert!(read_list(r#"{"value":[{"sha256":"x"}]}"#)
            .unwrap_err()
            .contains("fileName"));
        assert!(read_list(r#"{"nope":1}"#).unwrap_err().contains("value"));
        assert!(read_list("<html>").is_err());
    }

    #[test]
    fn reads_error_bodies() {
        let d = read_error(r#"{"error":{"code":"NotFound","message":"m","target":"g"}}"#).unwrap();
        assert_eq!(
            (d.code.as_str(), d.message.as_str(), d.target.as_deref()),
            ("NotFound", "m", Some("g"))
        );
        assert_eq!(read_error("not json"), None);
        assert_eq!(read_error(r#"{"error":"x"}"#), None);
    }

    #[test]
    fn statuses_are_classified() {
        assert!(matches!(
            classify(401, None, None, 0),
            ApiError::Unauthorized(_)
        ));
        assert!(matches!(
            classify(403, None, None, 0),
            ApiError::Forbidden(_)
        ));
        assert!(matches!(
            classify(404, None, None, 0),
            ApiError::NotFound(_)
        ));
        assert_eq!(
            classify(429, Some("2"), None, 0),
            ApiError::RateLimited {
                retry_after_ms: Some(2000),
                detail: None
            }
        );
        assert!(matches!(
            classify(500, None, None, 0),
            ApiError::Status { status: 500, .. }
        ));
    }
}
