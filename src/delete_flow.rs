//! Deleting one file, as a workflow with no view types: the call (the service already
//! refreshes and retries once after a 401), the wait after a 429 with its countdown, the
//! person's "Stop retrying", and the choice of outcome. Progress goes to a callback; time and
//! the API are parameters, so the tests below drive it with a fake clock and a fake API.
//!
//! The panel keeps one [`FileState`] per file it acts on and renders from it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::future::LocalBoxFuture;

use crate::api::ApiError;
use crate::clock::Clock;
use crate::rate::{rate_wait_ms, MAX_RATE_RETRIES};
use crate::service::{LibraryService, OpError};

/// The one call a workflow makes for a file. The service's is its `DELETE` (this module and
/// [`crate::bulk::delete_all`]); an upload run supplies its own (`components::changes`).
pub trait FileCall {
    /// Sends it; `on_budget` hears the rate gate's waits (`Some(until_ms)`, `None`). `Ok`
    /// with the status of a 2xx answer ([`done`] says what it means).
    fn call<'a>(
        &'a self,
        name: &'a str,
        on_budget: &'a dyn Fn(Option<u64>),
    ) -> LocalBoxFuture<'a, Result<u16, OpError>>;
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

/// How a delete (or, in a [`crate::bulk`] run, an upload) ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
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
    /// The request is on its way (or waiting in the rate gate).
    Deleting(Cancel),
    /// Rate limited: retrying when the countdown ends.
    Waiting {
        /// Whole seconds left.
        seconds_left: u64,
        /// Stops the retries.
        cancel: Cancel,
    },
    /// Finished.
    Done(Outcome),
}

impl FileState {
    /// Whether a delete is running: the row's Delete button is disabled.
    pub fn is_busy(&self) -> bool {
        !matches!(self, FileState::Done(_))
    }

    /// Whether the file was deleted: its row is hidden until the next load.
    pub fn is_deleted(&self) -> bool {
        matches!(self, FileState::Done(Outcome::Deleted))
    }
}

/// What a 2xx answer to a delete (`upload` false) or an upload means: only a 204 deletes.
pub fn done(upload: bool, status: u16) -> Outcome {
    match (upload, status) {
        (true, s) => Outcome::Uploaded(s),
        (false, 204) => Outcome::Deleted,
        (false, s) => Outcome::Unconfirmed(s),
    }
}

/// Deletes `name`: sends the request, waits out 429s (the server's `Retry-After`, else a
/// backoff; at most [`MAX_RATE_RETRIES`] times; a wait over five minutes is left to the
/// person) and reports each state to `report`, the last one `Done`.
pub async fn delete_file(
    api: &dyn FileCall,
    clock: &dyn Clock,
    name: &str,
    cancel: &Cancel,
    report: &dyn Fn(FileState),
    on_budget: &dyn Fn(Option<u64>),
) -> Outcome {
    let mut attempt = 0;
    let outcome = loop {
        if cancel.is_canceled() {
            break Outcome::Stopped;
        }
        report(FileState::Deleting(cancel.clone()));
        let wait = match api.call(name, on_budget).await {
            Ok(status) => break done(false, status),
            Err(OpError::Api(ApiError::NotFound(_))) => break Outcome::NotFound,
            Err(OpError::Api(ApiError::RateLimited { retry_after_ms, .. }))
                if attempt < MAX_RATE_RETRIES
                    && rate_wait_ms(retry_after_ms, attempt).is_some() =>
            {
                rate_wait_ms(retry_after_ms, attempt).unwrap_or_default()
            }
            Err(e) => break Outcome::Failed(e),
        };
        attempt += 1;
        if !count_down(clock, wait, cancel, report).await {
            break Outcome::Stopped;
        }
    };
    report(FileState::Done(outcome.clone()));
    outcome
}

/// Waits `wait_ms`, reporting the seconds left at each whole second; false if canceled.
async fn count_down(
    clock: &dyn Clock,
    wait_ms: u64,
    cancel: &Cancel,
    report: &dyn Fn(FileState),
) -> bool {
    let deadline = clock.now_ms().saturating_add(wait_ms);
    loop {
        if cancel.is_canceled() {
            return false;
        }
        let left = deadline.saturating_sub(clock.now_ms());
        if left == 0 {
            return true;
        }
        report(FileState::Waiting {
            seconds_left: left.div_ceil(1000),
            cancel: cancel.clone(),
        });
        // Wake at the next whole second of the countdown.
        let step = match left % 1000 {
            0 => 1000,
            r => r,
        };
        clock.sleep(step).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthError;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    /// A clock that only moves when the workflow sleeps.
    #[derive(Default)]
    struct FakeClock {
        now: Rc<Cell<u64>>,
        slept: RefCell<Vec<u64>>,
    }

    impl Clock for FakeClock {
        fn now_ms(&self) -> u64 {
            self.now.get()
        }
        fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
            self.slept.borrow_mut().push(ms);
            self.now.set(self.now.get() + ms);
            Box::pin(std::future::ready(()))
        }
    }

    /// Answers from a script, one answer per call, and counts the calls.
    struct FakeApi {
        answers: RefCell<Vec<Result<u16, OpError>>>,
        calls: Cell<u32>,
        on_call: Box<dyn Fn(u32)>,
    }

    impl FakeApi {
        fn new(answers: Vec<Result<u16, OpError>>) -> Self {
            Self {
                answers: RefCell::new(answers.into_iter().rev().collect()),
                calls: Cell::new(0),
                on_call: Box::new(|_| {}),
            }
        }
    }

    impl FileCall for FakeApi {
        fn call<'a>(
            &'a self,
            _name: &'a str,
            _on_budget: &'a dyn Fn(Option<u64>),
        ) -> LocalBoxFuture<'a, Result<u16, OpError>> {
            self.calls.set(self.calls.get() + 1);
            (self.on_call)(self.calls.get());
            let answer = self.answers.borrow_mut().pop().unwrap_or(Ok(204));
            Box::pin(std::future::ready(answer))
        }
    }

    fn limited(ms: Option<u64>) -> Result<u16, OpError> {
        Err(ApiError::RateLimited {
            retry_after_ms: ms,
            detail: None,
        }
        .into())
    }

    fn run(api: &FakeApi, clock: &FakeClock, cancel: &Cancel) -> (Outcome, Vec<FileState>) {
        let states = RefCell::new(Vec::new());
        let out = futures::executor::block_on(delete_file(
            api,
            clock,
            "a.ps1",
            cancel,
            &|s| states.borrow_mut().push(s),
            &|_| {},
        ));
        (out, states.into_inner())
    }

    #[test]
    fn deleted_and_not_found_are_final_after_one_call() {
        let clock = FakeClock::default();
        let api = FakeApi::new(vec![Ok(204)]);
        let (out, states) = run(&api, &clock, &Cancel::default());
        assert_eq!(out, Outcome::Deleted);
        assert_eq!(api.calls.get(), 1);
        assert!(matches!(states[0], FileState::Deleting(_)));
        assert_eq!(states.last(), Some(&FileState::Done(Outcome::Deleted)));
        let api = FakeApi::new(vec![Err(ApiError::NotFound(None).into())]);
        assert_eq!(run(&api, &clock, &Cancel::default()).0, Outcome::NotFound);
        assert!(clock.slept.borrow().is_empty());
    }

    #[test]
    fn only_a_204_deletes_another_2xx_is_said_as_it_came() {
        let clock = FakeClock::default();
        for status in [200, 202] {
            let api = FakeApi::new(vec![Ok(status)]);
            let (out, states) = run(&api, &clock, &Cancel::default());
            assert_eq!(out, Outcome::Unconfirmed(status));
            assert_eq!(api.calls.get(), 1);
            assert!(!states.last().unwrap().is_deleted());
        }
        assert_eq!(done(true, 201), Outcome::Uploaded(201));
        assert!(FileState::Done(done(false, 204)).is_deleted());
    }

    #[test]
    fn a_429_is_waited_out_second_by_second_then_retried() {
        let clock = FakeClock {
            now: Rc::new(Cell::new(10_500)),
            ..Default::default()
        };
        let api = FakeApi::new(vec![limited(Some(2_500)), Ok(204)]);
        let (out, states) = run(&api, &clock, &Cancel::default());
        assert_eq!(out, Outcome::Deleted);
        assert_eq!(api.calls.get(), 2);
        // 2.5 s: 3 s left (for 0.5 s), then 2, then 1.
        assert_eq!(*clock.slept.borrow(), vec![500, 1000, 1000]);
        let left: Vec<u64> = states
            .iter()
            .filter_map(|s| match s {
                FileState::Waiting { seconds_left, .. } => Some(*seconds_left),
                _ => None,
            })
            .collect();
        assert_eq!(left, vec![3, 2, 1]);
    }

    #[test]
    fn without_retry_after_it_backs_off_and_gives_up_after_five_retries() {
        let clock = FakeClock::default();
        let api = FakeApi::new((0..10).map(|_| limited(None)).collect());
        let (out, _) = run(&api, &clock, &Cancel::default());
        assert!(matches!(
            out,
            Outcome::Failed(OpError::Api(ApiError::RateLimited { .. }))
        ));
        assert_eq!(api.calls.get(), 1 + MAX_RATE_RETRIES);
        // 2, 4, 8, 16, 32 s of backoff.
        assert_eq!(clock.now.get(), 62_000);
    }

    #[test]
    fn a_wait_too_long_to_sit_through_is_left_to_the_person() {
        let clock = FakeClock::default();
        let api = FakeApi::new(vec![limited(Some(u64::MAX))]);
        let (out, _) = run(&api, &clock, &Cancel::default());
        assert!(matches!(out, Outcome::Failed(_)));
        assert_eq!(api.calls.get(), 1);
        assert!(clock.slept.borrow().is_empty());
    }

    #[test]
    fn stop_retrying_during_the_countdown_sends_nothing_more() {
        let clock = FakeClock::default();
        let cancel = Cancel::default();
        let api = FakeApi::new(vec![limited(Some(5_000)), Ok(204)]);
        let states = RefCell::new(0);
        let out = futures::executor::block_on(delete_file(
            &api,
            &clock,
            "a.ps1",
            &cancel,
            &|s| {
                if let FileState::Waiting {
                    seconds_left: 3,
                    cancel,
                } = s
                {
                    cancel.cancel();
                }
                *states.borrow_mut() += 1;
            },
            &|_| {},
        ));
        assert_eq!(out, Outcome::Stopped);
        assert_eq!(api.calls.get(), 1);
        // Canceled with 3 s left: it stops at the next tick, 2 s before the retry was due.
        assert_eq!(clock.now.get(), 3_000);
    }

    #[test]
    fn other_failures_end_at_once() {
        let clock = FakeClock::default();
        for e in [
            OpError::from(ApiError::Forbidden(None)),
            OpError::from(AuthError::SignInRequired("expired".into())),
            OpError::from(ApiError::Status {
                status: 500,
                detail: None,
            }),
        ] {
            let api = FakeApi::new(vec![Err(e.clone())]);
            assert_eq!(run(&api, &clock, &Cancel::default()).0, Outcome::Failed(e));
            assert_eq!(api.calls.get(), 1);
        }
    }

    #[test]
    fn a_cancel_before_the_first_call_sends_nothing() {
        let cancel = Cancel::default();
        cancel.cancel();
        let mut api = FakeApi::new(vec![]);
        api.on_call = Box::new(|_| panic!("no call expected"));
        assert_eq!(
            run(&api, &FakeClock::default(), &cancel).0,
            Outcome::Stopped
        );
    }
}
