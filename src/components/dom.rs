//! Keeping a run of an element's children in step with a list of keys, for the parts drawn
//! with the DOM directly (table rows, outcome lines): nodes whose key stays are left where
//! they are, untouched, so a screen reader does not announce them again and a scroll does
//! not rebuild them; only new keys are built.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

/// Children of one parent, in order, with their keys.
pub struct Keyed<K> {
    shown: Vec<(K, Element)>,
}

impl<K> Default for Keyed<K> {
    fn default() -> Self {
        Self { shown: Vec::new() }
    }
}

impl<K: PartialEq + Clone> Keyed<K> {
    /// Makes the run of `parent`'s children that starts at `first` (or after `after`) and
    /// ends before `anchor` (or at the end) show `keys` in order, building missing ones with
    /// `build`; `each` runs on every node shown, with its position.
    pub fn show(
        &mut self,
        parent: &Element,
        after: Option<&Element>,
        anchor: Option<&Element>,
        keys: &[K],
        mut build: impl FnMut(&K) -> Element,
        mut each: impl FnMut(&Element, usize),
    ) {
        let mut old = std::mem::take(&mut self.shown);
        // Nodes leaving go first, so the ones that stay are already in order.
        old.retain(|(k, el)| {
            let keep = keys.contains(k);
            if !keep {
                el.remove();
            }
            keep
        });
        let mut cursor = match after {
            Some(a) => a.next_element_sibling(),
            None => parent.first_element_child(),
        };
        for (n, key) in keys.iter().enumerate() {
            let el = match old.iter().position(|(k, _)| k == key) {
                Some(at) => old.swap_remove(at).1,
                None => build(key),
            };
            if cursor.as_ref() == Some(&el) {
                cursor = el.next_element_sibling();
            } else {
                let next: Option<&web_sys::Node> = cursor.as_ref().or(anchor).map(|e| &**e);
                let _ = parent.insert_before(&el, next);
            }
            each(&el, n);
            self.shown.push((key.clone(), el));
        }
    }

    /// Whether nothing has been shown yet.
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }
}

/// An element with a class and text, made as text (never parsed as HTML).
pub fn el(doc: &web_sys::Document, tag: &str, class: &str, text: &str) -> Element {
    // Only fixed, valid tag names are passed here, which `createElement` always accepts.
    let e = doc.create_element(tag).expect("a valid tag name");
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e
}

/// Sets attribute `name`.
pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

/// A `<button type=button>` with `class`, its action in `data-bulk` and its text.
pub fn button(doc: &Document, class: &str, act: &str, text: &str) -> Element {
    let b = el(doc, "button", class, text);
    attr(&b, "type", "button");
    attr(&b, "data-bulk", act);
    b
}

/// Sets or clears `disabled`.
pub fn set_disabled(e: &Element, off: bool) {
    let _ = e.toggle_attribute_with_force("disabled", off);
}

/// The `data-bulk` action of the button a click hit.
pub fn clicked(ev: &web_sys::MouseEvent) -> Option<String> {
    ev.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest("[data-bulk]")
        .ok()??
        .get_attribute("data-bulk")
}
