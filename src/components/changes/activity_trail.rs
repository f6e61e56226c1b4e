//! The Activity section and its exports.

use leptos::html;
use leptos::prelude::*;

use super::PanelState;
use web_sys::Element;

use crate::activity::{to_csv, to_json};
use crate::browser;
use crate::components::dom::{attr, button, clicked, el};

/// The Activity section: every change while the page is open, newest first, with its time,
/// account, action, file, outcome, status and tracking id; **Export CSV** and **Export JSON**
/// save the records (oldest first). Drawn with the DOM, like the bulk parts (the Upload
/// dialog uses `view!`).
#[component]
pub(super) fn ActivityTrail(
    /// The panel's signals.
    state: PanelState,
    /// The toolbar button that opens it.
    toggle: Option<Element>,
) -> impl IntoView {
    // The records (oldest first), and whether the section is open.
    let PanelState {
        trail,
        show_activity: shown,
        ..
    } = state;
    let root = NodeRef::<html::Section>::new();
    Effect::new(move |_| {
        let (open, n) = (shown.get(), trail.with(Vec::len));
        if let Some(b) = &toggle {
            b.set_text_content(Some(&format!("Activity ({n})")));
            attr(b, "aria-expanded", if open { "true" } else { "false" });
        }
    });
    let list = StoredValue::new_local(None::<Element>);
    Effect::new(move |_| {
        let open = shown.get();
        let Some(root) = root.get() else { return };
        root.set_hidden(!open);
        let Some(doc) = root.owner_document() else {
            return;
        };
        if list.with_value(Option::is_none) {
            let title = el(&doc, "h3", "", "Activity");
            attr(&title, "id", "activity-title");
            let buttons = el(&doc, "div", "buttons", "");
            let csv = button(&doc, "", "csv", "Export CSV");
            let json = button(&doc, "", "json", "Export JSON");
            let _ = buttons.append_with_node_2(&csv, &json);
            let ol = el(&doc, "ol", "trail", "");
            let _ = root.append_with_node_3(&title, &buttons, &ol);
            list.set_value(Some(ol));
        }
        trail.with(|records| {
            list.with_value(|ol| {
                let Some(ol) = ol else { return };
                ol.set_text_content(None);
                if records.is_empty() {
                    let _ = ol.append_child(&el(&doc, "li", "empty", "No changes yet."));
                }
                for r in records.iter().rev() {
                    let _ = ol.append_child(&el(&doc, "li", "", &crate::wording::activity_line(r)));
                }
            });
        });
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let saved = match clicked(&ev).as_deref() {
            Some("csv") => trail.with_untracked(|t| {
                browser::download("activity.csv", "text/csv;charset=utf-8", &to_csv(t))
            }),
            Some("json") => trail.with_untracked(|t| {
                browser::download("activity.json", "application/json", &to_json(t))
            }),
            _ => Ok(()),
        };
        if let Err(e) = saved {
            if let Some(root) = root.get_untracked() {
                root.set_text_content(Some(&e.to_string()));
            }
        }
    };
    view! {
        <section class="activity" aria-labelledby="activity-title" hidden node_ref=root on:click=on_click></section>
    }
}
