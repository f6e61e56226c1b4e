//! Deleting one file: the call (the service already refreshes and retries once after a 401),
//! the wait after each 429 with its countdown ([`super::retry`]), the person's "Stop
//! retrying", and the choice of outcome.

use crate::api::ApiError;
use crate::clock::Clock;
use crate::service::OpError;

use super::retry::{count_down, rate_wait_ms, MAX_RATE_RETRIES};
use super::{done, Cancel, FileCall, FileOutcome, FileState};

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
) -> FileOutcome {
    let mut attempt = 0;
    let outcome = loop {
        if cancel.is_canceled() {
            break FileOutcome::Stopped;
        }
        report(FileState::InFlight(cancel.clone()));
        let wait = match api.call(name, on_budget).await {
            Ok(status) => break done(false, status),
            Err(OpError::Api(ApiError::NotFound(_))) => break FileOutcome::NotFound,
            Err(OpError::Api(ApiError::RateLimited { retry_after_ms, .. }))
                if attempt < MAX_RATE_RETRIES
                    && rate_wait_ms(retry_after_ms, attempt).is_some() =>
            {
                rate_wait_ms(retry_after_ms, attempt).unwrap_or_default()
            }
            Err(e) => break FileOutcome::Failed(e),
        };
        attempt += 1;
        let waiting = |seconds_left| {
            report(FileState::Waiting {
                seconds_left,
                cancel: cancel.clone(),
            })
        };
        if !count_down(clock, wait, &|| cancel.is_canceled(), &waiting).await {
            break FileOutcome::Stopped;
        }
    };
    report(FileState::Done(outcome.clone()));
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthError;
    use futures::future::LocalBoxFuture;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use crate::clock::fake::FakeClock;

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

    fn run(api: &FakeApi, clock: &FakeClock, cancel: &Cancel) -> (FileOutcome, Vec<FileState>) {
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
        assert_eq!(out, FileOutcome::Deleted);
        assert_eq!(api.calls.get(), 1);
        assert!(matches!(states[0], FileState::InFlight(_)));
        assert_eq!(states.last(), Some(&FileState::Done(FileOutcome::Deleted)));
        let api = FakeApi::new(vec![Err(ApiError::NotFound(None).into())]);
        assert_eq!(
            run(&api, &clock, &Cancel::default()).0,
            FileOutcome::NotFound
        );
        assert!(clock.slept.borrow().is_empty());
    }

    #[test]
    fn only_a_204_deletes_another_2xx_is_said_as_it_came() {
        let clock = FakeClock::default();
        for status in [200, 202] {
            let api = FakeApi::new(vec![Ok(status)]);
            let (out, states) = run(&api, &clock, &Cancel::default());
            assert_eq!(out, FileOutcome::Unconfirmed(status));
            assert_eq!(api.calls.get(), 1);
            assert!(!states.last().unwrap().is_deleted());
        }
        assert_eq!(done(true, 201), FileOutcome::Uploaded(201));
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
        assert_eq!(out, FileOutcome::Deleted);
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
            FileOutcome::Failed(OpError::Api(ApiError::RateLimited { .. }))
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
        assert!(matches!(out, FileOutcome::Failed(_)));
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
        assert_eq!(out, FileOutcome::Stopped);
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
            assert_eq!(
                run(&api, &clock, &Cancel::default()).0,
                FileOutcome::Failed(e)
            );
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
            FileOutcome::Stopped
        );
    }
}
