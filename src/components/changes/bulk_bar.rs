//! The selection's bar: "N selected", **Delete selected (N)** and its typed confirmation.
//! Drawn with the DOM (see the chunk's module doc).

use leptos::callback::UnsyncCallback;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::components::dom::{attr, button, clicked, el, set_disabled};
use crate::listing::Selection;
use crate::wording::bulk_confirm_names;
use crate::workflow::run::Kind;

use super::*;

/// The confirmation's parts that change.
struct Confirm {
    dialog: web_sys::HtmlDialogElement,
    title: Element,
    names: Element,
    label: Element,
    input: web_sys::HtmlInputElement,
    ok: Element,
}

/// "N selected", **Delete selected (N)** and its confirmation: a modal dialog naming the
/// count and the first names, whose **Delete N files** is enabled only once N is typed.
#[component]
pub fn BulkBar(
    /// The panel's signals.
    state: PanelState,
    /// The run, if one was started.
    run: RwSignal<Option<BulkRun>, LocalStorage>,
    /// Starts a run over these names.
    on_start: UnsyncCallback<Vec<String>>,
) -> impl IntoView {
    let PanelState {
        selection, files, ..
    } = state;
    let root = NodeRef::<html::Span>::new();
    // The names the open confirmation is about.
    let pending = StoredValue::new_local(Vec::<String>::new());
    let parts = StoredValue::new_local(None::<(Element, Element, Confirm)>);
    Effect::new(move |_| {
        let count = selection.with(Selection::len);
        let (busy, deleting) = run.with(|r| match r.as_ref().filter(|r| r.is_active()) {
            Some(r) => (true, r.progress.kind == Kind::Delete),
            None => (false, false),
        });
        let Some(root) = root.get() else { return };
        if parts.with_value(Option::is_none) {
            let Some(doc) = root.owner_document() else {
                return;
            };
            let shown = el(&doc, "span", "selected", "");
            attr(&shown, "aria-live", "polite");
            let open = button(&doc, "danger", "open", "");
            let dialog = el(&doc, "dialog", "confirm", "");
            attr(&dialog, "aria-labelledby", "bulk-title");
            attr(&dialog, "aria-describedby", "bulk-body");
            let title = el(&doc, "h2", "", "");
            attr(&title, "id", "bulk-title");
            let body = el(&doc, "div", "", "");
            attr(&body, "id", "bulk-body");
            let names = el(&doc, "p", "", "");
            let warning = el(
                &doc,
                "p",
                "warning",
                "This removes them from the tenant's live response library for every admin. \
                 It cannot be undone.",
            );
            let _ = body.append_with_node_2(&names, &warning);
            let label = el(&doc, "label", "typed", "");
            let input = el(&doc, "input", "", "");
            attr(&input, "autocomplete", "off");
            attr(&input, "inputmode", "numeric");
            let buttons = el(&doc, "div", "buttons", "");
            let ok = button(&doc, "danger", "confirm", "");
            let cancel = button(&doc, "", "cancel", "Cancel");
            let _ = buttons.append_with_node_2(&ok, &cancel);
            let _ = dialog.append_with_node_4(&title, &body, &label, &buttons);
            let _ = root.append_with_node_3(&shown, &open, &dialog);
            let confirm = Confirm {
                dialog: dialog.unchecked_into(),
                title,
                names,
                label,
                input: input.unchecked_into(),
                ok,
            };
            parts.set_value(Some((shown, open, confirm)));
        }
        // Shown while files are ticked (or a bulk delete goes on, its files unticked one by one).
        root.set_hidden(count == 0 && !deleting);
        parts.with_value(|p| {
            if let Some((shown, open, _)) = p {
                shown.set_text_content(Some(&format!("{count} selected")));
                open.set_text_content(Some(&format!("Delete selected ({count})")));
                set_disabled(open, count == 0 || busy);
            }
        });
    });
    // Typing the count is what enables the button.
    let typed_matches = move || {
        parts.with_value(|p| {
            p.as_ref().is_some_and(|(_, _, c)| {
                c.input.value().trim() == pending.with_value(Vec::len).to_string()
            })
        })
    };
    let on_input = move |_: web_sys::Event| {
        let ok = typed_matches();
        parts.with_value(|p| {
            if let Some((_, _, c)) = p {
                set_disabled(&c.ok, !ok);
            }
        });
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(act) = clicked(&ev) else { return };
        parts.with_value(|p| {
            let Some((_, _, c)) = p else { return };
            match act.as_str() {
                "open" => {
                    let names: Vec<String> = selection.with_untracked(|s| {
                        files.with_untracked(|f| match f {
                            Some((list, _)) => {
                                s.indices().map(|i| list[i].file_name.clone()).collect()
                            }
                            None => Vec::new(),
                        })
                    });
                    let n = names.len();
                    if n == 0 {
                        return;
                    }
                    c.title
                        .set_text_content(Some(&format!("Delete {n} files?")));
                    c.names.set_text_content(Some(&bulk_confirm_names(&names)));
                    // The label's text, then its input.
                    c.label
                        .set_text_content(Some(&format!("Type {n} to confirm")));
                    let _ = c.label.append_child(&c.input);
                    c.input.set_value("");
                    c.ok.set_text_content(Some(&format!("Delete {n} files")));
                    set_disabled(&c.ok, true);
                    pending.set_value(names);
                    let _ = c.dialog.show_modal();
                    let _ = c.input.focus();
                }
                "confirm" if typed_matches() => {
                    c.dialog.close();
                    on_start.run(pending.with_value(Clone::clone));
                }
                "cancel" => c.dialog.close(),
                _ => {}
            }
        });
    };
    view! { <span class="bulk" node_ref=root on:click=on_click on:input=on_input></span> }
}
