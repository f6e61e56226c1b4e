//! What the panel changed, as events for the embedding portal: `mount()`'s `onEvent`
//! option, or a `mde-library-admin:event` message to the portal framing the panel.
//!
//! The event shape is a public contract, the same in every mode:
//! `{ time, action, fileName, sha256, status, outcome, trackingId }`. An event never
//! carries token material: it is built from these fields alone.

use wasm_bindgen::JsValue;

use crate::api::ApiError;
use crate::auth::window_messages::{object, post};
use crate::delete_flow::Outcome;
use crate::service::OpError;

/// One change, as reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// When it ended, ISO 8601.
    pub time: String,
    /// `delete` (later actions add values).
    pub action: &'static str,
    /// The file.
    pub file_name: String,
    /// Its SHA-256 before the change, when known.
    pub sha256: Option<String>,
    /// The HTTP status of the last answer, when there was one.
    pub status: Option<u16>,
    /// `deleted`, `not-found`, `failed` or `canceled`.
    pub outcome: &'static str,
    /// The API's error `target` (its tracking id), when it sent one.
    pub tracking_id: Option<String>,
}

impl Activity {
    /// The record of a finished delete.
    pub fn deleted(time: String, file_name: &str, sha256: Option<String>, ended: &Outcome) -> Self {
        let (status, outcome, tracking_id) = match ended {
            Outcome::Deleted => (Some(204), "deleted", None),
            Outcome::NotFound => (Some(404), "not-found", None),
            Outcome::Stopped => (None, "canceled", None),
            Outcome::Failed(OpError::Api(e)) => (
                api_status(e),
                "failed",
                e.detail().and_then(|d| d.target.clone()),
            ),
            Outcome::Failed(OpError::Auth(_)) => (None, "failed", None),
        };
        Self {
            time,
            action: "delete",
            file_name: file_name.to_string(),
            sha256,
            status,
            outcome,
            tracking_id,
        }
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
            Events::Parent(origin) => {
                post_parent(origin, "mde-library-admin:event", "event", activity.to_js())
            }
        }
    }

    /// Tells the framing portal the panel's content height, so it can size the iframe.
    pub fn resized(&self, height: u32) {
        if let Events::Parent(origin) = self {
            post_parent(origin, "mde-library-admin:resize", "height", height.into());
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

    #[test]
    fn outcomes_map_to_the_documented_values() {
        let t = || "2026-11-27T06:00:00.000Z".to_string();
        let a = Activity::deleted(t(), "a.ps1", Some("ab".into()), &Outcome::Deleted);
        assert_eq!(
            (a.status, a.outcome, a.action),
            (Some(204), "deleted", "delete")
        );
        let a = Activity::deleted(t(), "a.ps1", None, &Outcome::NotFound);
        assert_eq!((a.status, a.outcome), (Some(404), "not-found"));
        let a = Activity::deleted(t(), "a.ps1", None, &Outcome::Stopped);
        assert_eq!((a.status, a.outcome), (None, "canceled"));
        let detail = ErrorDetail {
            code: "InternalError".into(),
            message: "boom".into(),
            target: Some("3f2a-tracking".into()),
        };
        let failed = Outcome::Failed(OpError::Api(ApiError::Status {
            status: 500,
            detail: Some(detail),
        }));
        let a = Activity::deleted(t(), "a.ps1", None, &failed);
        assert_eq!(
            (a.status, a.outcome, a.tracking_id.as_deref()),
            (Some(500), "failed", Some("3f2a-tracking"))
        );
        let net = Outcome::Failed(OpError::Api(ApiError::Network("reset".into())));
        assert_eq!(Activity::deleted(t(), "a", None, &net).status, None);
    }
}
