//! The words the panel shows for each outcome: what happened, to which file, and what the
//! person can do next. Pure, so every wording is unit-tested.

use mde_wire::ErrorDetail;

use crate::api::ApiError;
use crate::auth::AuthError;
use crate::service::OpError;
use crate::workflow::run::Kind;
use crate::workflow::FileOutcome;

pub mod first_run;

/// What the permission failure means in practice.
pub const FORBIDDEN_HELP: &str = "You lack Library.Manage: the app's token needs the \
    Library.Manage permission (WindowsDefenderATP API, admin consent), and your account needs a \
    Defender role that can manage security settings to change the live response library.";

/// The part of the panel that changes the library (a chunk loaded on demand) did not load.
pub const CHANGES_UNAVAILABLE: &str =
    "Could not load the delete and upload tools (the network, or a newer version). Reload the page.";

/// Why a view-only panel offers no change, and what helps: the token lacks the scope.
pub const VIEW_ONLY_MISSING_SCOPE: &str = "View only: the sign-in's token lacks the Library.Manage permission. An admin adds it to the app registration (WindowsDefenderATP, delegated) and grants admin consent; then sign in again.";

/// The same after a change was answered 403 (the role, which no token says).
pub const VIEW_ONLY_FORBIDDEN: &str = "View only: the API refused a change (403), most often for a missing Defender role (\"Manage security settings\"). Check again once it is granted.";

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
            // The API's own limit (the documented one), not the panel's configured gate.
            let d = mde_wire::RateLimit::DOCUMENTED;
            format!(
                "the API's rate limit ({} calls a minute, {} an hour per app and tenant) is spent. Try again later.",
                grouped(d.per_window),
                grouped(d.per_hour)
            )
        }
        OpError::Api(api) => match api.detail() {
            Some(d) => format!("{api}: {}.", detail_text(d)),
            None => format!("{api}."),
        },
    }
}

/// `n` with a comma between thousands, as the API's documentation writes its limits.
fn grouped(n: u32) -> String {
    match n {
        0..=999 => n.to_string(),
        _ => format!("{},{:03}", grouped(n / 1000), n % 1000),
    }
}

/// `text` ending with a full stop, so the next sentence does not run into it.
fn sentence(mut text: String) -> String {
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// Message and tone for the outcome of deleting `name`.
pub fn file_outcome_text(name: &str, outcome: &FileOutcome) -> (Tone, String) {
    match outcome {
        FileOutcome::Deleted => (Tone::Success, format!("Deleted {name}.")),
        FileOutcome::Uploaded(_) => upload_outcome(name, outcome),
        // Only a 204 says the file is gone; the row stays until a Refresh shows otherwise.
        FileOutcome::Unconfirmed(202) => (
            Tone::Failure,
            format!(
                "The API accepted the delete of {name} (HTTP 202) but did not say it is done; Refresh shows whether it is gone."
            ),
        ),
        FileOutcome::Unconfirmed(status) => (
            Tone::Failure,
            format!(
                "The API answered HTTP {status} to the delete of {name}, not 204, so it did not say the file is gone; Refresh shows whether it is."
            ),
        ),
        FileOutcome::NotFound => (
            Tone::Failure,
            format!("{name} was not found in the library; it may have been deleted already."),
        ),
        FileOutcome::Stopped => (
            Tone::Progress,
            format!("Stopped retrying; {name} was not deleted."),
        ),
        // No status came back (network, CORS, time limit, a cut answer): the server may have
        // deleted the file all the same.
        FileOutcome::Failed(OpError::Api(
            e @ (ApiError::Network(_) | ApiError::Cors | ApiError::Body(_)),
        )) => (
            Tone::Failure,
            format!(
                "No answer about deleting {name}: {e}. It may have been deleted; Refresh shows the library as it is."
            ),
        ),
        FileOutcome::Failed(e) => (
            Tone::Failure,
            format!("Could not delete {name}: {} Nothing was removed.", sentence(reason(e))),
        ),
    }
}

/// A run's verbs: (infinitive, present participle, past).
fn verbs(kind: Kind) -> (&'static str, &'static str, &'static str) {
    match kind {
        Kind::Delete => ("delete", "Deleting", "Deleted"),
        Kind::Upload => ("upload", "Uploading", "Uploaded"),
        Kind::Apply => ("apply", "Applying", "Applied"),
    }
}

/// A list page answered 429, sent again at `at` (`HH:MM:SS`).
pub fn list_retry_text(at: &str) -> String {
    format!("The API answered 429 (too many requests); retrying the list at {at}.")
}

/// The countdown while a 429 is waited out.
pub fn rate_limited_text(kind: Kind, name: &str, seconds_left: u64) -> String {
    let verb = verbs(kind).0;
    format!("Rate limited; retrying in {seconds_left} s to {verb} {name}.")
}

/// A bulk run in progress: "Deleting 12 of 60, about 25 s left" (or "Uploading …").
pub fn bulk_progress_text(p: &crate::workflow::run::Progress, eta_ms: u64) -> String {
    let current = (p.done + 1).min(p.total);
    let secs = eta_ms.div_ceil(1000);
    let left = match secs {
        // Nothing to go by yet (the first call, with budget to spare): no guess.
        0 => String::new(),
        1..120 => format!(", about {secs} s left"),
        _ => format!(", about {} min left", secs.div_ceil(60)),
    };
    format!("{} {current} of {}{left}", verbs(p.kind).1, p.total)
}

/// Why a file cannot be uploaded as it is, in words that say what to do.
pub fn upload_problem(p: &crate::upload::Problem) -> String {
    use crate::upload::Problem;
    match p {
        Problem::Name { suggested } => format!(
            "The name may hold only letters, digits, \".\", \"_\" and \"-\". Rename it, for example to {suggested}."
        ),
        Problem::TooLarge => "It is over the API's 20 MB limit.".into(),
        Problem::Empty => "It is empty.".into(),
        Problem::Exists => {
            "A file of that name is in the library: tick \"Overwrite if it exists\" to replace it.".into()
        }
    }
}

/// The outcome line of an upload.
pub fn upload_outcome(name: &str, ended: &FileOutcome) -> (Tone, String) {
    match ended {
        FileOutcome::Failed(e) => (
            Tone::Failure,
            format!("Could not upload {name}: {}", reason(e)),
        ),
        FileOutcome::Stopped => (Tone::Progress, format!("Stopped; {name} was not uploaded.")),
        FileOutcome::Uploaded(_) => (Tone::Success, format!("Uploaded {name}.")),
        // A delete's outcomes: a run never gives them to an upload, and if one did, the
        // words must not claim an upload.
        FileOutcome::Deleted | FileOutcome::NotFound | FileOutcome::Unconfirmed(_) => (
            Tone::Failure,
            format!("{name}: the API's answer does not say it was uploaded. Refresh shows the library as it is."),
        ),
    }
}

/// One line of the Activity section: "06:34:11 Ada Admin deleted a.ps1 (HTTP 204)".
pub fn activity_line(r: &crate::activity::Activity) -> String {
    let time = r.time.get(11..19).unwrap_or(&r.time);
    let who = r.account.as_deref().unwrap_or("You");
    let what = match r.outcome {
        "uploaded" => "uploaded",
        "failed" if r.action == "upload" => "could not upload",
        "deleted" => "deleted",
        "not-found" => "did not find",
        "unconfirmed" => "has no confirmation of deleting",
        "canceled" => "canceled deleting",
        _ => "could not delete",
    };
    let mut line = format!("{time} UTC: {who} {what} {}", r.file_name);
    if let Some(s) = r.status {
        line += &format!(" (HTTP {s})");
    }
    if let Some(t) = &r.tracking_id {
        line += &format!(", tracking id {t}");
    }
    line
}

/// The names a bulk confirmation shows: the first five, then how many more.
pub fn bulk_confirm_names(names: &[String]) -> String {
    const NAMED: usize = 5;
    let mut text = names
        .iter()
        .take(NAMED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NAMED {
        text += &format!(", and {} more", names.len() - NAMED);
    }
    text + "."
}

/// The status line of a bulk run, in every state.
pub fn bulk_status(
    p: &crate::workflow::run::Progress,
    state: &crate::workflow::run::RunState,
    eta_ms: u64,
) -> String {
    use crate::workflow::run::RunState;
    match state {
        RunState::Running => bulk_progress_text(p, eta_ms),
        RunState::Paused => format!("Paused after {} of {} files.", p.done, p.total),
        RunState::NeedsSignIn => format!(
            "Waiting for you to sign in again; {} of {} files done. The run goes on where it stopped.",
            p.done, p.total
        ),
        RunState::Stopped(why) => format!("Stopped: {} {}", reason(why), bulk_summary(p)),
        RunState::Canceled => format!("Canceled. {}", bulk_summary(p)),
        RunState::Finished => bulk_summary(p),
    }
}

/// A run canceled while a file is on its way: "Canceling after the file on its way; 1 of 3
/// files done."
pub fn bulk_canceling(p: &crate::workflow::run::Progress) -> String {
    format!(
        "Canceling after the file on its way; {} of {} files done.",
        p.done, p.total
    )
}

/// The end of a bulk run: "Deleted 57 of 60 files; 2 were not found; 1 failed."
pub fn bulk_summary(p: &crate::workflow::run::Progress) -> String {
    let past = verbs(p.kind).2;
    // An apply's calls are uploads and deletes: "changes" covers both.
    let noun = if p.kind == Kind::Apply {
        "changes"
    } else {
        "files"
    };
    let mut s = format!("{past} {} of {} {noun}", p.succeeded, p.total);
    match p.not_found {
        0 => {}
        1 => s += "; 1 was not found",
        n => s += &format!("; {n} were not found"),
    }
    match p.unconfirmed {
        0 => {}
        n => s += &format!("; {n} not confirmed by the API (Refresh to check)"),
    }
    if !p.failed.is_empty() {
        s += &format!("; {} failed", p.failed.len());
    }
    let untried = p.total - p.done;
    if untried > 0 {
        s += &format!("; {untried} not tried");
    }
    s + "."
}

#[cfg(test)]
mod tests;
