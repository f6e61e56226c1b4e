//! User Timing marks around the work a person waits for (list render, filter, sort), so
//! `make bench` reads the browser's own measures instead of timing from outside.
//!
//! Names are a contract with `end2end/tests/bench.spec.ts` and `bench/baseline/`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::{closure::Closure, JsCast};

/// The last list page has arrived; `mde:render` is measured from here.
pub const LIST_LOADED: &str = "mde:list-loaded";

/// Marks `start` now and measures `name` from it to the next frame: in the
/// `requestAnimationFrame` callback of the frame that paints the change (the DOM work, done
/// in microtasks after the event, is finished; that frame's style, layout and paint follow).
pub fn measure_to_next_paint(name: &'static str, start: &'static str) {
    mark(start);
    #[cfg(target_arch = "wasm32")]
    {
        let Some(w) = web_sys::window() else { return };
        let in_frame = Closure::once_into_js(move || {
            if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
                let _ = p.measure_with_start_mark(name, start);
            }
        });
        let _ = w.request_animation_frame(in_frame.unchecked_ref());
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
