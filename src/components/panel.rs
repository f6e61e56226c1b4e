//! The library panel: loads the list, filters and sorts it, runs deletes and announces
//! their outcomes beside the table.

use std::sync::Arc;

use futures::future::AbortHandle;
use leptos::callback::UnsyncCallback;
use leptos::either::EitherOf3;
use leptos::prelude::*;

use mde_wire::LibraryFile;

use crate::activity::{now_iso, Activity, Events};
use crate::auth::AuthError;
use crate::components::dialog::ConfirmDelete;
use crate::components::outcomes::{announce, Outcome, Outcomes};
use crate::components::table::LibraryTable;
use crate::config::RateLimit;
use crate::delete_flow::{self, BrowserClock, Cancel, FileState, Outcome as Ended};
use crate::listing::Sort;
use crate::messages::{delete_outcome, needs_sign_in, rate_limited_text, reason, Tone};
use crate::names::NameMap;
use crate::perf;
use crate::service::{LibraryService, OpError};
use crate::tasks::TaskScope;

/// `HH:MM:SS` local time of a moment, for "waiting until" notes.
fn clock(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// The panel for a signed-in session.
#[component]
pub fn LibraryPanel(
    /// API, token source and rate gate.
    service: LibraryService,
    /// Client-side budget, for the waiting note.
    rate_limit: RateLimit,
    /// Filter text, kept by the shell so it survives a sign-in round trip.
    filter: RwSignal<String>,
    /// Raised when only a new sign-in can help.
    sign_in_needed: RwSignal<bool>,
    /// Where each change is reported to the embedding portal.
    events: Events,
) -> impl IntoView {
    let (budget_until, set_budget_until) = signal(None::<u64>);
    let sort = RwSignal::new(Sort::default());
    // One record per file acted on since the load (idle files have none): the table and the
    // outcomes render from it.
    let states = RwSignal::new(NameMap::<FileState>::default());
    let confirm = RwSignal::new(None::<LibraryFile>);
    let outcomes = RwSignal::new(Vec::<Outcome>::new());

    // Every task of the panel ends with it: after a sign-out nothing touches its signals,
    // and a delete still waiting in the rate gate is never sent.
    let tasks = TaskScope::default();
    on_cleanup({
        let tasks = tasks.clone();
        move || tasks.cancel_all()
    });

    // The list as last loaded (with its count of unreadable entries): `None` until the first
    // load succeeds. A reload leaves it on screen until the new list arrives, and a failed
    // reload keeps it there under the error: nothing already shown is lost. A reload
    // supersedes (aborts) a load in flight.
    let files = RwSignal::new_local(None::<(Arc<Vec<LibraryFile>>, usize)>);
    let load_error = RwSignal::new_local(None::<OpError>);
    let loading = StoredValue::new(None::<AbortHandle>);
    let list_service = service.clone();
    let list_tasks = tasks.clone();
    let load = UnsyncCallback::new(move |()| {
        let svc = list_service.clone();
        let handle = list_tasks.spawn(async move {
            let on_wait = move |w| set_budget_until.set(w);
            let result = svc
                .list(&on_wait)
                .await
                .map(|l| (Arc::new(l.files), l.unreadable));
            if result.is_ok() {
                perf::measure_to_next_paint("mde:render", perf::LIST_LOADED);
            }
            set_budget_until.set(None);
            match result {
                Ok(list) => {
                    load_error.set(None);
                    files.set(Some(list));
                }
                Err(e) => {
                    if needs_sign_in(&e) {
                        sign_in_needed.set(true);
                    }
                    load_error.set(Some(e));
                }
            }
        });
        if let Some(previous) = loading.try_update_value(|l| l.replace(handle)).flatten() {
            previous.abort();
        }
    });
    load.run(());

    let budget_note = Signal::derive(move || {
        budget_until.get().map(|until| {
            format!(
                "Request budget spent ({} a minute, {} an hour); the next call waits until {}.",
                rate_limit.per_minute,
                rate_limit.per_hour,
                clock(until)
            )
        })
    });

    let refresh = move || {
        // Finished records belong to the old list; running deletes keep theirs.
        states.update(|s| s.retain(|_, st| st.is_busy()));
        load.run(());
    };

    let delete_service = service.clone();
    let delete_tasks = tasks.clone();
    let run_delete = UnsyncCallback::new(move |file: LibraryFile| {
        let svc = delete_service.clone();
        let name = file.file_name;
        let sha256 = file.sha256;
        let events = events.clone();
        if states.with_untracked(|s| s.get(&name).is_some_and(FileState::is_busy)) {
            return;
        }
        let cancel = Cancel::default();
        states.update(|s| s.insert(&name, FileState::Deleting(cancel.clone())));
        delete_tasks.spawn(async move {
            let on_budget = move |w| set_budget_until.set(w);
            let report = |state: FileState| {
                let note = match &state {
                    FileState::Deleting(_) => None,
                    FileState::Waiting { seconds_left, .. } => Some((
                        Tone::Progress,
                        rate_limited_text(&name, *seconds_left),
                        true,
                    )),
                    FileState::Done(ended) => {
                        let sha = Some(sha256.clone()).filter(|s| !s.is_empty());
                        events.emit(&Activity::deleted(now_iso(), &name, sha, ended));
                        match ended {
                            Ended::NotFound => refresh(),
                            Ended::Failed(e) if needs_sign_in(e) => sign_in_needed.set(true),
                            _ => {}
                        }
                        let (tone, text) = delete_outcome(&name, ended);
                        Some((tone, text, false))
                    }
                };
                states.update(|s| s.insert(&name, state));
                if let Some((tone, text, cancelable)) = note {
                    announce(
                        outcomes,
                        Outcome {
                            file: name.clone(),
                            tone,
                            text,
                            cancelable,
                        },
                    );
                }
            };
            delete_flow::delete_file(&svc, &BrowserClock, &name, &cancel, &report, &on_budget)
                .await;
        });
    });

    view! {
        <section class="panel" aria-labelledby="library-title">
            <div class="toolbar">
                <h2 id="library-title">"Live response library"</h2>
                <label class="filter">
                    "Filter"
                    <input
                        type="search"
                        placeholder="Name, description or creator"
                        prop:value=move || filter.get()
                        on:input:target=move |ev| {
                            perf::measure_to_next_paint("mde:filter", "mde:filter-start");
                            filter.set(ev.target().value());
                        }
                    />
                </label>
                <button type="button" on:click=move |_| refresh()>"Refresh"</button>
            </div>
            <Outcomes outcomes=outcomes states=states budget_note=budget_note/>
            // A plain match on a signal, not a resource under Transition + Suspend: the
            // async machinery behind those weighed more than the rest of this component.
            {move || load_error.get().map(|e| view! {
                <div class="load-error" role="alert">
                    <p>"Could not load the library: " {reason(&e)}</p>
                    <button type="button" on:click=move |_| refresh()>
                        {if matches!(e, OpError::Auth(AuthError::Host(_))) { "Retry" } else { "Try again" }}
                    </button>
                </div>
            })}
            {move || match files.get() {
                None if load_error.with(Option::is_some) => EitherOf3::A(()),
                None => EitherOf3::B(view! { <p class="loading" role="status">"Loading the library…"</p> }),
                Some((list, unreadable)) => EitherOf3::C(view! {
                    <LibraryTable
                        files=list
                        unreadable=unreadable
                        filter=filter
                        sort=sort
                        states=states
                        confirm=confirm
                    />
                }),
            }}
            <ConfirmDelete target=confirm on_confirm=run_delete/>
        </section>
    }
}
