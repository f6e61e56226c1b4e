//! Error responses in the two shapes the real services use: MDE's and Entra ID's.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mde_wire::{ErrorBody, ErrorDetail};

use crate::util::{random_id, time_rfc3339};

/// An MDE API error: status, code, message; the tracking id is minted when it is sent.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Error code such as `NotFound`.
    pub code: &'static str,
    /// Human text.
    pub message: String,
    /// Seconds to put in `Retry-After` (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                target: Some(random_id()),
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                resp.headers_mut().insert("retry-after", v);
            }
        }
        resp
    }
}

/// An Entra ID token or authorize error, with its AADSTS code.
#[derive(Debug, Clone)]
pub struct EntraError {
    /// HTTP status (400 for grant errors, 401 for client errors).
    pub status: StatusCode,
    /// OAuth error such as `invalid_grant`.
    pub error: &'static str,
    /// Numeric AADSTS code.
    pub aadsts: u32,
    /// Text after the AADSTS prefix.
    pub text: String,
}

impl EntraError {
    /// A 400 error.
    pub fn new(error: &'static str, aadsts: u32, text: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            aadsts,
            text: text.into(),
        }
    }

    /// `error_description` as Entra writes it.
    pub fn description(&self, trace: &str, correlation: &str) -> String {
        format!(
            "AADSTS{}: {} Trace ID: {} Correlation ID: {} Timestamp: {}",
            self.aadsts,
            self.text,
            trace,
            correlation,
            time_rfc3339()
        )
    }
}

impl IntoResponse for EntraError {
    fn into_response(self) -> Response {
        let trace = random_id();
        let correlation = random_id();
        let body = serde_json::json!({
            "error": self.error,
            "error_description": self.description(&trace, &correlation),
            "error_codes": [self.aadsts],
            "timestamp": time_rfc3339(),
            "trace_id": trace,
            "correlation_id": correlation,
        });
        (self.status, Json(body)).into_response()
    }
}
