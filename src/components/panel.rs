//! The library panel: loads the list, filters and sorts it, runs deletes and announces
//! their outcomes beside the table.

use std::sync::Arc;

use futures::future::AbortHandle;
use leptos::callback::UnsyncCallback;
use leptos::either::EitherOf3;
use leptos::prelude::*;

use crate::names::NameSet;
use mde_wire::LibraryFile;

use crate::api::{now_ms, ApiError};
use crate::components::dialog::ConfirmDelete;
use crate::components::outcomes::{announce, Outcome, Outcomes};
use crate::components::table::LibraryTable;
use crate::config::RateLimit;
use crate::listing::Sort;
use crate::messages::{
    delete_outcome, needs_sign_in, rate_limited_text, rate_wait_ms, reason, Tone, MAX_RATE_RETRIES,
};
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

/// Waits out a 429 with a live countdown; false when the person canceled.
async fn countdown(
    name: &str,
    wait_ms: u64,
    outcomes: RwSignal<Vec<Outcome>>,
    canceled: RwSignal<NameSet>,
) -> bool {
    let deadline = now_ms() + wait_ms;
    loop {
        if canceled.with_untracked(|c| c.contains(name)) {
            return false;
        }
        let left = deadline.saturating_sub(now_ms());
        if left == 0 {
            return true;
        }
        announce(
            outcomes,
            Outcome {
                file: name.to_string(),
                tone: Tone::Progress,
                text: rate_limited_text(name, left.div_ceil(1000)),
                cancelable: true,
            },
        );
        let step = match left % 1000 {
            0 => 1000,
            r => r,
        };
        gloo_timers::future::TimeoutFuture::new(step as u32).await;
    }
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
) -> impl IntoView {
    let (budget_until, set_budget_until) = signal(None::<u64>);
    let sort = RwSignal::new(Sort::default());
    let removed = RwSignal::new(NameSet::default());
    let pending = RwSignal::new(NameSet::default());
    let canceled = RwSignal::new(NameSet::default());
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
        removed.set(NameSet::default());
        load.run(());
    };

    let delete_service = service.clone();
    let delete_tasks = tasks.clone();
    let run_delete = UnsyncCallback::new(move |file: LibraryFile| {
        let svc = delete_service.clone();
        let name = file.file_name.clone();
        if pending.with_untracked(|p| p.contains(&name)) {
            return;
        }
        pending.update(|p| {
            p.insert(&name);
        });
        canceled.update(|c| {
            c.remove(&name);
        });
        delete_tasks.spawn(async move {
            let on_wait = move |w| set_budget_until.set(w);
            let mut attempt = 0;
            let result = loop {
                let r = svc.delete(&name, &on_wait).await;
                if let Err(OpError::Api(ApiError::RateLimited { retry_after_ms, .. })) = &r {
                    if attempt < MAX_RATE_RETRIES {
                        if let Some(wait) = rate_wait_ms(*retry_after_ms, attempt) {
                            attempt += 1;
                            if countdown(&name, wait, outcomes, canceled).await {
                                continue;
                            }
                            break None;
                        }
                    }
                }
                break Some(r);
            };
            pending.update(|p| {
                p.remove(&name);
            });
            let Some(result) = result else {
                announce(
                    outcomes,
                    Outcome {
                        file: name.clone(),
                        tone: Tone::Progress,
                        text: format!("Stopped retrying; {name} was not deleted."),
                        cancelable: false,
                    },
                );
                return;
            };
            let (tone, text) = delete_outcome(&name, &result);
            match &result {
                Ok(()) => removed.update(|r| {
                    r.insert(&name);
                }),
                Err(OpError::Api(ApiError::NotFound(_))) => refresh(),
                Err(e) if needs_sign_in(e) => sign_in_needed.set(true),
                Err(_) => {}
            }
            announce(
                outcomes,
                Outcome {
                    file: name,
                    tone,
                    text,
                    cancelable: false,
                },
            );
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
            <Outcomes outcomes=outcomes canceled=canceled budget_note=budget_note/>
            // A plain match on a signal, not a resource under Transition + Suspend: the
            // async machinery behind those weighed more than the rest of this component.
            {move || load_error.get().map(|e| view! {
                <div class="load-error" role="alert">
                    <p>"Could not load the library: " {reason(&e)}</p>
                    <button type="button" on:click=move |_| refresh()>"Try again"</button>
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
                        removed=removed
                        pending=pending
                        confirm=confirm
                    />
                }),
            }}
            <ConfirmDelete target=confirm on_confirm=run_delete/>
        </section>
    }
}
