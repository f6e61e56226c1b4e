//! The one 429 policy (a leaf: the service's list and the workflows both use it): how long to wait after a 429 ([`rate_wait_ms`]), how many times
//! ([`MAX_RATE_RETRIES`], for a single operation; a run keeps going and pauses when a wait is
//! too long), the countdown a file's state shows while waiting ([`count_down`]), and the
//! retry loop of the list's pages ([`after_429s`]).

use futures::future::LocalBoxFuture;

use crate::clock::Clock;

/// Longest `Retry-After` waited out unattended; beyond it, the person decides.
pub const MAX_AUTO_WAIT_MS: u64 = 5 * 60 * 1000;
/// Automatic retries of one operation after 429s.
pub const MAX_RATE_RETRIES: u32 = 5;
/// The first backoff without a readable `Retry-After`; it doubles with each attempt...
const BACKOFF_BASE_MS: u64 = 2_000;
/// ...this many times...
const BACKOFF_STEPS: u32 = 5;
/// ...and never past this.
const BACKOFF_MAX_MS: u64 = 60_000;
/// The shortest wait: a zero `Retry-After` would retry at once into another 429.
const MIN_WAIT_MS: u64 = 1_000;

/// How long to wait after a 429: the server's `Retry-After` when readable, else an
/// exponential backoff (2, 4, 8, … s, at most 60 s). `None`: too long to wait unattended.
pub fn rate_wait_ms(retry_after_ms: Option<u64>, attempt: u32) -> Option<u64> {
    match retry_after_ms {
        Some(ms) if ms > MAX_AUTO_WAIT_MS => None,
        Some(ms) => Some(ms.max(MIN_WAIT_MS)),
        None => Some((BACKOFF_BASE_MS << attempt.min(BACKOFF_STEPS)).min(BACKOFF_MAX_MS)),
    }
}

/// Sends `call` again after each 429 worth waiting for ([`rate_wait_ms`], at most
/// [`MAX_RATE_RETRIES`] times); any other answer, or a wait too long, is returned as it is.
/// `is_429` gives a failure's `Retry-After` (`Some(None)`: a 429 without one) or `None` for
/// any other failure; `on_retry` hears `Some(at_ms)` while waiting and `None` after.
pub async fn after_429s<'a, T, E>(
    clock: &dyn Clock,
    is_429: fn(&E) -> Option<Option<u64>>,
    on_retry: &dyn Fn(Option<u64>),
    call: &dyn Fn() -> LocalBoxFuture<'a, Result<T, E>>,
) -> Result<T, E> {
    let mut attempt = 0;
    loop {
        let e = match call().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let wait = match is_429(&e) {
            Some(retry_after) if attempt < MAX_RATE_RETRIES => rate_wait_ms(retry_after, attempt),
            _ => None,
        };
        let Some(wait) = wait else { return Err(e) };
        attempt += 1;
        on_retry(Some(clock.now_ms().saturating_add(wait)));
        clock.sleep(wait).await;
        on_retry(None);
    }
}

/// Waits `wait_ms`, telling `on_second` the whole seconds left at each whole second; false if
/// `canceled` says so first. The single delete and a run's files count down with it, into
/// their [`super::FileState::Waiting`].
pub async fn count_down(
    clock: &dyn Clock,
    wait_ms: u64,
    canceled: &dyn Fn() -> bool,
    on_second: &dyn Fn(u64),
) -> bool {
    let deadline = clock.now_ms().saturating_add(wait_ms);
    loop {
        if canceled() {
            return false;
        }
        let left = deadline.saturating_sub(clock.now_ms());
        if left == 0 {
            return true;
        }
        on_second(left.div_ceil(1000));
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
    use std::cell::{Cell, RefCell};

    use crate::clock::fake::FakeClock;

    /// A failure: `Some(retry_after)` is a 429.
    #[derive(Clone, Debug, PartialEq)]
    struct Failure(Option<Option<u64>>);

    fn run(
        clock: &FakeClock,
        answers: Vec<Result<u8, Failure>>,
    ) -> (Result<u8, Failure>, u32, Vec<Option<u64>>) {
        let answers = RefCell::new(answers.into_iter().rev().collect::<Vec<_>>());
        let calls = Cell::new(0);
        let heard = RefCell::new(Vec::new());
        let call = || -> LocalBoxFuture<'_, Result<u8, Failure>> {
            calls.set(calls.get() + 1);
            let answer = answers.borrow_mut().pop().unwrap_or(Ok(0));
            Box::pin(std::future::ready(answer))
        };
        let out = futures::executor::block_on(after_429s(
            clock,
            |f: &Failure| f.0,
            &|w| heard.borrow_mut().push(w),
            &call,
        ));
        (out, calls.get(), heard.into_inner())
    }

    #[test]
    fn rate_wait_prefers_the_header_and_backs_off_without_it() {
        assert_eq!(rate_wait_ms(Some(12_000), 0), Some(12_000));
        assert_eq!(rate_wait_ms(Some(0), 0), Some(1_000));
        assert_eq!(rate_wait_ms(Some(MAX_AUTO_WAIT_MS + 1), 0), None);
        assert_eq!(rate_wait_ms(None, 0), Some(2_000));
        assert_eq!(rate_wait_ms(None, 2), Some(8_000));
        assert_eq!(rate_wait_ms(None, 10), Some(60_000));
    }

    #[test]
    fn a_429_is_waited_out_and_the_call_sent_again() {
        let clock = FakeClock::default();
        clock.now.set(1_000);
        let (out, calls, heard) = run(&clock, vec![Err(Failure(Some(Some(3_000)))), Ok(7)]);
        assert_eq!((out, calls), (Ok(7), 2));
        assert_eq!(*clock.slept.borrow(), vec![3_000]);
        // The page hears until when, then that the wait is over.
        assert_eq!(heard, vec![Some(4_000), None]);
    }

    #[test]
    fn without_retry_after_it_backs_off_and_gives_up_after_the_retries() {
        let clock = FakeClock::default();
        let (out, calls, _) = run(&clock, vec![Err(Failure(Some(None))); 10]);
        assert_eq!(out, Err(Failure(Some(None))));
        assert_eq!(calls, MAX_RATE_RETRIES + 1);
        assert_eq!(
            *clock.slept.borrow(),
            vec![2_000, 4_000, 8_000, 16_000, 32_000]
        );
    }

    #[test]
    fn other_failures_and_long_waits_are_returned_at_once() {
        let clock = FakeClock::default();
        let (out, calls, heard) = run(&clock, vec![Err(Failure(None))]);
        assert_eq!((out, calls), (Err(Failure(None)), 1));
        let long = Failure(Some(Some(MAX_AUTO_WAIT_MS + 1)));
        let (out, calls, _) = run(&clock, vec![Err(long.clone())]);
        assert_eq!((out, calls), (Err(long), 1));
        assert!(clock.slept.borrow().is_empty() && heard.is_empty());
    }
}
