//! The live region beside the table where every outcome is announced, naming its file.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::dom::{el, Keyed};
use crate::names::NameMap;
use crate::workflow::FileState;

use crate::wording::Tone;

/// Outcomes kept on screen; older ones drop off.
const KEEP: usize = 8;

/// One announced outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// The file it is about.
    pub file: String,
    /// Success, progress or failure.
    pub tone: Tone,
    /// What to read.
    pub text: String,
    /// Whether a Cancel button stops what is in progress.
    pub cancelable: bool,
}

/// Shows `outcome` for its file, replacing the file's previous one, newest first.
pub fn announce(list: RwSignal<Vec<Notice>>, outcome: Notice) {
    list.update(|l| {
        l.retain(|o| o.file != outcome.file);
        l.insert(0, outcome);
        l.truncate(KEEP);
    });
}

/// Successes and progress in `role="status"`, failures in `role="alert"`.
///
/// The lines are drawn with the DOM (`dom::Keyed`): a line that stays is not touched, so a
/// screen reader announces only what is new; lighter than a `view!` list: see size lead L19
/// (bench/size-leads.md).
#[component]
pub fn Outcomes(
    /// What to show.
    outcomes: RwSignal<Vec<Notice>>,
    /// The files' states, whose running deletes "Stop retrying" stops.
    states: RwSignal<NameMap<FileState>>,
    /// A note about the client-side request budget, when calls are waiting.
    #[prop(into)]
    budget_note: Signal<Option<String>>,
) -> impl IntoView {
    let status = NodeRef::<html::Div>::new();
    let alert = NodeRef::<html::Div>::new();
    let drawn = StoredValue::new_local((Keyed::<Notice>::default(), Keyed::<Notice>::default()));
    Effect::new(move |_| {
        let (Some(status), Some(alert)) = (status.get(), alert.get()) else {
            return;
        };
        let Some(doc) = status.owner_document() else {
            return;
        };
        outcomes.with(|list| {
            let (failures, others): (Vec<Notice>, Vec<Notice>) =
                list.iter().cloned().partition(|o| o.tone == Tone::Failure);
            let note = status.first_element_child();
            drawn.update_value(|(s, a)| {
                s.show(
                    &status,
                    note.as_ref(),
                    None,
                    &others,
                    |o| line(&doc, o),
                    |_, _| {},
                );
                a.show(&alert, None, None, &failures, |o| line(&doc, o), |_, _| {});
            });
        });
    });
    // One listener for every "Stop retrying" button.
    let on_click = move |ev: web_sys::MouseEvent| {
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("button[data-file]").ok().flatten())
            .and_then(|b| b.get_attribute("data-file"));
        if let Some(file) = file {
            states.with_untracked(|s| {
                if let Some(FileState::InFlight(c) | FileState::Waiting { cancel: c, .. }) =
                    s.get(&file)
                {
                    c.cancel();
                }
            });
        }
    };
    view! {
        <section class="outcomes" aria-label="Results">
            <div role="status" aria-live="polite" class="status-region" node_ref=status on:click=on_click>
                <p class="outcome progress" hidden=move || budget_note.with(Option::is_none)>
                    {move || budget_note.get().unwrap_or_default()}
                </p>
            </div>
            <div role="alert" class="alert-region" node_ref=alert></div>
        </section>
    }
}

/// One outcome line: its text, and a "Stop retrying" button while a retry is pending.
fn line(doc: &web_sys::Document, o: &Notice) -> web_sys::Element {
    let class = match o.tone {
        Tone::Success => "outcome success",
        Tone::Progress => "outcome progress",
        Tone::Failure => "outcome failure",
    };
    let p = el(doc, "p", class, &o.text);
    if o.cancelable {
        let b = el(doc, "button", "link", "Stop retrying");
        let _ = b.set_attribute("type", "button");
        let _ = b.set_attribute("data-file", &o.file);
        let _ = b.set_attribute("aria-label", &format!("Stop retrying {}", o.file));
        let _ = p.append_with_str_1(" ");
        let _ = p.append_child(&b);
    }
    p
}
