//! Untyped calls for browser APIs that only the on-demand chunk uses (`XMLHttpRequest`,
//! `FormData`, `File`, `Blob`, object URLs).
//!
//! A typed `web_sys` binding puts one import shim per method into the glue JS, which loads
//! with the page even when only the chunk calls it: the upload's bindings alone took the
//! first load over its budget (size lead L18, bench/size-leads.md). These four helpers reuse
//! `Reflect`, which the page already imports.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// `target[key]`, or `undefined`.
pub fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `target[key] = value`.
pub fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// `target[method](...args)`; an `Err` when it is not a function or throws.
pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method).dyn_into()?;
    Reflect::apply(&f, target, &args.iter().collect::<Array>())
}

/// `new window[name](...args)`.
pub fn construct(name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let ctor: Function = get(&window, name).dyn_into()?;
    Reflect::construct(&ctor, &args.iter().collect::<Array>())
}
