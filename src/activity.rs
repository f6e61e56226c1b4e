//! What the panel changed: the activity trail kept while the page is open (exported as CSV
//! or JSON), and the events for the embedding portal: `mount()`'s `onEvent` option, or a
//! `mde-library-admin:event` message to the portal framing the panel.
//!
//! The event shape is a public contract, the same in every mode:
//! `{ time, action, fileName, sha256, status, outcome, trackingId }`. An event never
//! carries token material: it is built from these fields alone.

use wasm_bindgen::JsValue;

use crate::api::ApiError;
use crate::service::OpError;
use crate::window_messages::{object, post};
use crate::workflow::FileOutcome;

/// One change, as reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// When it ended, ISO 8601.
    pub time: String,
    /// `delete` or `upload`.
    pub action: &'static str,
    /// The file.
    pub file_name: String,
    /// Its SHA-256 before the change, when known.
    pub sha256: Option<String>,
    /// The HTTP status of the last answer, when there was one.
    pub status: Option<u16>,
    /// `deleted`, `not-found`, `uploaded`, `failed` or `canceled`.
    pub outcome: &'static str,
    /// The API's error `target` (its tracking id), when it sent one.
    pub tracking_id: Option<String>,
    /// Who did it: the signed-in account's display name, when the token names one.
    pub account: Option<String>,
    /// After an upload: the uploaded file's SHA-256, when the API said.
    pub sha256_after: Option<String>,
}

impl Activity {
    /// The record of a finished delete.
    pub fn deleted(
        time: String,
        file_name: &str,
        sha256: Option<String>,
        ended: &FileOutcome,
    ) -> Self {
        Self::ended("delete", time, file_name, sha256, None, ended)
    }

    /// The record of a finished upload: `before` the replaced file's SHA-256 (when one was
    /// replaced), `after` the uploaded one's (when the API said).
    pub fn uploaded(
        time: String,
        file_name: &str,
        before: Option<String>,
        after: Option<String>,
        ended: &FileOutcome,
    ) -> Self {
        Self::ended("upload", time, file_name, before, after, ended)
    }

    fn ended(
        action: &'static str,
        time: String,
        file_name: &str,
        sha256: Option<String>,
        sha256_after: Option<String>,
        ended: &FileOutcome,
    ) -> Self {
        let (status, outcome, tracking_id) = match ended {
            FileOutcome::Deleted => (Some(204), "deleted", None),
            FileOutcome::Uploaded(status) => (Some(*status), "uploaded", None),
            FileOutcome::Unconfirmed(status) => (Some(*status), "unconfirmed", None),
            FileOutcome::NotFound => (Some(404), "not-found", None),
            FileOutcome::Stopped => (None, "canceled", None),
            FileOutcome::Failed(OpError::Api(e)) => (
                api_status(e),
                "failed",
                e.detail().and_then(|d| d.target.clone()),
            ),
            FileOutcome::Failed(OpError::Auth(_)) => (None, "failed", None),
        };
        Self {
            time,
            action,
            file_name: file_name.to_string(),
            sha256,
            sha256_after,
            status,
            outcome,
            tracking_id,
            account: None,
        }
    }

    /// The same record, done by `account`.
    pub fn by(mut self, account: Option<String>) -> Self {
        self.account = account;
        self
    }

    /// The event object handed to the portal.
    pub fn to_js(&self) -> JsValue {
        let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from);
        object(&[
            ("time", self.time.as_str().into()),
            ("action", self.action.into()),
            ("fileName", self.file_name.as_str().into()),
            ("sha256", opt(&self.sha256)),
            ("status", self.status.map_or(JsValue::NULL, JsValue::from)),
            ("outcome", self.outcome.into()),
            ("trackingId", opt(&self.tracking_id)),
        ])
        .into()
    }
}

/// The columns of the exports, in order.
const COLUMNS: [&str; 9] = [
    "time",
    "account",
    "action",
    "fileName",
    "sha256",
    "sha256After",
    "status",
    "outcome",
    "trackingId",
];

impl Activity {
    /// The record's values in [`COLUMNS`] order; `None` where there is none.
    fn values(&self) -> [Option<String>; 9] {
        [
            Some(self.time.clone()),
            self.account.clone(),
            Some(self.action.to_string()),
            Some(self.file_name.clone()),
            self.sha256.clone(),
            self.sha256_after.clone(),
            self.status.map(|s| s.to_string()),
            Some(self.outcome.to_string()),
            self.tracking_id.clone(),
        ]
    }
}

/// The trail as CSV (RFC 4180, CRLF), oldest first. A value a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, tab or CR; file names come from the API) is
/// prefixed with `'`.
pub fn to_csv(records: &[Activity]) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for r in records {
        let cells: Vec<String> = r
            .values()
            .iter()
            .map(|v| csv_cell(v.as_deref().unwrap_or_default()))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV cell: quoted as RFC 4180 needs, and defused if a spreadsheet would run it.
pub(crate) fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n'])
        || guarded.starts_with(' ')
        || guarded.ends_with(' ')
    {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The trail as a JSON array of objects named like the events (plus `account` and
/// `sha256After`), oldest first; a status is a number, a missing value `null`.
pub fn to_json(records: &[Activity]) -> String {
    let mut out = String::from("[");
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        for (j, (key, value)) in COLUMNS.iter().zip(r.values()).enumerate() {
            if j > 0 {
                out.push(',');
            }
            json_string(&mut out, key);
            out.push(':');
            match value {
                None => out.push_str("null"),
                Some(v) if *key == "status" => out.push_str(&v),
                Some(v) => json_string(&mut out, &v),
            }
        }
        out.push('}');
    }
    out.push(']');
    out
}

/// `s` as a JSON string literal.
pub(crate) fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The HTTP status behind an API error, when an answer came.
pub fn api_status(e: &ApiError) -> Option<u16> {
    Some(match e {
        ApiError::Unauthorized(_) => 401,
        ApiError::Forbidden(_) => 403,
        ApiError::NotFound(_) => 404,
        ApiError::RateLimited { .. } => 429,
        ApiError::Status { status, .. } => *status,
        _ => return None,
    })
}

/// Where events go.
#[derive(Clone, Default)]
pub enum Events {
    /// Nobody listens (the panel on a page of its own).
    #[default]
    None,
    /// `mount()`'s `onEvent(event)`.
    Callback(js_sys::Function),
    /// The portal framing the panel, at this exact origin.
    Parent(String),
}

impl Events {
    /// Hands `activity` to the portal; a failing listener never disturbs the panel.
    pub fn emit(&self, activity: &Activity) {
        match self {
            Events::None => {}
            Events::Callback(f) => {
                let _ = f.call1(&JsValue::UNDEFINED, &activity.to_js());
            }
            Events::Parent(origin) => post_parent(
                origin,
                crate::window_messages::EVENT,
                "event",
                activity.to_js(),
            ),
        }
    }

    /// Tells the framing portal the panel's content height, so it can size the iframe.
    pub fn resized(&self, height: u32) {
        if let Events::Parent(origin) = self {
            post_parent(
                origin,
                crate::window_messages::RESIZE,
                "height",
                height.into(),
            );
        }
    }
}

fn post_parent(origin: &str, kind: &str, key: &str, value: JsValue) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    post(
        &parent,
        &object(&[("type", kind.into()), (key, value)]),
        origin,
    );
}

/// Now, ISO 8601 (`Date.prototype.toISOString`).
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_wire::ErrorDetail;

    fn record(name: &str, outcome: &FileOutcome) -> Activity {
        Activity::deleted(
            "2026-11-27T06:00:00.000Z".into(),
            name,
            Some("ab".repeat(32)),
            outcome,
        )
        .by(Some("Ada Admin".into()))
    }

    #[test]
    fn csv_quotes_and_defuses_what_a_spreadsheet_would_run() {
        let rows = [
            record("a.ps1", &FileOutcome::Deleted),
            record("=cmd|' /C calc'!A0", &FileOutcome::NotFound),
            record("we, \"quoted\"\r\nname", &FileOutcome::Stopped),
        ];
        let csv = to_csv(&rows);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "time,account,action,fileName,sha256,sha256After,status,outcome,trackingId"
        );
        assert_eq!(
            lines[1],
            format!(
                "2026-11-27T06:00:00.000Z,Ada Admin,delete,a.ps1,{},,204,deleted,",
                "ab".repeat(32)
            )
        );
        assert!(lines[2].contains(",'=cmd|' /C calc'!A0,"), "{}", lines[2]);
        assert!(csv.contains("\"we, \"\"quoted\"\"\r\nname\""), "{csv}");
        assert!(csv.ends_with("\r\n"));
    }

    #[test]
    fn json_parses_back_to_the_records() {
        let rows = [
            record("a\"b\\c\u{1}.ps1", &FileOutcome::Deleted),
            record("b.ps1", &FileOutcome::Stopped),
        ];
        let v: serde_json::Value = serde_json::from_str(&to_json(&rows)).unwrap();
        assert_eq!(v[0]["fileName"], "a\"b\\c\u{1}.ps1");
        assert_eq!(v[0]["status"], 204);
        assert_eq!(v[0]["account"], "Ada Admin");
        assert_eq!(v[0]["sha256After"], serde_json::Value::Null);
        assert_eq!(v[1]["status"], serde_json::Value::Null);
        assert_eq!(v[1]["outcome"], "canceled");
        assert_eq!(to_json(&[]), "[]");
    }

    #[test]
    fn outcomes_map_to_the_documented_values() {
        let t = || "2026-11-27T06:00:00.000Z".to_string();
        let a = Activity::deleted(t(), "a.ps1", Some("ab".into()), &FileOutcome::Deleted);
        assert_eq!(
            (a.status, a.outcome, a.action),
            (Some(204), "deleted", "delete")
        );
        let a = Activity::deleted(t(), "a.ps1", None, &FileOutcome::NotFound);
        assert_eq!((a.status, a.outcome), (Some(404), "not-found"));
        let a = Activity::deleted(t(), "a.ps1", None, &FileOutcome::Stopped);
        assert_eq!((a.status, a.outcome), (None, "canceled"));
        // The status the API really answered, and only a 204 as "deleted".
        let a = Activity::deleted(t(), "a.ps1", None, &FileOutcome::Unconfirmed(202));
        assert_eq!((a.status, a.outcome), (Some(202), "unconfirmed"));
        let a = Activity::uploaded(t(), "a.ps1", None, None, &FileOutcome::Uploaded(201));
        assert_eq!((a.status, a.outcome), (Some(201), "uploaded"));
        let detail = ErrorDetail {
            code: "InternalError".into(),
            message: "boom".into(),
            target: Some("3f2a-tracking".into()),
        };
        let failed = FileOutcome::Failed(OpError::Api(ApiError::Status {
            status: 500,
            detail: Some(detail),
        }));
        let a = Activity::deleted(t(), "a.ps1", None, &failed);
        assert_eq!(
            (a.status, a.outcome, a.tracking_id.as_deref()),
            (Some(500), "failed", Some("3f2a-tracking"))
        );
        let net = FileOutcome::Failed(OpError::Api(ApiError::Network("reset".into())));
        assert_eq!(Activity::deleted(t(), "a", None, &net).status, None);
    }
}
