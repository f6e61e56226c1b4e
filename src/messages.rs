//! The words the panel shows for each outcome: what happened, to which file, and what the
//! person can do next. Pure, so every wording is unit-tested.

use mde_wire::ErrorDetail;

use crate::api::ApiError;
use crate::auth::AuthError;
use crate::delete_flow::Outcome;
use crate::service::OpError;

/// What the permission failure means in practice.
pub const FORBIDDEN_HELP: &str = "You lack Library.Manage: the app's token needs the \
    Library.Manage permission (WindowsDefenderATP API, admin consent), and your account needs a \
    Defender role that can manage security settings to change the live response library.";

/// Whether an outcome is good news or needs attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Announced politely (`role="status"`).
    Success,
    /// Ongoing, such as a countdown (`role="status"`).
    Progress,
    /// Announced at once (`role="alert"`).
    Failure,
}

/// `code: message (tracking id …)` from an error body.
pub fn detail_text(d: &ErrorDetail) -> String {
    let mut s = d.code.clone();
    if !d.message.is_empty() {
        s.push_str(": ");
        s.push_str(&d.message);
    }
    if let Some(t) = d.target.as_deref().filter(|t| !t.is_empty()) {
        s.push_str(&format!(" (tracking id {t})"));
    }
    s
}

/// Why an operation failed, as a sentence fragment after "Could not …:".
pub fn reason(e: &OpError) -> String {
    match e {
        OpError::Auth(AuthError::SignInRequired(_)) | OpError::Api(ApiError::Unauthorized(_)) => {
            "your sign-in has expired or was refused. Sign in again.".into()
        }
        OpError::Auth(a) => a.to_string(),
        OpError::Api(ApiError::Forbidden(_)) => FORBIDDEN_HELP.into(),
        OpError::Api(ApiError::RateLimited { .. }) => {
            "the API's rate limit (100 calls a minute, 1,500 an hour per app and tenant) is spent. Try again later.".into()
        }
        OpError::Api(api) => match api.detail() {
            Some(d) => format!("{api}: {}.", detail_text(d)),
            None => format!("{api}."),
        },
    }
}

/// Whether the failure can only be fixed by signing in again.
pub fn needs_sign_in(e: &OpError) -> bool {
    matches!(
        e,
        OpError::Auth(AuthError::SignInRequired(_) | AuthError::PortalSession)
            | OpError::Api(ApiError::Unauthorized(_))
    )
}

/// Message and tone for the outcome of deleting `name`.
pub fn delete_outcome(name: &str, outcome: &Outcome) -> (Tone, String) {
    match outcome {
        Outcome::Deleted => (Tone::Success, format!("Deleted {name}.")),
        Outcome::NotFound => (
            Tone::Failure,
            format!("{name} was not found in the library; it may have been deleted already."),
        ),
        Outcome::Stopped => (
            Tone::Progress,
            format!("Stopped retrying; {name} was not deleted."),
        ),
        Outcome::Failed(e) => (
            Tone::Failure,
            format!(
                "Could not delete {name}: {} Nothing was removed.",
                reason(e)
            ),
        ),
    }
}

/// The countdown while a 429 is waited out.
pub fn rate_limited_text(name: &str, seconds_left: u64) -> String {
    format!("Rate limited; retrying in {seconds_left} s to delete {name}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail() -> Option<ErrorDetail> {
        Some(ErrorDetail {
            code: "InternalServerError".into(),
            message: "boom".into(),
            target: Some("6f1c-guid".into()),
        })
    }

    #[test]
    fn delete_outcomes_name_the_file() {
        assert_eq!(
            delete_outcome("a.ps1", &Outcome::Deleted),
            (Tone::Success, "Deleted a.ps1.".into())
        );
        assert_eq!(
            delete_outcome("a.ps1", &Outcome::NotFound).1,
            "a.ps1 was not found in the library; it may have been deleted already."
        );
        let (tone, text) =
            delete_outcome("a.ps1", &Outcome::Failed(ApiError::Forbidden(None).into()));
        assert_eq!(tone, Tone::Failure);
        assert!(
            text.contains("Library.Manage") && text.contains("Defender role"),
            "{text}"
        );
        let (_, text) = delete_outcome(
            "a.ps1",
            &Outcome::Failed(
                ApiError::Status {
                    status: 500,
                    detail: detail(),
                }
                .into(),
            ),
        );
        assert_eq!(
            text,
            "Could not delete a.ps1: the API answered 500: InternalServerError: boom (tracking id 6f1c-guid). Nothing was removed."
        );
    }

    #[test]
    fn expired_sign_in_says_so() {
        let e: OpError = AuthError::SignInRequired("AADSTS700082".into()).into();
        assert!(needs_sign_in(&e));
        assert!(delete_outcome("x", &Outcome::Failed(e))
            .1
            .contains("Sign in again"));
    }

    #[test]
    fn countdown_and_stop_name_the_file() {
        assert_eq!(
            delete_outcome("a.sh", &Outcome::Stopped),
            (
                Tone::Progress,
                "Stopped retrying; a.sh was not deleted.".into()
            )
        );
        assert_eq!(
            rate_limited_text("a.sh", 12),
            "Rate limited; retrying in 12 s to delete a.sh."
        );
    }
}
