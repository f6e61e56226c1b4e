//! Browser side effects a component keeps for as long as it lives, in the `use_*` style of
//! leptos-use: each registers its own cleanup.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A `ResizeObserver` and its callback; disconnected when dropped.
pub struct ResizeWatch {
    observer: web_sys::ResizeObserver,
    // The callback must live as long as the observer.
    _callback: Closure<dyn Fn()>,
}

impl ResizeWatch {
    /// Starts watching `el`.
    pub fn observe(&self, el: &web_sys::Element) {
        self.observer.observe(el);
    }
}

impl Drop for ResizeWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// A resize watch calling `f`, kept by the current component and disconnected when it goes.
/// Elements are given to it with [`ResizeWatch::observe`] once they exist.
pub fn use_resize_observer(
    f: impl Fn() + 'static,
) -> StoredValue<Option<ResizeWatch>, LocalStorage> {
    StoredValue::new_local(resize_watch(f))
}

/// A resize watch calling `f`, for a caller that keeps it itself (a task outside any
/// component); `None` where the browser has no `ResizeObserver`.
pub fn resize_watch(f: impl Fn() + 'static) -> Option<ResizeWatch> {
    let callback = Closure::<dyn Fn()>::new(f);
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    Some(ResizeWatch {
        observer,
        _callback: callback,
    })
}
