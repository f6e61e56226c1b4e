//! Tests of [`super`] (`src/workflow/run.rs`).
use super::*;
use crate::auth::AuthError;
use futures::future::LocalBoxFuture;
use mde_wire::SlidingLimiter;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use crate::clock::fake::FakeClock;

/// The API behind a real sliding-window gate on the fake clock, like the service: every
/// call waits its turn. Scripted answers by name (then 204), and a log of what was sent.
struct FakeApi {
    clock: Rc<Cell<u64>>,
    gate: RefCell<SlidingLimiter>,
    script: RefCell<HashMap<String, Vec<Result<u16, OpError>>>>,
    sent: RefCell<Vec<(u64, String)>>,
    hook: Box<dyn Fn(usize)>,
}

impl FakeApi {
    fn new(clock: &FakeClock, per_minute: u32) -> Self {
        Self {
            clock: clock.now.clone(),
            gate: RefCell::new(SlidingLimiter::per_minute_and_hour(per_minute, 10_000)),
            script: RefCell::default(),
            sent: RefCell::default(),
            hook: Box::new(|_| {}),
        }
    }
    fn answer(self, name: &str, answers: Vec<Result<u16, OpError>>) -> Self {
        self.script
            .borrow_mut()
            .insert(name.into(), answers.into_iter().rev().collect());
        self
    }
}

impl FileCall for FakeApi {
    fn call<'a>(
        &'a self,
        name: &'a str,
        _on_budget: &'a dyn Fn(Option<u64>),
    ) -> LocalBoxFuture<'a, Result<u16, OpError>> {
        // The gate: wait (on the fake clock) until a call is admitted.
        loop {
            match self.gate.borrow_mut().try_acquire(self.clock.get()) {
                Ok(()) => break,
                Err(w) => self.clock.set(self.clock.get() + w),
            }
        }
        self.sent
            .borrow_mut()
            .push((self.clock.get(), name.to_string()));
        (self.hook)(self.sent.borrow().len());
        let answer = self
            .script
            .borrow_mut()
            .get_mut(name)
            .and_then(Vec::pop)
            .unwrap_or(Ok(204));
        Box::pin(std::future::ready(answer))
    }
}

/// Deletes `names` one after the other: [`run_all`] with the service's `DELETE`.
async fn delete_all(
    api: &dyn FileCall,
    clock: &dyn Clock,
    names: &[String],
    control: &RunControl,
    report_file: &dyn Fn(&str, FileState),
    report: &dyn Fn(&Progress, RunState),
    on_budget: &dyn Fn(Option<u64>),
) -> (Progress, RunState) {
    let files = Files {
        kind: Kind::Delete,
        names,
        call: api,
    };
    run_all(files, clock, control, report_file, report, on_budget).await
}

/// Runs `files` to its end on `clock`: its progress and state, and how each file ended.
fn run_ends(
    files: Files<'_>,
    clock: &FakeClock,
    control: &RunControl,
) -> (Progress, RunState, Vec<(String, FileOutcome)>) {
    let ends = RefCell::new(Vec::new());
    let (p, s) = futures::executor::block_on(run_all(
        files,
        clock,
        control,
        &|name, st| {
            if let FileState::Done(o) = st {
                ends.borrow_mut().push((name.to_string(), o));
            }
        },
        &|_, _| {},
        &|_| {},
    ));
    (p, s, ends.into_inner())
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("f{i:03}.ps1")).collect()
}

fn run(
    api: &FakeApi,
    clock: &FakeClock,
    list: &[String],
    control: &RunControl,
) -> (Progress, RunState, Vec<RunState>) {
    let states = RefCell::new(Vec::new());
    let (p, s) = futures::executor::block_on(delete_all(
        api,
        clock,
        list,
        control,
        &|_, _| {},
        &|_, st| states.borrow_mut().push(st),
        &|_| {},
    ));
    (p, s, states.into_inner())
}

fn limited(ms: Option<u64>) -> Result<u16, OpError> {
    Err(ApiError::RateLimited {
        retry_after_ms: ms,
        detail: None,
    }
    .into())
}

#[test]
fn a_429_counts_down_in_the_files_line_each_second_then_sends_it_again() {
    // The one intended change of sharing the single delete's countdown: a run's file now
    // says 3, 2, 1 s left, not a "3 s" that never moves.
    let clock = FakeClock::default();
    let api = FakeApi::new(&clock, 100).answer("f000.ps1", vec![limited(Some(3_000))]);
    let list = names(1);
    let seen = RefCell::new(Vec::new());
    let (p, s) = futures::executor::block_on(delete_all(
        &api,
        &clock,
        &list,
        &RunControl::default(),
        &|_, st| {
            if let FileState::Waiting { seconds_left, .. } = st {
                seen.borrow_mut().push(seconds_left);
            }
        },
        &|_, _| {},
        &|_| {},
    ));
    assert_eq!(seen.into_inner(), vec![3, 2, 1]);
    assert_eq!((p.succeeded, s), (1, RunState::Finished));
    assert_eq!(api.sent.borrow().len(), 2);
}

#[test]
fn the_estimate_is_the_gate_or_the_pace_so_far() {
    assert_eq!(eta_ms(25_000, 12, 6_000, 48), 25_000);
    assert_eq!(eta_ms(0, 4, 2_000, 16), 8_000);
    assert_eq!(eta_ms(3_000, 0, 0, 60), 3_000);
}

#[test]
fn sixty_files_at_twenty_per_ten_seconds_take_the_theoretical_minimum_with_each_sent_once() {
    let clock = FakeClock::default();
    // 20 per 10 s, as the end-to-end test scales the limit down: 120 a minute.
    let mut api = FakeApi::new(&clock, 120);
    api.gate = RefCell::new(SlidingLimiter::new(vec![mde_wire::Window {
        length_ms: 10_000,
        limit: 20,
    }]));
    let list = names(60);
    let (p, s, _) = run(&api, &clock, &list, &RunControl::default());
    assert_eq!((p.succeeded, p.done, s), (60, 60, RunState::Finished));
    let sent: Vec<String> = api.sent.borrow().iter().map(|(_, n)| n.clone()).collect();
    assert_eq!(sent, list, "every file once, in order");
    // 3 windows of 20: the last batch starts at 20 s, the bound for 60 calls.
    assert_eq!(clock.now.get(), 20_000);
}

#[test]
fn not_found_and_failures_are_counted_and_the_run_goes_on() {
    let clock = FakeClock::default();
    let api = FakeApi::new(&clock, 100)
        .answer("f001.ps1", vec![Err(ApiError::NotFound(None).into())])
        .answer(
            "f002.ps1",
            vec![Err(ApiError::Status {
                status: 500,
                detail: None,
            }
            .into())],
        );
    let (p, s, _) = run(&api, &clock, &names(4), &RunControl::default());
    assert_eq!(
        (p.succeeded, p.not_found, p.failed.len(), s),
        (2, 1, 1, RunState::Finished)
    );
    assert_eq!(p.failed[0].0, "f002.ps1");
}

#[test]
fn a_delete_answered_with_another_2xx_is_counted_as_not_confirmed() {
    let clock = FakeClock::default();
    let api = FakeApi::new(&clock, 100)
        .answer("f000.ps1", vec![Ok(202)])
        .answer("f002.ps1", vec![Ok(200)]);
    let (p, s, _) = run(&api, &clock, &names(3), &RunControl::default());
    assert_eq!(
        (p.succeeded, p.unconfirmed, p.failed.len(), s),
        (1, 2, 0, RunState::Finished)
    );
    assert_eq!(api.sent.borrow().len(), 3, "nothing sent twice");
}

#[test]
fn a_429_waits_the_retry_after_and_sends_the_same_file_again() {
    let clock = FakeClock::default();
    let api = FakeApi::new(&clock, 100).answer("f001.ps1", vec![limited(Some(3_000))]);
    let (p, _, _) = run(&api, &clock, &names(3), &RunControl::default());
    assert_eq!(p.succeeded, 3);
    let sent = api.sent.borrow();
    assert_eq!(sent.len(), 4);
    assert_eq!(
        (sent[1].1.as_str(), sent[2].1.as_str()),
        ("f001.ps1", "f001.ps1")
    );
    assert_eq!(sent[2].0 - sent[1].0, 3_000, "waited the Retry-After");
}

#[test]
fn a_lost_sign_in_pauses_on_that_file_and_resumes_without_skipping_or_repeating() {
    let clock = FakeClock::default();
    let control = RunControl::default();
    let api = FakeApi::new(&clock, 100).answer(
        "f002.ps1",
        vec![Err(AuthError::SignInRequired("expired".into()).into())],
    );
    // The person signs in again while the run waits (after 4 s on the clock).
    let ctl = control.clone();
    let now = clock.now.clone();
    let states = RefCell::new(Vec::new());
    let (p, s) = futures::executor::block_on(delete_all(
        &api,
        &FakeClockView(
            now.clone(),
            Box::new(move |t| {
                if t >= 4_000 && ctl.awaiting_sign_in() {
                    ctl.signed_in();
                }
            }),
        ),
        &names(4),
        &control,
        &|_, _| {},
        &|_, st| states.borrow_mut().push(st),
        &|_| {},
    ));
    assert_eq!((p.succeeded, s), (4, RunState::Finished));
    assert!(states.borrow().contains(&RunState::NeedsSignIn));
    let sent: Vec<String> = api.sent.borrow().iter().map(|(_, n)| n.clone()).collect();
    // f002 was refused (not deleted), then sent once more after the sign-in.
    assert_eq!(
        sent,
        ["f000.ps1", "f001.ps1", "f002.ps1", "f002.ps1", "f003.ps1"]
    );
}

/// A clock that also runs `tick` after each sleep, to act as the person would meanwhile.
struct FakeClockView(Rc<Cell<u64>>, Box<dyn Fn(u64)>);

impl Clock for FakeClockView {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        self.0.set(self.0.get() + ms);
        (self.1)(self.0.get());
        Box::pin(std::future::ready(()))
    }
}

#[test]
fn a_403_stops_the_run_with_the_reason() {
    let clock = FakeClock::default();
    let api =
        FakeApi::new(&clock, 100).answer("f001.ps1", vec![Err(ApiError::Forbidden(None).into())]);
    let (p, s, _) = run(&api, &clock, &names(5), &RunControl::default());
    assert!(
        matches!(&s, RunState::Stopped(why) if crate::wording::reason(why).contains("Library.Manage")),
        "{s:?}"
    );
    assert_eq!(
        (p.succeeded, p.failed.len(), api.sent.borrow().len()),
        (1, 1, 2)
    );
}

#[test]
fn pause_holds_and_cancel_ends_before_the_next_call() {
    let clock = FakeClock::default();
    let control = RunControl::default();
    let mut api = FakeApi::new(&clock, 100);
    let ctl = control.clone();
    api.hook = Box::new(move |sent| {
        if sent == 2 {
            ctl.pause();
            ctl.cancel();
        }
    });
    let (p, s, _) = run(&api, &clock, &names(5), &control);
    assert_eq!((p.done, s), (2, RunState::Canceled));
    assert_eq!(api.sent.borrow().len(), 2);
}

#[test]
fn an_upload_run_uploads_each_waits_out_a_429_and_counts_a_404_as_failed() {
    let clock = FakeClock::default();
    let control = RunControl::default();
    let api = FakeApi::new(&clock, 100)
        .answer("f000.ps1", vec![limited(Some(2_000))])
        .answer("f001.ps1", vec![Err(ApiError::NotFound(None).into())]);
    let (p, s, ends) = run_ends(
        Files {
            kind: Kind::Upload,
            names: &names(3),
            call: &api,
        },
        &clock,
        &control,
    );
    assert_eq!(s, RunState::Finished);
    assert_eq!(
        (p.kind, p.succeeded, p.not_found, p.failed.len()),
        (Kind::Upload, 2, 0, 1)
    );
    assert_eq!(ends[0], ("f000.ps1".into(), FileOutcome::Uploaded(204)));
    assert!(matches!(&ends[1].1, FileOutcome::Failed(_)));
    let sent: Vec<String> = api.sent.borrow().iter().map(|(_, n)| n.clone()).collect();
    assert_eq!(sent, ["f000.ps1", "f000.ps1", "f001.ps1", "f002.ps1"]);
}

#[test]
fn an_upload_run_pauses_resumes_and_cancels_like_a_delete() {
    let clock = FakeClock::default();
    let control = RunControl::default();
    let mut api = FakeApi::new(&clock, 100);
    let ctl = control.clone();
    let now = clock.now.clone();
    // Paused after the first upload; resumed 5 s later; canceled after the third.
    api.hook = Box::new(move |sent| match sent {
        1 => ctl.pause(),
        3 => ctl.cancel(),
        _ => {}
    });
    let ctl = control.clone();
    let states = RefCell::new(Vec::new());
    let (p, s) = futures::executor::block_on(run_all(
        Files {
            kind: Kind::Upload,
            names: &names(5),
            call: &api,
        },
        &FakeClockView(
            now,
            Box::new(move |t| {
                if t >= 5_000 {
                    ctl.resume();
                }
            }),
        ),
        &control,
        &|_, _| {},
        &|p, st| states.borrow_mut().push((p.done, st)),
        &|_| {},
    ));
    assert_eq!((p.succeeded, p.done, s), (3, 3, RunState::Canceled));
    // The pause is reported with what was done before it.
    assert!(states.borrow().contains(&(1, RunState::Paused)));
    let sent = api.sent.borrow();
    assert_eq!(sent.len(), 3, "nothing sent after the cancel");
    assert!(sent[1].0 >= 5_000, "held while paused: {:?}", sent[1]);
}

#[test]
fn an_expired_portal_session_stops_the_run_with_the_reason() {
    let clock = FakeClock::default();
    let api =
        FakeApi::new(&clock, 100).answer("f001.ps1", vec![Err(AuthError::PortalSession.into())]);
    let (p, s, _) = run(&api, &clock, &names(5), &RunControl::default());
    assert!(
        matches!(&s, RunState::Stopped(why) if crate::wording::reason(why).contains("Reload the page")),
        "{s:?}"
    );
    assert_eq!(
        (p.succeeded, p.failed.len(), api.sent.borrow().len()),
        (1, 1, 2)
    );
}

/// An apply's call: names ending in `.del` are deletes, the rest uploads.
struct Mixed(FakeApi);

impl FileCall for Mixed {
    fn call<'a>(
        &'a self,
        name: &'a str,
        on_budget: &'a dyn Fn(Option<u64>),
    ) -> LocalBoxFuture<'a, Result<u16, OpError>> {
        self.0.call(name, on_budget)
    }

    fn kind_of(&self, name: &str) -> Option<Kind> {
        Some(if name.ends_with(".del") {
            Kind::Delete
        } else {
            Kind::Upload
        })
    }
}

#[test]
fn an_apply_run_takes_each_files_kind_from_its_call_at_the_pace_of_the_gate() {
    let clock = FakeClock::default();
    let control = RunControl::default();
    let api = FakeApi::new(&clock, 10)
        .answer("up1", vec![Ok(200)])
        .answer("gone.del", vec![Err(ApiError::NotFound(None).into())])
        .answer("missing-up", vec![Err(ApiError::NotFound(None).into())]);
    let list: Vec<String> = ["up1", "missing-up", "a.del", "gone.del"]
        .into_iter()
        .map(String::from)
        .chain((0..16).map(|i| format!("more{i}")))
        .collect();
    let (p, s, ends) = run_ends(
        Files {
            kind: Kind::Apply,
            names: &list,
            call: &Mixed(api),
        },
        &clock,
        &control,
    );
    assert_eq!(s, RunState::Finished);
    assert_eq!(ends[0], ("up1".into(), FileOutcome::Uploaded(200)));
    // An upload's 404 is a failure; a delete's is "not found".
    assert!(matches!(&ends[1].1, FileOutcome::Failed(_)));
    assert_eq!(ends[2], ("a.del".into(), FileOutcome::Deleted));
    assert_eq!(ends[3], ("gone.del".into(), FileOutcome::NotFound));
    assert_eq!(
        (p.kind, p.total, p.succeeded, p.not_found, p.failed.len()),
        (Kind::Apply, 20, 18, 1, 1)
    );
    // Twenty calls at ten a minute: the gate admits the 20th after a minute, not later.
    assert_eq!(clock.now.get(), 60_000);
}
