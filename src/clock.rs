//! Time, for every workflow: the wall clock and waiting, behind a trait so the workflows'
//! tests drive them with a fake clock that only moves when they sleep.

use futures::future::LocalBoxFuture;

/// Wall-clock time and waiting.
pub trait Clock {
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> u64;
    /// Resolves after `ms`.
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()>;
}

/// The browser's clock: `Date.now()` and `setTimeout`.
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        now_ms()
    }

    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        #[cfg(target_arch = "wasm32")]
        {
            Box::pin(gloo_timers::future::TimeoutFuture::new(
                ms.min(u64::from(u32::MAX)) as u32,
            ))
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _ = ms;
            Box::pin(std::future::ready(()))
        }
    }
}

/// Wall clock in milliseconds, from the browser.
pub fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }
}

/// The fake clock the workflows' tests run on: it moves only when they sleep, and keeps what
/// they slept.
#[cfg(test)]
pub mod fake {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use futures::future::LocalBoxFuture;

    /// Now (shareable with a fake API) and every sleep, in order.
    #[derive(Default)]
    pub struct FakeClock {
        /// Now, in milliseconds.
        pub now: Rc<Cell<u64>>,
        /// Every sleep asked for, in order.
        pub slept: RefCell<Vec<u64>>,
    }

    impl super::Clock for FakeClock {
        fn now_ms(&self) -> u64 {
            self.now.get()
        }
        fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
            self.slept.borrow_mut().push(ms);
            self.now.set(self.now.get() + ms);
            Box::pin(std::future::ready(()))
        }
    }
}
