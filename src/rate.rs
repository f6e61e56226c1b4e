//! The API's rate limits, on the client: the gate every call passes (per-minute and per-hour
//! sliding windows from the configuration, so the app waits instead of burning the tenant's
//! shared budget), and the 429 policy (how long to wait when the API says the budget is
//! spent anyway, because another tool shares it) that every workflow follows.

use std::cell::RefCell;
use std::rc::Rc;

use futures::future::LocalBoxFuture;

use mde_wire::SlidingLimiter;

use crate::clock::{now_ms, Clock};
use crate::config::RateLimit;

/// Added to each window: the API counts a call when it arrives, and a call that left a little
/// later than the one a window ago may still arrive a little sooner (measured: two 429s in a
/// 60-file run at 20 per 10 s without it). 250 ms is 0.4 % of a minute.
const MARGIN_MS: u64 = 250;

/// Shared gate; clones share one budget.
#[derive(Clone)]
pub struct RateGate {
    limiter: Rc<RefCell<SlidingLimiter>>,
}

impl RateGate {
    /// A gate with the configured budget.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limiter: Rc::new(RefCell::new(SlidingLimiter::new(vec![
                mde_wire::Window {
                    length_ms: u64::from(limit.window_seconds) * 1000 + MARGIN_MS,
                    limit: limit.per_minute,
                },
                mde_wire::Window {
                    length_ms: 3_600_000 + MARGIN_MS,
                    limit: limit.per_hour,
                },
            ]))),
        }
    }

    /// Milliseconds `n` more calls need at the configured limits, from now: the estimate a
    /// bulk run shows ("about 25 s left").
    pub fn eta_ms(&self, n: usize) -> u64 {
        self.limiter.borrow().eta_ms(now_ms(), n)
    }

    /// Waits until the budget admits one call. `on_wait` hears `Some(until_ms)` while
    /// waiting and `None` once admitted, so the page can say until when.
    pub async fn acquire(&self, on_wait: &dyn Fn(Option<u64>)) {
        let mut waited = false;
        loop {
            let now = now_ms();
            let result = self.limiter.borrow_mut().try_acquire(now);
            match result {
                Ok(()) => {
                    if waited {
                        on_wait(None);
                    }
                    return;
                }
                Err(wait) => {
                    waited = true;
                    on_wait(Some(now.saturating_add(wait)));
                    // Re-check at least every second: waits are short and the clock may jump.
                    let step = wait.clamp(50, 1_000) as u32;
                    gloo_timers::future::TimeoutFuture::new(step).await;
                }
            }
        }
    }
}

/// Longest `Retry-After` waited out unattended; beyond it, the person decides.
pub const MAX_AUTO_WAIT_MS: u64 = 5 * 60 * 1000;
/// Automatic retries of one operation after 429s.
pub const MAX_RATE_RETRIES: u32 = 5;

/// How long to wait after a 429: the server's `Retry-After` when readable, else an
/// exponential backoff (2, 4, 8, … s, at most 60 s). `None`: too long to wait unattended.
pub fn rate_wait_ms(retry_after_ms: Option<u64>, attempt: u32) -> Option<u64> {
    match retry_after_ms {
        Some(ms) if ms > MAX_AUTO_WAIT_MS => None,
        // A zero wait would retry at once into another 429.
        Some(ms) => Some(ms.max(1_000)),
        None => Some((2_000u64 << attempt.min(5)).min(60_000)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    #[derive(Default)]
    struct FakeClock {
        now: Cell<u64>,
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
