//! Changing the library: deleting one file (its confirmation dialog and workflow), deleting
//! or uploading many (the selection's bar, the typed confirmation, the Upload dialog, a run's
//! progress, controls and summary), and the activity trail.
//! The workflows are [`crate::delete_flow`] and [`crate::bulk`]; this starts them and renders
//! their state, and every file's outcome goes through one report (row, outcome line, event).
//!
//! Loaded on demand: [`load`] is a split point (`wasm_split`, fallible, in the Trunk build,
//! feature `split`), so this code and the workflows' are a wasm chunk fetched the first time
//! a Delete button is pressed, a file is ticked, or Upload or Activity is opened, outside the
//! first load's budget (measured: bulk delete alone weighed 19.8 KB gzip). Everything it
//! needs from the panel comes in one [`Context`].
//!
//! The bulk parts are drawn with the DOM, like the rows: the same markup as `view!` trees
//! measured several KB more. Each part is built once; an effect sets its texts and
//! attributes; one delegated click listener serves its buttons (`data-bulk`). Text is only
//! ever set with `textContent`.

use std::rc::Rc;
use std::sync::Arc;

use leptos::callback::UnsyncCallback;
use leptos::html;
use leptos::prelude::*;
use mde_wire::LibraryFile;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use crate::activity::{now_iso, to_csv, to_json, Activity, Events};
use crate::api::{ApiError, Upload};
use crate::browser;
use crate::bulk::{self, Kind, Progress, RunControl, RunState};
use crate::clock::BrowserClock;
use crate::components::dialog::ConfirmDelete;
use crate::components::dom::el;
use crate::components::outcomes::{announce, Outcome};
use crate::delete_flow::{self, Cancel, FileState, Outcome as Ended};
use crate::js;
use crate::listing::Selection;
use crate::messages::{
    bulk_canceling, bulk_confirm_names, bulk_status, delete_outcome, needs_sign_in,
    rate_limited_text, reason, upload_outcome, upload_problem, Tone,
};
use crate::names::NameMap;
use crate::service::LibraryService;
use crate::tasks::TaskScope;
use crate::upload;

/// The list as last loaded, with its count of unreadable entries (the panel's).
pub type LoadedList = RwSignal<Option<(Arc<Vec<LibraryFile>>, usize)>, LocalStorage>;

/// What changing the library needs from the panel.
pub struct Context {
    /// Where the bulk parts and the dialog go.
    pub slot: web_sys::HtmlElement,
    /// The API, token and rate gate.
    pub service: LibraryService,
    /// The panel's tasks: deletes end with the panel.
    pub tasks: TaskScope,
    /// The file whose Delete button was pressed.
    pub confirm: RwSignal<Option<LibraryFile>>,
    /// The files ticked in the table.
    pub selection: RwSignal<Selection>,
    /// The list as loaded.
    pub files: LoadedList,
    /// One record per file acted on: rows and outcome lines render from it.
    pub states: RwSignal<NameMap<FileState>>,
    /// The outcome lines.
    pub outcomes: RwSignal<Vec<Outcome>>,
    /// Where each change is reported to the embedding portal.
    pub events: Events,
    /// Until when calls wait for the client-side budget.
    pub on_budget: WriteSignal<Option<u64>>,
    /// Raised when only a new sign-in helps; lowered once signed in again.
    pub sign_in_needed: RwSignal<bool>,
    /// Set while a bulk run is going on ("Sign in again" then keeps the page).
    pub run_active: RwSignal<bool>,
    /// Every change while the page is open (the shell's).
    pub trail: RwSignal<Vec<Activity>>,
    /// Whether the Activity section is open.
    pub show_activity: RwSignal<bool>,
    /// Whether the Upload dialog is open.
    pub show_upload: RwSignal<bool>,
    /// Reloads the list.
    pub refresh: Rc<dyn Fn()>,
}

/// The mounted parts; dropping it unmounts them.
pub struct Mounted(#[allow(dead_code)] Box<dyn std::any::Any>);

/// Where loading stands, kept by the panel.
pub enum Loading {
    /// The chunk is on its way.
    Started,
    /// Drawn.
    Mounted(Mounted),
    /// The chunk did not load; the next request for it tries again.
    Failed,
}

/// The chunk could not be fetched or instantiated: the network failed, its integrity check
/// failed, or a deploy replaced it since the page was opened. A later call tries again.
pub type LoadError = leptos::wasm_split::SplitLoaderError;

/// Loads this chunk (on demand in the Trunk build) and mounts it into `ctx.slot`.
pub async fn load(ctx: Context) -> Result<Mounted, LoadError> {
    #[cfg(feature = "split")]
    {
        mount(ctx).await
    }
    #[cfg(not(feature = "split"))]
    {
        mount(ctx)
    }
}

// `fallible`: a chunk that fails to load is an `Err` for the panel to report. Leptos' own
// `#[lazy]` panics instead, and a panic aborts the whole wasm module: the page would die on
// the first Delete click after every deploy that replaced the chunk.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(changes, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount(ctx: Context) -> Result<Mounted, LoadError> {
    let slot = ctx.slot.clone();
    Ok(Mounted(Box::new(leptos::mount::mount_to(
        slot,
        move || {
            view! { <Changes ctx=ctx/> }
        },
    ))))
}

/// Owns the deletes: the report every file's outcome goes through, the single delete and its
/// dialog, bulk runs (and resuming one after a new sign-in), the bulk bar and progress.
#[component]
fn Changes(ctx: Context) -> impl IntoView {
    let Context {
        service,
        tasks,
        confirm,
        selection,
        files,
        states,
        outcomes,
        events,
        on_budget,
        sign_in_needed,
        run_active,
        trail,
        show_activity,
        show_upload,
        refresh,
        slot,
        ..
    } = ctx;
    // The panel's Activity button (`data-activity`): its count and `aria-expanded` are kept
    // by the Activity section.
    let activity_button = slot
        .parent_element()
        .and_then(|p| p.query_selector("button[data-activity]").ok().flatten());
    let set_budget_until = on_budget;
    // For the uploads (below), before the deletes take these.
    let upload_service = service.clone();
    let upload_tasks = tasks.clone();
    let upload_refresh = refresh.clone();
    let upload_events = events.clone();
    // Every change of a file, from a single delete or a bulk run, goes through here: its row,
    // its outcome line (a bulk run announces only what did not go as asked; its summary says
    // the rest) and the event to the portal.
    let report_refresh = refresh.clone();
    let report_service = service.clone();
    let file_report = Rc::new(
        move |name: &str, sha256: &str, state: FileState, bulk: bool| {
            let note = match &state {
                FileState::Deleting(_) => None,
                FileState::Waiting { seconds_left, .. } => Some((
                    Tone::Progress,
                    rate_limited_text(Kind::Delete, name, *seconds_left),
                    !bulk,
                )),
                FileState::Done(ended) => {
                    let sha = Some(sha256.to_string()).filter(|s| !s.is_empty());
                    let record = Activity::deleted(now_iso(), name, sha, ended)
                        .by(report_service.session().account_name());
                    events.emit(&record);
                    trail.update(|t| t.push(record));
                    if bulk {
                        let at = files.with_untracked(|f| {
                            f.as_ref()?.0.iter().position(|x| x.file_name == name)
                        });
                        if let Some(i) = at {
                            selection.update(|s| s.set(i, false));
                        }
                    }
                    match ended {
                        Ended::NotFound if !bulk => report_refresh(),
                        Ended::Failed(e) if !bulk && needs_sign_in(e) => sign_in_needed.set(true),
                        _ => {}
                    }
                    (!bulk || !matches!(ended, Ended::Deleted)).then(|| {
                        let (tone, text) = delete_outcome(name, ended);
                        (tone, text, false)
                    })
                }
            };
            states.update(|s| s.insert(name, state));
            if let Some((tone, text, cancelable)) = note {
                announce(
                    outcomes,
                    Outcome {
                        file: name.to_string(),
                        tone,
                        text,
                        cancelable,
                    },
                );
            }
        },
    );

    let delete_service = service.clone();
    let delete_tasks = tasks.clone();
    let single_report = file_report.clone();
    let run_delete = UnsyncCallback::new(move |file: LibraryFile| {
        let svc = delete_service.clone();
        let name = file.file_name;
        let sha256 = file.sha256;
        if states.with_untracked(|s| s.get(&name).is_some_and(FileState::is_busy)) {
            return;
        }
        let cancel = Cancel::default();
        states.update(|s| s.insert(&name, FileState::Deleting(cancel.clone())));
        let file_report = single_report.clone();
        delete_tasks.spawn(async move {
            let on_budget = move |w| set_budget_until.set(w);
            let report = |state: FileState| file_report(&name, &sha256, state, false);
            delete_flow::delete_file(&svc, &BrowserClock, &name, &cancel, &report, &on_budget)
                .await;
        });
    });

    let run = RwSignal::new_local(None::<BulkRun>);
    // Starts a run (bulk delete or uploads) unless one is going on: one at a time, so two
    // never share the rate budget or the page's progress section.
    let run_service = service.clone();
    let start_run = Rc::new(
        move |kind: Kind, names: Vec<String>, queue: Rc<Vec<Upload>>| {
            if names.is_empty()
                || run.with_untracked(|r| r.as_ref().is_some_and(BulkRun::is_active))
            {
                return None;
            }
            let control = RunControl::default();
            run.set(Some(BulkRun {
                control: control.clone(),
                progress: Progress {
                    kind,
                    total: names.len(),
                    ..Progress::default()
                },
                state: RunState::Running,
                eta_ms: run_service.eta_ms(names.len()),
                queue,
            }));
            Some(control)
        },
    );
    // What both kinds of run report: their progress, and a wait for a new sign-in.
    let run_service = service.clone();
    let run_report = Rc::new(move |started: u64| {
        let svc = run_service.clone();
        // Time spent paused or waiting for a sign-in is not the run's pace.
        let held_since = std::cell::Cell::new(None::<u64>);
        let held_ms = std::cell::Cell::new(0u64);
        move |p: &Progress, state: RunState| {
            if state == RunState::NeedsSignIn {
                sign_in_needed.set(true);
            }
            let now = crate::clock::now_ms();
            let held = matches!(state, RunState::Paused | RunState::NeedsSignIn);
            match (held, held_since.get()) {
                (true, None) => held_since.set(Some(now)),
                (false, Some(t)) => {
                    held_since.set(None);
                    held_ms.set(held_ms.get() + now.saturating_sub(t));
                }
                _ => {}
            }
            let left = p.total.saturating_sub(p.done);
            run.update(|r| {
                if let Some(r) = r {
                    r.progress = p.clone();
                    let elapsed = now.saturating_sub(started).saturating_sub(held_ms.get());
                    r.eta_ms = bulk::eta_ms(svc.eta_ms(left), p.done, elapsed, left);
                    r.state = state;
                }
            });
        }
    });
    let (upload_start_run, upload_run_report) = (start_run.clone(), run_report.clone());
    let delete_run_service = service.clone();
    let delete_run_tasks = tasks.clone();
    let delete_run_refresh = refresh.clone();
    let start_bulk = UnsyncCallback::new(move |mut names: Vec<String>| {
        // In name order, once each (the SHA-256 lookup below searches them).
        names.sort();
        names.dedup();
        let Some(control) = start_run(Kind::Delete, names.clone(), Rc::default()) else {
            return;
        };
        let svc = delete_run_service.clone();
        // The SHA-256 of each, for its event.
        let mut shas = NameMap::default();
        files.with_untracked(|f| {
            if let Some((list, _)) = f {
                for file in list.iter() {
                    if names.binary_search(&file.file_name).is_ok() {
                        shas.insert(&file.file_name, file.sha256.clone());
                    }
                }
            }
        });
        let file_report = file_report.clone();
        let refresh = delete_run_refresh.clone();
        let report = run_report(crate::clock::now_ms());
        delete_run_tasks.spawn(async move {
            // Leaving mid-run would drop the rest of it: the browser asks first.
            let _leave = browser::LeaveWarning::new();
            let on_budget = move |w| on_budget.set(w);
            let report_file = |name: &str, state: FileState| {
                let sha = shas.get(name).map_or("", String::as_str);
                file_report(name, sha, state, true);
            };
            let (progress, _) = bulk::delete_all(
                &svc,
                &BrowserClock,
                &names,
                &control,
                &report_file,
                &report,
                &on_budget,
            )
            .await;
            if progress.not_found > 0 || progress.unconfirmed > 0 {
                refresh();
            }
        });
    });
    // Uploads: the same run as a bulk delete (rate gate, pause, cancel, a new sign-in, the
    // summary); each file's progress and outcome in its outcome line, its record in the trail.
    let start_upload = UnsyncCallback::new(move |queue: Vec<Upload>| {
        let names: Vec<String> = queue.iter().map(|u| u.file_name.clone()).collect();
        let queue = Rc::new(queue);
        let Some(control) = upload_start_run(Kind::Upload, names.clone(), queue.clone()) else {
            return;
        };
        let uploads = Uploads {
            svc: upload_service.clone(),
            queue,
            files,
            outcomes,
            shas: Default::default(),
            reload: Default::default(),
        };
        let refresh = upload_refresh.clone();
        let events = upload_events.clone();
        let report = upload_run_report(crate::clock::now_ms());
        upload_tasks.spawn(async move {
            let _leave = browser::LeaveWarning::new();
            let on_budget = move |w| on_budget.set(w);
            let report_file = |name: &str, state: FileState| {
                let (tone, text) = match &state {
                    FileState::Deleting(_) => (Tone::Progress, format!("Uploading {name}…")),
                    FileState::Waiting { seconds_left, .. } => (
                        Tone::Progress,
                        rate_limited_text(Kind::Upload, name, *seconds_left),
                    ),
                    FileState::Done(ended) => {
                        let (before, after) = uploads.shas(name);
                        let record = Activity::uploaded(now_iso(), name, before, after, ended)
                            .by(uploads.svc.session().account_name());
                        events.emit(&record);
                        trail.update(|t| t.push(record));
                        upload_outcome(name, ended)
                    }
                };
                line(outcomes, name, tone, text);
            };
            let files = bulk::Files {
                kind: Kind::Upload,
                names: &names,
                call: &uploads,
            };
            bulk::run_all(
                files,
                &BrowserClock,
                &control,
                &report_file,
                &report,
                &on_budget,
            )
            .await;
            // Some tenants answer an empty 200: the list is read again, once the run is done
            // (a reload racing the next upload's merge would drop it).
            if uploads.reload.get() {
                refresh();
            }
        });
    });
    // Retry failed: the same kind of run over the files that failed.
    let retry = UnsyncCallback::new(move |(kind, names): (Kind, Vec<String>)| match kind {
        Kind::Delete => start_bulk.run(names),
        Kind::Upload => {
            let again = run.with_untracked(|r| {
                r.as_ref().map_or_else(Vec::new, |r| {
                    r.queue
                        .iter()
                        .filter(|u| names.contains(&u.file_name))
                        .cloned()
                        .collect()
                })
            });
            start_upload.run(again);
        }
    });
    // Signed in again (through a popup, the page kept): a run waiting for it goes on.
    Effect::new(move |_| {
        if !sign_in_needed.get() {
            run.with_untracked(|r| {
                if let Some(r) = r.as_ref().filter(|r| r.control.needs_sign_in()) {
                    r.control.signed_in();
                }
            });
        }
    });
    // Shown in the shell: "Sign in again" keeps the page (a popup) while a run is going on.
    let busy = Memo::new(move |_| run.with(|r| r.as_ref().is_some_and(BulkRun::is_active)));
    Effect::new(move |_| run_active.set(busy.get()));

    view! {
        <BulkBar selection=selection files=files run=run on_start=start_bulk/>
        <BulkProgress run=run on_retry=retry/>
        <ConfirmDelete target=confirm on_confirm=run_delete/>
        <ActivityTrail trail=trail shown=show_activity toggle=activity_button/>
        <UploadDialog shown=show_upload files=files busy=busy on_upload=start_upload/>
    }
}

/// Announces `text` in `name`'s outcome line.
fn line(outcomes: RwSignal<Vec<Outcome>>, name: &str, tone: Tone, text: String) {
    announce(
        outcomes,
        Outcome {
            file: name.to_string(),
            tone,
            text,
            cancelable: false,
        },
    );
}

/// An upload run's call for each file: sends it with its progress in its outcome line; the
/// entity the API answers joins the list.
struct Uploads {
    svc: LibraryService,
    queue: Rc<Vec<Upload>>,
    files: LoadedList,
    outcomes: RwSignal<Vec<Outcome>>,
    /// Each uploaded file's SHA-256 before and after, for its record.
    shas: std::cell::RefCell<NameMap<(Option<String>, Option<String>)>>,
    /// An empty 200 came: the list is read again at the end.
    reload: std::cell::Cell<bool>,
}

impl Uploads {
    /// The SHA-256 in the list now of the file of that name (the API's names ignore case).
    fn listed_sha(&self, name: &str) -> Option<String> {
        self.files.with_untracked(|f| {
            f.as_ref()?
                .0
                .iter()
                .find(|x| x.file_name.eq_ignore_ascii_case(name))
                .map(|x| x.sha256.clone())
        })
    }

    /// Before and after an upload of `name`; a failed one changed nothing.
    fn shas(&self, name: &str) -> (Option<String>, Option<String>) {
        match self.shas.borrow().get(name) {
            Some(pair) => pair.clone(),
            None => (self.listed_sha(name), None),
        }
    }
}

impl delete_flow::FileCall for Uploads {
    fn call<'a>(
        &'a self,
        name: &'a str,
        on_budget: &'a dyn Fn(Option<u64>),
    ) -> futures::future::LocalBoxFuture<'a, Result<u16, crate::service::OpError>> {
        Box::pin(async move {
            // The run's names are the queue's, so this finds it.
            let Some(up) = self.queue.iter().find(|u| u.file_name == name) else {
                return Err(ApiError::Body(format!("{name} is not in this upload")).into());
            };
            let on_progress = |sent: u64, total: u64| {
                if total > 0 && sent < total {
                    let text = format!("Uploading {name}: {}%", sent * 100 / total);
                    line(self.outcomes, name, Tone::Progress, text);
                }
            };
            let before = self.listed_sha(name);
            let (status, entity) = self.svc.upload(up, on_budget, &on_progress).await?;
            let after = entity.as_ref().map(|e| e.sha256.clone());
            match entity {
                // The entity joins the list in place of any file of that name.
                Some(entity) => self.files.update(|f| {
                    if let Some((list, _)) = f {
                        let mut next = list.as_ref().clone();
                        match next
                            .iter()
                            .position(|x| x.file_name.eq_ignore_ascii_case(&entity.file_name))
                        {
                            Some(i) => next[i] = entity,
                            None => next.push(entity),
                        }
                        *list = Arc::new(next);
                    }
                }),
                None => self.reload.set(true),
            }
            self.shas.borrow_mut().insert(name, (before, after));
            Ok(status)
        })
    }
}

/// A run as the page shows it.
#[derive(Clone, Debug)]
pub struct BulkRun {
    /// Pause, resume and cancel.
    pub control: RunControl,
    /// What it has done.
    pub progress: Progress,
    /// Where it stands.
    pub state: RunState,
    /// Time the rest needs at the configured limits.
    pub eta_ms: u64,
    /// An upload run's files (for Retry failed); empty for a delete.
    pub queue: Rc<Vec<Upload>>,
}

impl BulkRun {
    /// Whether it has yet to end.
    pub fn is_active(&self) -> bool {
        matches!(
            self.state,
            RunState::Running | RunState::Paused | RunState::NeedsSignIn
        )
    }
}

fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

fn button(doc: &Document, class: &str, act: &str, text: &str) -> Element {
    let b = el(doc, "button", class, text);
    attr(&b, "type", "button");
    attr(&b, "data-bulk", act);
    b
}

fn set_disabled(e: &Element, off: bool) {
    let _ = e.toggle_attribute_with_force("disabled", off);
}

/// The `data-bulk` action of the button a click hit.
fn clicked(ev: &web_sys::MouseEvent) -> Option<String> {
    ev.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest("[data-bulk]")
        .ok()??
        .get_attribute("data-bulk")
}

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
    /// The files ticked in the table.
    selection: RwSignal<Selection>,
    /// The list the selection is about.
    files: LoadedList,
    /// The run, if one was started.
    run: RwSignal<Option<BulkRun>, LocalStorage>,
    /// Starts a run over these names.
    on_start: UnsyncCallback<Vec<String>>,
) -> impl IntoView {
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

/// The progress section's parts that change.
struct Shown {
    bar: Element,
    fill: Element,
    status: Element,
    buttons: Element,
    failures: Element,
}

/// A run's progress bar (`role="progressbar"`), status line (`role="status"`), Pause, Resume,
/// Cancel and, at the end, what failed with **Retry failed**.
#[component]
pub fn BulkProgress(
    /// The run.
    run: RwSignal<Option<BulkRun>, LocalStorage>,
    /// Starts a run of that kind over the failed names again.
    on_retry: UnsyncCallback<(Kind, Vec<String>)>,
) -> impl IntoView {
    let root = NodeRef::<html::Section>::new();
    let parts = StoredValue::new_local(None::<Shown>);
    Effect::new(move |_| {
        let Some(root) = root.get() else { return };
        let Some(doc) = root.owner_document() else {
            return;
        };
        run.with(|r| {
            root.set_hidden(r.is_none());
            let Some(r) = r else { return };
            if parts.with_value(Option::is_none) {
                let bar = el(&doc, "div", "bar", "");
                attr(&bar, "role", "progressbar");
                attr(&bar, "aria-valuemin", "0");
                let fill = el(&doc, "span", "", "");
                let _ = bar.append_child(&fill);
                let status = el(&doc, "p", "", "");
                attr(&status, "role", "status");
                let buttons = el(&doc, "div", "buttons", "");
                let failures = el(&doc, "ul", "failures", "");
                let _ = root.append_with_node_4(&bar, &status, &buttons, &failures);
                parts.set_value(Some(Shown {
                    bar,
                    fill,
                    status,
                    buttons,
                    failures,
                }));
            }
            parts.with_value(|p| {
                let Some(p) = p else { return };
                let (done, total) = (r.progress.done, r.progress.total);
                let what = match r.progress.kind {
                    Kind::Delete => "Bulk delete",
                    Kind::Upload => "Upload",
                };
                attr(&root, "aria-label", what);
                attr(&p.bar, "aria-label", &format!("{what} progress"));
                attr(&p.bar, "aria-valuemax", &total.to_string());
                attr(&p.bar, "aria-valuenow", &done.to_string());
                // Through the CSSOM: a `style` attribute is inline style, which the CSP refuses.
                if let Some(fill) = p.fill.dyn_ref::<web_sys::HtmlElement>() {
                    let pct = format!("{}%", done * 100 / total.max(1));
                    let _ = fill.style().set_property("width", &pct);
                }
                let active = r.is_active();
                // Canceled, with a file still on its way (a large upload can take a while):
                // said at once, and nothing more to press until it ends.
                let canceling = active && r.control.is_canceled();
                let status = if canceling {
                    bulk_canceling(&r.progress)
                } else {
                    bulk_status(&r.progress, &r.state, r.eta_ms)
                };
                p.status.set_text_content(Some(&status));
                let (ended, controls) = (!active, active && !canceling);
                let paused = controls && r.state == RunState::Paused;
                p.buttons.set_text_content(None);
                for (show, act, text) in [
                    (controls && !paused, "pause", "Pause"),
                    (paused, "resume", "Resume"),
                    (controls, "cancel", "Cancel"),
                    (
                        ended && !r.progress.failed.is_empty(),
                        "retry",
                        "Retry failed",
                    ),
                    (ended, "dismiss", "Dismiss"),
                ] {
                    if show {
                        let _ = p.buttons.append_child(&button(&doc, "", act, text));
                    }
                }
                p.failures.set_text_content(None);
                for (name, e) in &r.progress.failed {
                    let li = el(&doc, "li", "", &format!("{name}: {}", reason(e)));
                    let _ = p.failures.append_child(&li);
                }
            });
        });
    });
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(act) = clicked(&ev) else { return };
        let retry = run.with_untracked(|r| {
            let r = r.as_ref()?;
            match act.as_str() {
                "pause" => r.control.pause(),
                "resume" => r.control.resume(),
                "cancel" => r.control.cancel(),
                "retry" => {
                    let names = r.progress.failed.iter().map(|(n, _)| n.clone()).collect();
                    return Some((r.progress.kind, names));
                }
                _ => {}
            }
            None
        });
        match act.as_str() {
            // Shown at once: the run itself notices a pause only before its next call, which
            // may be waiting in the rate gate.
            "pause" | "resume" => run.update(|r| {
                if let Some(r) = r {
                    r.state = if act == "pause" {
                        RunState::Paused
                    } else {
                        RunState::Running
                    };
                }
            }),
            "dismiss" => run.set(None),
            // Redrawn at once as canceling (see above).
            "cancel" => run.update(|_| {}),
            _ => {}
        }
        if let Some(again) = retry {
            on_retry.run(again);
        }
    };
    view! { <section class="bulk-run" hidden node_ref=root on:click=on_click></section> }
}

/// The Activity section: every change while the page is open, newest first, with its time,
/// account, action, file, outcome, status and tracking id; **Export CSV** and **Export JSON**
/// save the records (oldest first). Drawn with the DOM like the rest of this chunk.
#[component]
fn ActivityTrail(
    /// The records, oldest first.
    trail: RwSignal<Vec<Activity>>,
    /// Whether the section is open.
    shown: RwSignal<bool>,
    /// The toolbar button that opens it.
    toggle: Option<Element>,
) -> impl IntoView {
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
                    let _ =
                        ol.append_child(&el(&doc, "li", "", &crate::messages::activity_line(r)));
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

/// The Upload dialog: pick or drop files, the form's fields, every file checked before
/// anything is sent (each problem named beside its file), then **Upload**.
#[component]
fn UploadDialog(
    /// Whether it is open.
    shown: RwSignal<bool>,
    /// The list as loaded: names already taken.
    files: LoadedList,
    /// While a run (bulk delete or uploads) goes on: uploads wait for it.
    busy: Memo<bool>,
    /// Uploads these, one after the other.
    on_upload: UnsyncCallback<Vec<Upload>>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    // The picked `File`s, kept as plain values (`crate::js` reads their name and size).
    let picked = RwSignal::new_local(Vec::<wasm_bindgen::JsValue>::new());
    let description = RwSignal::new(String::new());
    let has_parameters = RwSignal::new(false);
    let parameters = RwSignal::new(String::new());
    let overwrite = RwSignal::new(false);
    Effect::new(move |_| {
        let open = shown.get();
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                picked.set(Vec::new());
                let _ = d.show_modal();
            } else if !open && d.open() {
                d.close();
            }
        }
    });
    // Each picked file with what stops it, judged from the loaded list.
    let checked = move || {
        let over = overwrite.get();
        picked.with(|p| {
            files.with(|f| {
                let names: Vec<&str> = f
                    .as_ref()
                    .map(|(l, _)| l.iter().map(|x| x.file_name.as_str()).collect())
                    .unwrap_or_default();
                p.iter()
                    .map(|file| {
                        let name = js::get(file, "name").as_string().unwrap_or_default();
                        let size = js::get(file, "size").as_f64().unwrap_or(0.0) as u64;
                        let problems = upload::check(&name, size, over, names.iter().copied());
                        (name, size, problems)
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let ready = move || {
        let c = checked();
        !c.is_empty() && c.iter().all(|(_, _, p)| p.is_empty())
    };
    // Files from the picker or a drop: a `FileList`, read by index.
    let add = move |list: wasm_bindgen::JsValue| {
        let n = js::get(&list, "length").as_f64().unwrap_or(0.0) as u32;
        picked.update(|p| {
            for i in 0..n {
                let f = js_sys::Reflect::get_u32(&list, i).unwrap_or_default();
                if f.is_undefined() {
                    continue;
                }
                // Picked again under the same name (the API's names ignore case): the newer
                // pick replaces it, so a run never holds two files of one name.
                let name = |f: &wasm_bindgen::JsValue| {
                    js::get(f, "name")
                        .as_string()
                        .unwrap_or_default()
                        .to_ascii_lowercase()
                };
                let new = name(&f);
                p.retain(|old| name(old) != new);
                p.push(f);
            }
        });
    };
    let upload = move |_| {
        if !ready() || busy.get_untracked() {
            return;
        }
        let queue = picked.with_untracked(|p| {
            p.iter()
                .map(|f| Upload {
                    file: f.clone(),
                    size: js::get(f, "size").as_f64().unwrap_or(0.0) as u64,
                    file_name: js::get(f, "name").as_string().unwrap_or_default(),
                    description: description.get_untracked(),
                    has_parameters: has_parameters.get_untracked(),
                    parameters_description: parameters.get_untracked(),
                    overwrite: overwrite.get_untracked(),
                })
                .collect::<Vec<_>>()
        });
        shown.set(false);
        on_upload.run(queue);
    };
    let list = move || {
        checked()
            .into_iter()
            .map(|(name, size, problems)| {
                let why = problems
                    .iter()
                    .map(upload_problem)
                    .collect::<Vec<_>>()
                    .join(" ");
                let ok = problems.is_empty();
                view! {
                    <li class:refused=!ok>
                        <strong>{name}</strong>
                        {format!(" ({} KB)", size.div_ceil(1024))}
                        {(!ok).then(|| view! { <br/> {why} })}
                    </li>
                }
            })
            .collect::<Vec<_>>()
    };
    view! {
        <dialog
            node_ref=dialog
            class="confirm upload"
            aria-labelledby="upload-title"
            on:cancel=move |_: web_sys::Event| shown.set(false)
            on:close=move |_: web_sys::Event| shown.set(false)
        >
            <h2 id="upload-title">"Upload to the library"</h2>
            <div
                class="drop"
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    add(js::get(&js::get(&ev, "dataTransfer"), "files"));
                }
            >
                <label>
                    "Files (or drop them here)"
                    <input
                        type="file"
                        multiple
                        on:change=move |ev: web_sys::Event| {
                            add(js::get(&ev.target().map(Into::into).unwrap_or_default(), "files"))
                        }
                    />
                </label>
            </div>
            <ul class="picked">{list}</ul>
            <p class="note" hidden=move || !busy.get()>
                "A run is going on: upload once it ends (its progress is on the page)."
            </p>
            <label>
                "Description"
                <input type="text" prop:value=move || description.get() on:input:target=move |ev| description.set(ev.target().value())/>
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || has_parameters.get() on:change:target=move |ev| has_parameters.set(ev.target().checked())/>
                "Has parameters"
            </label>
            <label>
                "Parameters description"
                <input type="text" prop:value=move || parameters.get() on:input:target=move |ev| parameters.set(ev.target().value())/>
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || overwrite.get() on:change:target=move |ev| overwrite.set(ev.target().checked())/>
                "Overwrite if it exists"
            </label>
            <div class="buttons">
                <button type="button" class="primary" disabled=move || !ready() || busy.get() on:click=upload>"Upload"</button>
                <button type="button" on:click=move |_| shown.set(false)>"Cancel"</button>
            </div>
        </dialog>
    }
}
