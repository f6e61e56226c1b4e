//! The workflows of changing the library, with no view types: one file's call and the state
//! the panel renders for it ([`FileState`], [`FileOutcome`]), the single delete ([`single`]),
//! a run over many files, deletes or uploads ([`run`]), and the one 429 policy both follow
//! ([`retry`]). Time and the API are parameters, so the tests drive them with a fake clock
//! and a fake API.
//!
//! The panel keeps one [`FileState`] per file it acts on and renders from it.

pub mod retry;
pub mod run;
pub mod single;

pub use single::delete_file;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::future::LocalBoxFuture;

use crate::service::{LibraryService, OpError};

/// The one call a workflow makes for a file. The service's is its `DELETE` ([`single`] and
/// a bulk run's deletes); an upload run and an apply supply their own
/// (`components::changes::{upload_run, apply_run}`).
pub trait FileCall {
    /// Sends it; `on_budget` hears the rate gate's waits (`Some(until_ms)`, `None`). `Ok`
    /// with the status of a 2xx answer ([`done`] says what it means).
    fn call<'a>(
        &'a self,
        name: &'a str,
        on_budget: &'a dyn Fn(Option<u64>),
    ) -> LocalBoxFuture<'a, Result<u16, OpError>>;

    /// What it does to `name` when a run mixes kinds (an apply's uploads and deletes); `None`:
    /// what the run does to every file.
    fn kind_of(&self, _name: &str) -> Option<run::Kind> {
        None
    }
}

impl FileCall for LibraryService {
    fn call<'a>(
        &'a self,
        name: &'a str,
        on_budget: &'a dyn Fn(Option<u64>),
    ) -> LocalBoxFuture<'a, Result<u16, OpError>> {
        Box::pin(LibraryService::delete(self, name, on_budget))
    }
}

/// "Stop retrying" for one delete. Clones share the flag.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Asks the workflow to stop at its next wait.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether `cancel` was called.
    pub fn is_canceled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// How a delete (or, in a [`run`], an upload) ended.
#[derive(Clone, Debug, PartialEq)]
pub enum FileOutcome {
    /// 204: the file is gone.
    Deleted,
    /// An upload's 2xx (documented: 200), with its status.
    Uploaded(u16),
    /// A delete answered with another 2xx (a 202 Accepted, a 200): the API did not say the
    /// file is gone, so the panel does not either.
    Unconfirmed(u16),
    /// 404: not in the library (any more).
    NotFound,
    /// The person stopped the retries; nothing was removed.
    Stopped,
    /// Any other failure, including a 429 not worth waiting for.
    Failed(OpError),
}

/// Where a file stands. A file the panel has not acted on has no record (idle).
#[derive(Clone, Debug, PartialEq)]
pub enum FileState {
    /// The request is on its way (or waiting in the rate gate): a delete or an upload.
    InFlight(Cancel),
    /// Rate limited: retrying when the countdown ends.
    Waiting {
        /// Whole seconds left.
        seconds_left: u64,
        /// Stops the retries.
        cancel: Cancel,
    },
    /// Finished.
    Done(FileOutcome),
}

impl FileState {
    /// Whether a delete is running: the row's Delete button is disabled.
    pub fn is_busy(&self) -> bool {
        !matches!(self, FileState::Done(_))
    }

    /// Whether the file was deleted: its row is hidden until the next load.
    pub fn is_deleted(&self) -> bool {
        matches!(self, FileState::Done(FileOutcome::Deleted))
    }
}

/// What a 2xx answer to a delete (`upload` false) or an upload means: only a 204 deletes.
pub fn done(upload: bool, status: u16) -> FileOutcome {
    match (upload, status) {
        (true, s) => FileOutcome::Uploaded(s),
        (false, 204) => FileOutcome::Deleted,
        (false, s) => FileOutcome::Unconfirmed(s),
    }
}
