//! Wire types of the Defender for Endpoint library API and the limits both sides enforce.
//!
//! The app and the simulator both depend on this crate, so it stays free of any runtime
//! (no tokio, no web-sys) and compiles for wasm32.

#![warn(missing_docs)]

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

pub mod cloud;
#[cfg(feature = "csp")]
pub mod csp;

/// One entry of the live response library, as `GET /api/libraryfiles` returns it.
///
/// Unknown fields are ignored and optional ones defaulted: the real service has shipped
/// entries without `parametersDescription` and with a null `description`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryFile {
    /// The name the file is stored under; the key for DELETE.
    pub file_name: String,
    /// Lower-case hex SHA-256 of the content.
    #[serde(default)]
    pub sha256: String,
    /// Free text; null when the uploader gave none.
    #[serde(default)]
    pub description: Option<String>,
    /// UTC time with 7 fractional digits, kept as sent.
    #[serde(default)]
    pub creation_time: String,
    /// UTC time with 7 fractional digits, kept as sent.
    #[serde(default)]
    pub last_updated_time: String,
    /// Free text, often a display name rather than an e-mail.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Whether the script takes parameters.
    #[serde(default)]
    pub has_parameters: bool,
    /// Absent or null on many entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters_description: Option<String>,
}

/// The OData envelope around a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListEnvelope<T> {
    /// Metadata URL; present on real responses, ignored by the app.
    #[serde(
        rename = "@odata.context",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<String>,
    /// The page of entries.
    pub value: Vec<T>,
    /// Next page, when the service pages (not documented to happen, but followed if present).
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_link: Option<String>,
}

/// The error body every failing API call carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// Code, message and tracking id of an API error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Machine code such as `NotFound` or `TooManyRequests`.
    pub code: String,
    /// Human text from the service.
    #[serde(default)]
    pub message: String,
    /// Tracking id (a GUID) to quote to Microsoft support.
    #[serde(default)]
    pub target: Option<String>,
}

/// Documented name rule of the library: letters, digits, `-`, `_` and `.`.
pub fn is_valid_file_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_file_name_char)
}

/// Whether the library accepts `c` in a file name (see [`is_valid_file_name`]).
pub fn is_file_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Scheme, host and port of an absolute URL (`https://h:1/p` → `https://h:1`); `None` for a
/// relative one. Both sides need it: the app to keep the token on the API origin, the
/// simulator to write the page's Content-Security-Policy.
pub fn origin_of(url: &str) -> Option<&str> {
    let start = url.find("://")? + 3;
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    Some(&url[..end])
}

/// Largest upload the service accepts, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// An hour in milliseconds: the API's long window.
pub const HOUR_MS: u64 = 3_600_000;

/// The API's call budget per (application, tenant): two sliding windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Calls allowed in any short window.
    pub per_window: u32,
    /// Calls allowed in any hour.
    pub per_hour: u32,
    /// Length of the short window in seconds.
    pub window_seconds: u32,
}

impl RateLimit {
    /// The documented limits: 100 calls a minute and 1,500 an hour.
    pub const DOCUMENTED: RateLimit = RateLimit {
        per_window: 100,
        per_hour: 1500,
        window_seconds: 60,
    };
}

/// One sliding window: at most `limit` events in any `length_ms` span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Span of the window in milliseconds.
    pub length_ms: u64,
    /// Events allowed within one span.
    pub limit: u32,
}

/// Sliding-window rate limiter over several windows at once (per minute and per hour).
///
/// Time is passed in, never read, so the same code drives the simulator (wall clock),
/// the app (`Date.now()`) and tests (a fake clock).
#[derive(Clone, Debug)]
pub struct SlidingLimiter {
    windows: Vec<Window>,
    // Times of admitted events, oldest first; kept only as long as the longest window.
    events: VecDeque<u64>,
}

impl SlidingLimiter {
    /// A limiter enforcing every window given.
    pub fn new(windows: Vec<Window>) -> Self {
        Self {
            windows,
            events: VecDeque::new(),
        }
    }

    /// The API's two windows: `per_window` calls in any `window_ms`, `per_hour` in any hour,
    /// each window lengthened by `margin_ms` (a client's allowance for calls that arrive
    /// sooner than they left; the service itself counts with none).
    pub fn for_limits(window_ms: u64, per_window: u32, per_hour: u32, margin_ms: u64) -> Self {
        Self::new(vec![
            Window {
                length_ms: window_ms + margin_ms,
                limit: per_window,
            },
            Window {
                length_ms: HOUR_MS + margin_ms,
                limit: per_hour,
            },
        ])
    }

    /// `per_minute` a minute and `per_hour` an hour, with no margin.
    pub fn per_minute_and_hour(per_minute: u32, per_hour: u32) -> Self {
        Self::for_limits(60_000, per_minute, per_hour, 0)
    }

    fn forget_before(&mut self, now_ms: u64) {
        let longest = self.windows.iter().map(|w| w.length_ms).max().unwrap_or(0);
        while let Some(&t) = self.events.front() {
            if now_ms.saturating_sub(t) >= longest {
                self.events.pop_front();
            } else {
                break;
            }
        }
    }

    /// Milliseconds until one more event would be admitted; 0 when it would be now.
    pub fn wait_ms(&mut self, now_ms: u64) -> u64 {
        self.forget_before(now_ms);
        let mut wait = 0;
        for w in &self.windows {
            if w.limit == 0 {
                return u64::MAX;
            }
            let inside: Vec<u64> = self
                .events
                .iter()
                .copied()
                .filter(|&t| now_ms.saturating_sub(t) < w.length_ms)
                .collect();
            if inside.len() >= w.limit as usize {
                // The event that must leave the window for one slot to free up.
                let pivot = inside[inside.len() - w.limit as usize];
                wait = wait.max(pivot + w.length_ms - now_ms);
            }
        }
        wait
    }

    /// Milliseconds from `now_ms` until `n` more events would all have been admitted, each
    /// as soon as the windows allow: the time a queue of `n` calls needs at the limit.
    pub fn eta_ms(&self, now_ms: u64, n: usize) -> u64 {
        let mut sim = self.clone();
        let mut t = now_ms;
        for _ in 0..n {
            let wait = sim.wait_ms(t);
            if wait == u64::MAX {
                return u64::MAX;
            }
            t += wait;
            sim.events.push_back(t);
        }
        t - now_ms
    }

    /// Admits an event now, or says how many milliseconds to wait before asking again.
    pub fn try_acquire(&mut self, now_ms: u64) -> Result<(), u64> {
        match self.wait_ms(now_ms) {
            0 => {
                self.events.push_back(now_ms);
                Ok(())
            }
            wait => Err(wait),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_is_the_time_a_queue_needs_at_the_limit() {
        let mut l = SlidingLimiter::per_minute_and_hour(100, 1500);
        assert_eq!(l.eta_ms(0, 100), 0);
        // The 101st call waits a minute; 1,000 calls need 9 full minutes after the first 100.
        assert_eq!(l.eta_ms(0, 101), 60_000);
        assert_eq!(l.eta_ms(0, 1000), 9 * 60_000);
        // Past 1,500 the hour window decides.
        assert_eq!(l.eta_ms(0, 1501), HOUR_MS);
        // Calls already made count.
        for t in 0..50 {
            l.try_acquire(t).unwrap();
        }
        assert_eq!(l.eta_ms(100, 50), 0);
        assert_eq!(l.eta_ms(100, 51), 60_000 - 100);
    }

    #[test]
    fn documented_entity_parses_and_round_trips() {
        let json = r#"{ "fileName": "script1.ps1",
          "sha256": "6e212a0db618507c44e4ec8ee7499dfef7e5767e5f8d31144df3b96fd1145caf",
          "description": null,
          "creationTime": "2019-10-24T10:54:23.2009016Z",
          "lastUpdatedTime": "2019-10-24T10:54:23.2009016Z",
          "createdBy": "admin", "hasParameters": true, "parametersDescription": "test",
          "someFutureField": {"x": 1} }"#;
        let f: LibraryFile = serde_json::from_str(json).unwrap();
        assert_eq!(f.file_name, "script1.ps1");
        assert_eq!(f.description, None);
        assert_eq!(f.parameters_description.as_deref(), Some("test"));
        let back = serde_json::to_value(&f).unwrap();
        assert_eq!(back["description"], serde_json::Value::Null);
        assert_eq!(back["creationTime"], "2019-10-24T10:54:23.2009016Z");
    }

    #[test]
    fn absent_optional_fields_are_tolerated_and_stay_absent() {
        let f: LibraryFile = serde_json::from_str(r#"{"fileName":"a.sh"}"#).unwrap();
        assert!(!f.has_parameters);
        assert_eq!(f.created_by, None);
        let back = serde_json::to_value(&f).unwrap();
        assert!(back.get("parametersDescription").is_none());
    }

    #[test]
    fn envelope_follows_odata_names() {
        let e: ListEnvelope<LibraryFile> = serde_json::from_str(
            r#"{"@odata.context":"x/$metadata#LibraryFiles","value":[],"@odata.nextLink":"n"}"#,
        )
        .unwrap();
        assert_eq!(e.next_link.as_deref(), Some("n"));
    }

    #[test]
    fn origin_strips_path_and_needs_a_scheme() {
        assert_eq!(
            origin_of("https://login.microsoftonline.com/t/v2.0"),
            Some("https://login.microsoftonline.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8787"),
            Some("http://127.0.0.1:8787")
        );
        assert_eq!(origin_of("/mde-proxy/api"), None);
    }

    #[test]
    fn name_rule() {
        assert!(is_valid_file_name("Get-Info_v2.ps1"));
        for bad in ["", "a b.ps1", "a#b", "a%b", "a?b", "é.ps1", "a/b", "..\\x"] {
            assert!(!is_valid_file_name(bad), "{bad}");
        }
    }

    #[test]
    fn limiter_enforces_each_window_and_slides() {
        let mut l = SlidingLimiter::new(vec![
            Window {
                length_ms: 1_000,
                limit: 2,
            },
            Window {
                length_ms: 10_000,
                limit: 3,
            },
        ]);
        assert_eq!(l.try_acquire(0), Ok(()));
        assert_eq!(l.try_acquire(100), Ok(()));
        assert_eq!(l.try_acquire(200), Err(800));
        assert_eq!(l.try_acquire(1_000), Ok(()));
        // Short window has room again at 1100, but the long one is full until 10_000.
        assert_eq!(l.try_acquire(1_100), Err(8_900));
        assert_eq!(l.try_acquire(10_000), Ok(()));
    }

    #[test]
    fn the_documented_limits_with_a_margin_on_both_windows() {
        let d = RateLimit::DOCUMENTED;
        let window_ms = u64::from(d.window_seconds) * 1000;
        let mut l = SlidingLimiter::for_limits(window_ms, d.per_window, d.per_hour, 250);
        for t in 0..100 {
            l.try_acquire(t).unwrap();
        }
        assert_eq!(l.try_acquire(100), Err(60_250 - 100));
        let mut l = SlidingLimiter::for_limits(1_000, 10, 2, 250);
        l.try_acquire(0).unwrap();
        l.try_acquire(1).unwrap();
        assert_eq!(l.try_acquire(1_300), Err(HOUR_MS + 250 - 1_300));
    }

    #[test]
    fn zero_limit_never_admits() {
        let mut l = SlidingLimiter::per_minute_and_hour(0, 10);
        assert_eq!(l.try_acquire(5), Err(u64::MAX));
    }
}
