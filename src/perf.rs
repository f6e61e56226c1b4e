//! User Timing marks around the work a person waits for (list render, filter, sort), so
//! `make bench` reads the browser's own measures instead of timing from outside.
//!
//! Names are a contract with `end2end/tests/bench.spec.ts` and `bench/baseline/`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::{closure::Closure, JsCast};

/// The last list page has arrived; `mde:render` is measured from here.
pub const LIST_LOADED: &str = "mde:list-loaded";

/// Marks `start` now and measures `name` from it at the next paint: after the next
/// animation frame, once the frame's work (style, layout) is done.
pub fn measure_to_next_paint(name: &'static str, start: &'static str) {
    mark(start);
    #[cfg(target_arch = "wasm32")]
    {
        let Some(w) = web_sys::window() else { return };
        let after_frame = Closure::once_into_js(move || {
            let measure = Closure::once_into_js(move || {
                if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
                    let _ = p.measure_with_start_mark(name, start);
                }
            });
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback(measure.unchecked_ref());
            }
        });
        let _ = w.request_animation_frame(after_frame.unchecked_ref());
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}

/// A User Timing mark.
pub fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}
