//! The live region beside the table where every outcome is announced, naming its file.

use leptos::prelude::*;

use crate::delete_flow::FileState;
use crate::names::NameMap;

use crate::messages::Tone;

/// Outcomes kept on screen; older ones drop off.
const KEEP: usize = 8;

/// One announced outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
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
pub fn announce(list: RwSignal<Vec<Outcome>>, outcome: Outcome) {
    list.update(|l| {
        l.retain(|o| o.file != outcome.file);
        l.insert(0, outcome);
        l.truncate(KEEP);
    });
}

/// Successes and progress in `role="status"`, failures in `role="alert"`.
#[component]
pub fn Outcomes(
    /// What to show.
    outcomes: RwSignal<Vec<Outcome>>,
    /// The files' states, whose running deletes "Stop retrying" stops.
    states: RwSignal<NameMap<FileState>>,
    /// A note about the client-side request budget, when calls are waiting.
    #[prop(into)]
    budget_note: Signal<Option<String>>,
) -> impl IntoView {
    let item = move |o: Outcome| {
        let file = o.file.clone();
        let cancel = o.cancelable.then(|| {
            let label = format!("Stop retrying {file}");
            view! {
                <button type="button" class="link" aria-label=label
                    on:click=move |_| states.with_untracked(|s| {
                        if let Some(FileState::Deleting(c) | FileState::Waiting { cancel: c, .. }) = s.get(&file) {
                            c.cancel();
                        }
                    })>
                    "Stop retrying"
                </button>
            }
        });
        let class = match o.tone {
            Tone::Success => "outcome success",
            Tone::Progress => "outcome progress",
            Tone::Failure => "outcome failure",
        };
        view! { <p class=class>{o.text} " " {cancel}</p> }
    };
    let of_tone = move |failure: bool| {
        outcomes
            .get()
            .into_iter()
            .filter(|o| (o.tone == Tone::Failure) == failure)
            .map(item)
            .collect_view()
    };
    view! {
        <section class="outcomes" aria-label="Results">
            <div role="status" aria-live="polite" class="status-region">
                {move || budget_note.get().map(|n| view! { <p class="outcome progress">{n}</p> })}
                {move || of_tone(false)}
            </div>
            <div role="alert" class="alert-region">{move || of_tone(true)}</div>
        </section>
    }
}
