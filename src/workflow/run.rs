//! Deleting or uploading many files at the API's pace, as a workflow with no view types.
//!
//! Every call goes through the same path as a single delete or upload (the service: rate
//! gate, token, one refresh after a 401), one at a time: the gate admits what the
//! configuration says (100 calls a minute by default), far slower than the calls themselves,
//! so one in flight already runs at the limit, and a file is never sent twice. What the run
//! does on each answer:
//!
//! - 204 deleted (or 200 uploaded), another 2xx to a delete counted as not confirmed, 404
//!   counted as not found (a delete's), other errors listed as failed: the run goes on;
//! - 429 (another tool shares the budget): waits the `Retry-After` (or a backoff) and sends
//!   the same file again; a wait too long to sit through pauses the run;
//! - a sign-in that only the person can renew: the run pauses on that file until
//!   [`RunControl::signed_in`], then sends it;
//! - 403, or a portal session that only a reload renews: stops, because every other file
//!   would fail the same way.
//!
//! [`RunControl`] pauses, resumes and cancels from the page. Progress goes to a callback.

use std::sync::{Arc, Mutex};

use crate::api::ApiError;
use crate::clock::Clock;
use crate::service::OpError;

use super::retry::{count_down, rate_wait_ms};
use super::{done, FileCall, FileOutcome, FileState};

/// How often a paused run looks again.
const PAUSE_POLL_MS: u64 = 250;

/// Where a run stands.
#[derive(Clone, Debug, PartialEq)]
pub enum RunState {
    /// Sending.
    Running,
    /// Paused by the person, or by a rate limit too long to wait out.
    Paused,
    /// Waiting for the person to sign in again; resumes on the file it stopped at.
    NeedsSignIn,
    /// Stopped by the API (403), or a portal session only a reload renews: why.
    Stopped(OpError),
    /// Canceled by the person.
    Canceled,
    /// Every file was tried.
    Finished,
}

#[derive(Debug, Default)]
struct Flags {
    paused: bool,
    canceled: bool,
    needs_sign_in: bool,
}

/// Pause, resume and cancel for one run. Clones share it.
#[derive(Clone, Debug, Default)]
pub struct RunControl(Arc<Mutex<Flags>>);

impl RunControl {
    fn with<T>(&self, f: impl FnOnce(&mut Flags) -> T) -> T {
        f(&mut self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Holds the run before its next call.
    pub fn pause(&self) {
        self.with(|f| f.paused = true);
    }

    /// Lets a paused run go on.
    pub fn resume(&self) {
        self.with(|f| f.paused = false);
    }

    /// Ends the run before its next call; what was sent stays done.
    pub fn cancel(&self) {
        self.with(|f| f.canceled = true);
    }

    /// Whether the run was asked to end (it ends before its next call).
    pub fn is_canceled(&self) -> bool {
        self.with(|f| f.canceled)
    }

    /// The person signed in again: the run goes on where it stopped.
    pub fn signed_in(&self) {
        self.with(|f| f.needs_sign_in = false);
    }

    /// Whether the run waits for a new sign-in.
    pub fn awaiting_sign_in(&self) -> bool {
        self.with(|f| f.needs_sign_in)
    }

    /// Waits while paused or waiting for a sign-in; false once canceled.
    async fn ready(
        &self,
        clock: &dyn Clock,
        progress: &Progress,
        report: &dyn Fn(&Progress, RunState),
    ) -> bool {
        let mut told = false;
        loop {
            let (paused, canceled, sign_in) =
                self.with(|f| (f.paused, f.canceled, f.needs_sign_in));
            if canceled {
                return false;
            }
            if !paused && !sign_in {
                return true;
            }
            if !told {
                told = true;
                let state = if sign_in {
                    RunState::NeedsSignIn
                } else {
                    RunState::Paused
                };
                report(progress, state);
            }
            clock.sleep(PAUSE_POLL_MS).await;
        }
    }
}

/// What a run does to each file.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Kind {
    /// `DELETE` it.
    #[default]
    Delete,
    /// Upload it.
    Upload,
    /// Applying a plan: uploads, then deletes; the call says which each file gets
    /// ([`FileCall::kind_of`]).
    Apply,
}

/// What a run has done so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Deleting, uploading or applying a plan.
    pub kind: Kind,
    /// Files in the run.
    pub total: usize,
    /// Files answered (done, not found or failed).
    pub done: usize,
    /// Done as asked: deleted (204) or uploaded.
    pub succeeded: usize,
    /// Not in the library (404).
    pub not_found: usize,
    /// Deletes answered with a 2xx other than 204: not said to be gone.
    pub unconfirmed: usize,
    /// Failed, with why: the "Retry failed" list.
    pub failed: Vec<(String, OpError)>,
}

/// The files of a run and what to do to each.
pub struct Files<'a> {
    /// Deleting or uploading.
    pub kind: Kind,
    /// In the order they go.
    pub names: &'a [String],
    /// The call for each.
    pub call: &'a dyn FileCall,
}

/// Runs the call for each file, one after the other; `report_file` hears each file's state,
/// `report` the run's progress and state. Returns the final progress and state.
pub async fn run_all(
    files: Files<'_>,
    clock: &dyn Clock,
    control: &RunControl,
    report_file: &dyn Fn(&str, FileState),
    report: &dyn Fn(&Progress, RunState),
    on_budget: &dyn Fn(Option<u64>),
) -> (Progress, RunState) {
    let Files { kind, names, call } = files;
    let mut progress = Progress {
        kind,
        total: names.len(),
        ..Progress::default()
    };
    report(&progress, RunState::Running);
    let mut i = 0;
    let mut attempt = 0;
    while i < names.len() {
        if !control.ready(clock, &progress, report).await {
            report(&progress, RunState::Canceled);
            return (progress, RunState::Canceled);
        }
        report(&progress, RunState::Running);
        let name = &names[i];
        let this = call.kind_of(name).unwrap_or(kind);
        report_file(name, FileState::InFlight(Default::default()));
        let outcome = match call.call(name, on_budget).await {
            Ok(status) => done(this == Kind::Upload, status),
            Err(OpError::Api(ApiError::NotFound(_))) if this == Kind::Delete => {
                FileOutcome::NotFound
            }
            Err(OpError::Api(ApiError::RateLimited { retry_after_ms, .. })) => {
                match rate_wait_ms(retry_after_ms, attempt) {
                    Some(wait) => {
                        attempt += 1;
                        // The file's line counts down as a single delete's does; the run's
                        // Pause and Cancel act once the wait is over.
                        let waiting = |seconds_left| {
                            let cancel = Default::default();
                            report_file(
                                name,
                                FileState::Waiting {
                                    seconds_left,
                                    cancel,
                                },
                            )
                        };
                        count_down(clock, wait, &|| false, &waiting).await;
                    }
                    // Too long to sit through: the person decides when to go on.
                    None => control.pause(),
                }
                continue;
            }
            Err(e) if e.ends_run() => {
                report_file(name, FileState::Done(FileOutcome::Failed(e.clone())));
                progress.done += 1;
                progress.failed.push((name.clone(), e.clone()));
                report(&progress, RunState::Stopped(e.clone()));
                return (progress, RunState::Stopped(e));
            }
            Err(e) if e.pauses_run() => {
                // Not deleted: the same file is sent again after the sign-in.
                control.with(|f| f.needs_sign_in = true);
                continue;
            }
            Err(e) => FileOutcome::Failed(e),
        };
        attempt = 0;
        progress.done += 1;
        match &outcome {
            FileOutcome::Deleted | FileOutcome::Uploaded(_) => progress.succeeded += 1,
            FileOutcome::NotFound => progress.not_found += 1,
            FileOutcome::Unconfirmed(_) => progress.unconfirmed += 1,
            FileOutcome::Failed(e) => progress.failed.push((name.clone(), e.clone())),
            FileOutcome::Stopped => {}
        }
        report_file(name, FileState::Done(outcome));
        i += 1;
    }
    report(&progress, RunState::Finished);
    (progress, RunState::Finished)
}

/// Time the rest of a run needs: what the rate gate's budget allows, or what the calls have
/// taken so far, whichever is longer (with budget to spare, the API's own latency is the
/// bound).
pub fn eta_ms(gate_ms: u64, done: usize, elapsed_ms: u64, left: usize) -> u64 {
    let per_call = if done == 0 {
        0
    } else {
        elapsed_ms / done as u64
    };
    gate_ms.max(per_call * left as u64)
}

#[cfg(test)]
mod tests;
