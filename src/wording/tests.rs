//! Tests of [`super`] (`src/wording.rs`).
use super::*;

fn detail() -> Option<ErrorDetail> {
    Some(ErrorDetail {
        code: "InternalServerError".into(),
        message: "boom".into(),
        target: Some("6f1c-guid".into()),
    })
}

#[test]
fn a_delete_without_its_204_is_not_said_to_be_done() {
    for (status, words) in [
        (202, "accepted the delete of a.ps1 (HTTP 202)"),
        (200, "HTTP 200"),
    ] {
        let (tone, text) = file_outcome_text("a.ps1", &FileOutcome::Unconfirmed(status));
        assert_eq!(tone, Tone::Failure);
        assert!(text.contains(words) && text.contains("Refresh"), "{text}");
        assert!(!text.contains("Deleted") && !text.contains("Nothing was removed"));
    }
    let mut p = crate::workflow::run::Progress {
        total: 3,
        done: 3,
        succeeded: 2,
        ..Default::default()
    };
    p.unconfirmed = 1;
    assert_eq!(
        bulk_summary(&p),
        "Deleted 2 of 3 files; 1 not confirmed by the API (Refresh to check)."
    );
}

#[test]
fn the_list_retry_says_until_when() {
    assert_eq!(
        list_retry_text("11:05:32"),
        "The API answered 429 (too many requests); retrying the list at 11:05:32."
    );
}

#[test]
fn file_outcome_texts_name_the_file() {
    assert_eq!(
        file_outcome_text("a.ps1", &FileOutcome::Deleted),
        (Tone::Success, "Deleted a.ps1.".into())
    );
    assert_eq!(
        file_outcome_text("a.ps1", &FileOutcome::NotFound).1,
        "a.ps1 was not found in the library; it may have been deleted already."
    );
    let (tone, text) = file_outcome_text(
        "a.ps1",
        &FileOutcome::Failed(ApiError::Forbidden(None).into()),
    );
    assert_eq!(tone, Tone::Failure);
    assert!(
        text.contains("Library.Manage") && text.contains("Defender role"),
        "{text}"
    );
    let (_, text) = file_outcome_text(
        "a.ps1",
        &FileOutcome::Failed(
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
    assert!(e.needs_sign_in());
    assert!(file_outcome_text("x", &FileOutcome::Failed(e))
        .1
        .contains("Sign in again"));
}

#[test]
fn a_delete_without_an_answer_does_not_claim_nothing_was_removed() {
    for e in [
        ApiError::Network("no answer within 30 s".into()),
        ApiError::Body("the answer was too large or broke off".into()),
    ] {
        let (_, text) = file_outcome_text("a.ps1", &FileOutcome::Failed(e.into()));
        assert!(
            text.starts_with("No answer about deleting a.ps1:"),
            "{text}"
        );
        assert!(!text.contains("Nothing was removed"), "{text}");
    }
    // A reason without a full stop still reads as two sentences.
    let e = OpError::Auth(AuthError::Network(
        "token endpoint answered HTTP 502".into(),
    ));
    let (_, text) = file_outcome_text("a.ps1", &FileOutcome::Failed(e));
    assert!(text.ends_with("HTTP 502. Nothing was removed."), "{text}");
}

#[test]
fn bulk_progress_and_summary_read_as_sentences() {
    let mut p = crate::workflow::run::Progress {
        total: 60,
        done: 11,
        ..Default::default()
    };
    assert_eq!(
        bulk_progress_text(&p, 24_200),
        "Deleting 12 of 60, about 25 s left"
    );
    assert_eq!(
        bulk_progress_text(&p, 600_000),
        "Deleting 12 of 60, about 10 min left"
    );
    p.done = 60;
    p.succeeded = 57;
    p.not_found = 2;
    p.failed = vec![(
        "x.ps1".into(),
        ApiError::Status {
            status: 500,
            detail: None,
        }
        .into(),
    )];
    assert_eq!(
        bulk_summary(&p),
        "Deleted 57 of 60 files; 2 were not found; 1 failed."
    );
    let rec = crate::activity::Activity::deleted(
        "2026-11-27T06:34:11.000Z".into(),
        "a.ps1",
        None,
        &crate::workflow::FileOutcome::Deleted,
    );
    assert_eq!(
        activity_line(&rec),
        "06:34:11 UTC: You deleted a.ps1 (HTTP 204)"
    );
    assert_eq!(
        activity_line(&rec.by(Some("Ada Admin".into()))),
        "06:34:11 UTC: Ada Admin deleted a.ps1 (HTTP 204)"
    );
    let names: Vec<String> = (1..=7).map(|i| format!("f{i}.ps1")).collect();
    assert_eq!(
        bulk_confirm_names(&names),
        "f1.ps1, f2.ps1, f3.ps1, f4.ps1, f5.ps1, and 2 more."
    );
    assert_eq!(bulk_confirm_names(&names[..2]), "f1.ps1, f2.ps1.");
    use crate::workflow::run::RunState;
    assert_eq!(
        bulk_status(&p, &RunState::Finished, 0),
        "Deleted 57 of 60 files; 2 were not found; 1 failed."
    );
    assert_eq!(
        bulk_status(&p, &RunState::Canceled, 0),
        "Canceled. Deleted 57 of 60 files; 2 were not found; 1 failed."
    );
    assert_eq!(
        bulk_status(&p, &RunState::Paused, 0),
        "Paused after 60 of 60 files."
    );
    let forbidden = OpError::Api(ApiError::Forbidden(None));
    assert!(bulk_status(&p, &RunState::Stopped(forbidden), 0)
        .starts_with(&format!("Stopped: {FORBIDDEN_HELP} Deleted 57")));
    p.done = 50;
    p.not_found = 1;
    p.failed.clear();
    assert_eq!(
        bulk_summary(&p),
        "Deleted 57 of 60 files; 1 was not found; 10 not tried."
    );
}

#[test]
fn an_upload_run_reads_as_uploads() {
    let mut p = crate::workflow::run::Progress {
        kind: Kind::Upload,
        total: 5,
        done: 1,
        ..Default::default()
    };
    assert_eq!(
        bulk_progress_text(&p, 1_500),
        "Uploading 2 of 5, about 2 s left"
    );
    p.done = 5;
    p.succeeded = 4;
    p.failed = vec![("x.ps1".into(), ApiError::Forbidden(None).into())];
    assert_eq!(bulk_summary(&p), "Uploaded 4 of 5 files; 1 failed.");
    assert_eq!(
        upload_outcome("a.ps1", &FileOutcome::Uploaded(200)),
        (Tone::Success, "Uploaded a.ps1.".into())
    );
    let (tone, text) = upload_outcome(
        "a.ps1",
        &FileOutcome::Failed(
            ApiError::Status {
                status: 400,
                detail: None,
            }
            .into(),
        ),
    );
    assert_eq!(tone, Tone::Failure);
    assert!(text.starts_with("Could not upload a.ps1: "), "{text}");
}

#[test]
fn countdown_and_stop_name_the_file() {
    assert_eq!(
        file_outcome_text("a.sh", &FileOutcome::Stopped),
        (
            Tone::Progress,
            "Stopped retrying; a.sh was not deleted.".into()
        )
    );
    assert_eq!(
        rate_limited_text(Kind::Delete, "a.sh", 12),
        "Rate limited; retrying in 12 s to delete a.sh."
    );
    assert_eq!(
        rate_limited_text(Kind::Upload, "a.sh", 3),
        "Rate limited; retrying in 3 s to upload a.sh."
    );
}

#[test]
fn limits_are_written_with_thousands_grouped() {
    assert_eq!(grouped(100), "100");
    assert_eq!(grouped(1500), "1,500");
    assert_eq!(grouped(1_000_001), "1,000,001");
    let e: OpError = ApiError::RateLimited {
        retry_after_ms: None,
        detail: None,
    }
    .into();
    assert!(reason(&e).contains("(100 calls a minute, 1,500 an hour per app and tenant)"));
}
