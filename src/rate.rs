//! The API's rate limits, on the client: the gate every call passes (per-minute and per-hour
//! sliding windows from the configuration, so the app waits instead of burning the tenant's
//! shared budget), and the 429 policy (how long to wait when the API says the budget is
//! spent anyway, because another tool shares it) that every workflow follows.

use std::cell::RefCell;
use std::rc::Rc;

use mde_wire::SlidingLimiter;

use crate::clock::now_ms;
use crate::config::RateLimit;

/// Added to each window: the API counts a call when it arrives, and a call that left a little
/// later than the one a window ago may still arrive a little sooner (without the margin, runs
/// met 429s: timing T4, bench/size-leads.md). 250 ms is 0.4 % of a minute.
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
            limiter: Rc::new(RefCell::new(SlidingLimiter::for_limits(
                u64::from(limit.window_seconds) * 1000,
                limit.per_minute,
                limit.per_hour,
                MARGIN_MS,
            ))),
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
