//! Work a view starts and must not outlive it: a [`TaskScope`] owns its tasks, and
//! [`TaskScope::cancel_all`] (called when the view goes) drops each one where it waits, so
//! no task touches the view's state afterwards, a fetch in flight is aborted (the API client
//! aborts on drop), and a call waiting in the rate gate never goes out.
//!
//! Plain Rust: no framework types, so it is tested natively.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::{AbortHandle, Abortable};

#[derive(Default)]
struct Inner {
    closed: AtomicBool,
    next_id: AtomicU64,
    running: Mutex<Vec<(u64, AbortHandle)>>,
}

/// The tasks of one view. Clones share the scope.
#[derive(Clone, Default)]
pub struct TaskScope(Arc<Inner>);

impl TaskScope {
    /// Runs `fut` in the browser's event loop until it ends or the scope is canceled.
    /// The handle cancels this task alone.
    pub fn spawn(&self, fut: impl Future<Output = ()> + 'static) -> AbortHandle {
        self.spawn_boxed(Box::pin(fut))
    }

    // One copy of the wrapping and spawning for every kind of task: generic, it was compiled
    // once per task (size lead L14, bench/size-leads.md).
    fn spawn_boxed(&self, fut: Pin<Box<dyn Future<Output = ()>>>) -> AbortHandle {
        let (handle, task) = self.wrap(fut);
        #[cfg(target_arch = "wasm32")]
        wasm_bindgen_futures::spawn_local(task);
        #[cfg(not(target_arch = "wasm32"))]
        drop(task);
        handle
    }

    /// The task `spawn` runs: `fut`, dropped unrun or mid-way once canceled. Separate from
    /// `spawn` so native tests can drive it on their own executor.
    pub fn wrap(
        &self,
        fut: impl Future<Output = ()> + 'static,
    ) -> (AbortHandle, impl Future<Output = ()> + 'static) {
        let (handle, registration) = AbortHandle::new_pair();
        let inner = self.0.clone();
        let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
        if inner.closed.load(Ordering::Acquire) {
            handle.abort();
        } else {
            lock(&inner.running).push((id, handle.clone()));
        }
        let task = async move {
            let _ = Abortable::new(fut, registration).await;
            lock(&inner.running).retain(|(i, _)| *i != id);
        };
        (handle, task)
    }

    /// Cancels every task of the scope, and any spawned later.
    pub fn cancel_all(&self) {
        self.0.closed.store(true, Ordering::Release);
        for (_, h) in lock(&self.0.running).drain(..) {
            h.abort();
        }
    }

    /// Tasks still running (for tests and leak checks).
    pub fn running(&self) -> usize {
        lock(&self.0.running).len()
    }
}

// Single-threaded in the browser: a poisoned lock only means a task panicked mid-update.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::channel::oneshot;
    use futures::executor::LocalPool;
    use futures::task::LocalSpawnExt;
    use std::cell::Cell;
    use std::rc::Rc;

    #[test]
    fn a_canceled_task_stops_where_it_waits() {
        let mut pool = LocalPool::new();
        let scope = TaskScope::default();
        let (tx, rx) = oneshot::channel::<()>();
        let reached = Rc::new(Cell::new(0));
        let r = reached.clone();
        let (_, task) = scope.wrap(async move {
            r.set(1);
            let _ = rx.await;
            r.set(2); // after the wait: must never run once canceled
        });
        pool.spawner().spawn_local(task).unwrap();
        pool.run_until_stalled();
        assert_eq!((reached.get(), scope.running()), (1, 1));
        scope.cancel_all();
        let _ = tx.send(());
        pool.run_until_stalled();
        assert_eq!((reached.get(), scope.running()), (1, 0));
    }

    #[test]
    fn after_cancel_nothing_new_runs() {
        let mut pool = LocalPool::new();
        let scope = TaskScope::default();
        scope.cancel_all();
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        let (_, task) = scope.wrap(async move { r.set(true) });
        pool.spawner().spawn_local(task).unwrap();
        pool.run_until_stalled();
        assert!(!ran.get());
    }

    #[test]
    fn finished_tasks_leave_the_scope_and_one_can_be_canceled_alone() {
        let mut pool = LocalPool::new();
        let scope = TaskScope::default();
        let (_, done) = scope.wrap(async {});
        let (tx, rx) = oneshot::channel::<()>();
        let after = Rc::new(Cell::new(false));
        let a = after.clone();
        let (one, waiting) = scope.wrap(async move {
            let _ = rx.await;
            a.set(true);
        });
        pool.spawner().spawn_local(done).unwrap();
        pool.spawner().spawn_local(waiting).unwrap();
        pool.run_until_stalled();
        assert_eq!(scope.running(), 1);
        one.abort();
        let _ = tx.send(());
        pool.run_until_stalled();
        assert_eq!((after.get(), scope.running()), (false, 0));
    }
}
