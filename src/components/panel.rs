//! The library panel: loads the list, filters and sorts it, runs deletes and announces
//! their outcomes beside the table.

use std::sync::Arc;

use futures::future::AbortHandle;
use leptos::callback::UnsyncCallback;
use leptos::either::EitherOf3;
use leptos::prelude::*;

use mde_wire::LibraryFile;

use crate::activity::{Activity, Events};
use crate::auth::AuthError;
use crate::clock::BrowserClock;
use crate::components::changes::{self, ChangesDeps, Loading};
use crate::components::outcomes::{Notice, Outcomes};
use crate::components::state::{PanelState, ViewOnly};
use crate::components::table::LibraryTable;
use crate::config::RateLimit;
use crate::listing::{Selection, Sort};
use crate::names::NameMap;
use crate::perf;
use crate::service::{LibraryService, OpError};
use crate::tasks::TaskScope;
use crate::wording::{list_retry_text, reason, CHANGES_UNAVAILABLE};
use crate::workflow::FileState;

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

/// `MissingScope` when the session's last token lacks `Library.Manage`; an unreadable
/// token, or none (`proxy`), offers everything.
fn from_token(hint: Option<bool>) -> Option<ViewOnly> {
    (hint == Some(false)).then_some(ViewOnly::MissingScope)
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
    /// Set while a bulk run is going on.
    run_active: RwSignal<bool>,
    /// Every change while the page is open.
    trail: RwSignal<Vec<Activity>>,
) -> impl IntoView {
    // Whether the Activity section and the Upload dialog are open.
    let show_activity = RwSignal::new(false);
    let show_upload = RwSignal::new(false);
    let show_drift = RwSignal::new(false);
    let show_sync = RwSignal::new(false);
    // The files ticked for a bulk delete.
    let selection = RwSignal::new(Selection::default());
    let budget_until = RwSignal::new(None::<u64>);
    let set_budget_until = budget_until;
    // When a list page answered 429 is sent again.
    let (list_retry_at, set_list_retry_at) = signal(None::<u64>);
    let sort = RwSignal::new(Sort::default());
    // One record per file acted on since the load (idle files have none): the table and the
    // outcomes render from it.
    let states = RwSignal::new(NameMap::<FileState>::default());
    let confirm = RwSignal::new(None::<LibraryFile>);
    let outcomes = RwSignal::new(Vec::<Notice>::new());
    let view_only = RwSignal::new(from_token(service.session().scope_hint()));

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
            let on_retry = move |at| set_list_retry_at.set(at);
            let result = svc
                .list(&BrowserClock, &on_wait, &on_retry)
                .await
                .map(|l| (Arc::new(l.files), l.unreadable));
            if result.is_ok() {
                perf::measure_to_next_paint("mde:render", perf::LIST_LOADED);
            }
            set_budget_until.set(None);
            set_list_retry_at.set(None);
            // A portal's token is read with the first call: a view-only panel from then on.
            if let Some(v) = from_token(svc.session().scope_hint()) {
                view_only.set(Some(v));
            }
            match result {
                Ok(list) => {
                    load_error.set(None);
                    // Indices of the old list mean nothing in the new one.
                    selection.set(Selection::default());
                    files.set(Some(list));
                }
                Err(e) => {
                    if e.needs_sign_in() {
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
        if let Some(at) = list_retry_at.get() {
            return Some(list_retry_text(&clock(at)));
        }
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

    // Deleting (one file, or many) is loaded on demand: its code is a wasm chunk of its own,
    // fetched the first time a Delete button is pressed or a file is ticked. See `changes`.
    let changes_slot = NodeRef::<leptos::html::Div>::new();
    let changes = StoredValue::new_local(None::<Loading>);
    let changes_tasks = tasks.clone();
    let changes_service = service.clone();
    Effect::new(move |_| {
        // Each is read (no `||` short cut), so each one's change runs this again.
        let asked = [
            confirm.with(Option::is_some),
            selection.with(|s| !s.is_empty()),
            show_activity.get(),
            show_upload.get(),
            show_drift.get(),
            show_sync.get(),
            // The view-only note (and its Check again) is the chunk's.
            view_only.with(Option::is_some),
        ];
        let wanted = asked.contains(&true);
        let Some(slot) = changes_slot.get() else {
            return;
        };
        if changes.with_value(|c| matches!(c, Some(Loading::Failed))) {
            changes.set_value(None);
            return;
        }
        if !wanted || changes.with_value(Option::is_some) {
            return;
        }
        changes.set_value(Some(Loading::Started));
        // A failed load's message (below) goes when the load is tried again.
        slot.set_text_content(None);
        slot.set_class_name("changes");
        let _ = slot.remove_attribute("role");
        let failed = slot.clone();
        let deps = ChangesDeps {
            slot: slot.into(),
            state: PanelState {
                files,
                selection,
                states,
                confirm,
                outcomes,
                trail,
                show_activity,
                show_upload,
                show_drift,
                show_sync,
                sign_in_needed,
                run_active,
                budget_until,
                view_only,
            },
            service: changes_service.clone(),
            tasks: changes_tasks.clone(),
            events: events.clone(),
            refresh: std::rc::Rc::new(refresh),
        };
        changes_tasks.spawn(async move {
            match changes::load(deps).await {
                Ok(mounted) => changes.set_value(Some(Loading::Mounted(mounted))),
                // Said in the slot, and what asked for it is let go (the ticks stay). The
                // effect's next run, which these sets cause, only clears `Failed`: the
                // person's next Delete, tick, Upload or Activity tries again, rather than a
                // loop of failing fetches.
                Err(_) => {
                    changes.set_value(Some(Loading::Failed));
                    confirm.set(None);
                    show_activity.set(false);
                    show_upload.set(false);
                    show_drift.set(false);
                    show_sync.set(false);
                    failed.set_text_content(Some(CHANGES_UNAVAILABLE));
                    failed.set_class_name("changes load-error");
                    let _ = failed.set_attribute("role", "alert");
                }
            }
        });
    });

    let on_toolbar = move |ev: web_sys::MouseEvent| {
        let act = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .and_then(|t| t.closest("button[data-act]").ok().flatten())
            .and_then(|b| b.get_attribute("data-act"));
        match act.as_deref() {
            Some("refresh") => refresh(),
            Some("activity") => show_activity.update(|s| *s = !*s),
            Some("upload") => show_upload.set(true),
            Some("drift") => show_drift.update(|s| *s = !*s),
            Some("sync") => show_sync.update(|s| *s = !*s),
            _ => {}
        }
    };

    view! {
        // `data-view-only` takes the change controls away (style/main.css), the table's
        // DOM-built rows included; the note saying why is drawn by the chunk.
        <section class="panel" aria-labelledby="library-title" data-view-only=move || view_only.get().map(|_| "")>
            // One listener for the toolbar's buttons (`data-act`).
            <div class="toolbar" on:click=on_toolbar>
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
                <button type="button" data-act="refresh">"Refresh"</button>
                <button type="button" data-act="upload">"Upload"</button>
                // Its count and aria-expanded are kept by the Activity section (loaded on
                // demand, like its reactive parts: as a `view!` they weighed on the first load;
                // size lead L50).
                <button type="button" data-act="activity" data-activity="">"Activity"</button>
                <button type="button" data-act="sync">"Plan from a folder"</button>
                <button type="button" data-act="drift">"Drift check"</button>
            </div>
            // Where the chunk mounts; if it cannot load, the message saying so.
            <div class="changes" node_ref=changes_slot></div>
            <Outcomes outcomes=outcomes states=states budget_note=budget_note/>
            // A plain match on a signal, not a resource under Transition + Suspend: the
            // async machinery behind those weighed more than the rest of this component
            // (size leads L1 and L2).
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
                        selection=selection
                    />
                }),
            }}
        </section>
    }
}
