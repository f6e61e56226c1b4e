//! The controller: the report every file's outcome goes through, the single delete, runs
//! (starting, retrying, resuming after a new sign-in) and the upload run; the views render
//! its signals.

use std::rc::Rc;

use leptos::callback::UnsyncCallback;
use leptos::prelude::*;
use mde_wire::LibraryFile;

use crate::activity::{now_iso, Activity};
use crate::api::{ApiError, Upload};
use crate::browser;
use crate::clock::BrowserClock;
use crate::components::dialog::ConfirmDelete;
use crate::components::outcomes::{announce, Notice};
use crate::components::state::ViewOnly;
use crate::names::NameMap;
use crate::service::OpError;
use crate::wording::{file_outcome_text, rate_limited_text, upload_outcome, Tone};
use crate::workflow::run::{Files, Kind, Progress, RunControl, RunState};
use crate::workflow::{self, Cancel, FileOutcome, FileState};

use super::*;

/// Owns the deletes: the report every file's outcome goes through, the single delete and its
/// dialog, bulk runs (and resuming one after a new sign-in), the bulk bar and progress.
#[component]
pub(super) fn Changes(deps: ChangesDeps) -> impl IntoView {
    let ChangesDeps {
        slot,
        state,
        service,
        tasks,
        events,
        refresh,
    } = deps;
    let PanelState {
        files,
        selection,
        states,
        confirm,
        outcomes,
        trail,
        sign_in_needed,
        run_active,
        budget_until,
        view_only,
        ..
    } = state;
    let drift_tasks = tasks.clone();
    let sync_tasks = tasks.clone();
    let sync_refresh = refresh.clone();
    let drift_tenant = service.session().tenant();
    // The panel's Activity button (`data-activity`): its count and `aria-expanded` are kept
    // by the Activity section.
    let activity_button = slot
        .parent_element()
        .and_then(|p| p.query_selector("button[data-activity]").ok().flatten());
    let set_budget_until = budget_until;
    // For the uploads (below), before the deletes take these.
    let upload_service = service.clone();
    let upload_tasks = tasks.clone();
    let upload_refresh = refresh.clone();
    let upload_events = events.clone();
    // Every change of a file, from a single delete or a bulk run, goes through here: its row,
    // its outcome line (a bulk run announces only what did not go as asked; its summary says
    // the rest) and the event to the portal.
    // A 403 to a change: the role is missing (no token says so), so the panel turns view-only
    // until "Check again", rather than ask a reader to confirm more changes that cannot be.
    let forbidden = move |ended: &FileOutcome| {
        if matches!(
            ended,
            FileOutcome::Failed(OpError::Api(ApiError::Forbidden(_)))
        ) {
            view_only.set(Some(ViewOnly::Forbidden));
        }
    };
    let report_refresh = refresh.clone();
    let report_service = service.clone();
    let file_report = Rc::new(
        move |name: &str, sha256: &str, state: FileState, bulk: bool| {
            let note = match &state {
                FileState::InFlight(_) => None,
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
                    forbidden(ended);
                    match ended {
                        FileOutcome::NotFound if !bulk => report_refresh(),
                        FileOutcome::Failed(e) if !bulk && e.needs_sign_in() => {
                            sign_in_needed.set(true)
                        }
                        _ => {}
                    }
                    (!bulk || !matches!(ended, FileOutcome::Deleted)).then(|| {
                        let (tone, text) = file_outcome_text(name, ended);
                        (tone, text, false)
                    })
                }
            };
            states.update(|s| s.insert(name, state));
            if let Some((tone, text, cancelable)) = note {
                announce(
                    outcomes,
                    Notice {
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
        states.update(|s| s.insert(&name, FileState::InFlight(cancel.clone())));
        let file_report = single_report.clone();
        delete_tasks.spawn(async move {
            let on_budget = move |w| set_budget_until.set(w);
            let report = |state: FileState| file_report(&name, &sha256, state, false);
            workflow::delete_file(&svc, &BrowserClock, &name, &cancel, &report, &on_budget).await;
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
                    r.eta_ms = workflow::run::eta_ms(svc.eta_ms(left), p.done, elapsed, left);
                    r.state = state;
                }
            });
        }
    });
    let (upload_start_run, upload_run_report) = (start_run.clone(), run_report.clone());
    let delete_run_service = service.clone();
    let delete_run_tasks = tasks.clone();
    let delete_run_refresh = refresh.clone();
    let apply_file_report = file_report.clone();
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
            let report_file = |name: &str, state: FileState| {
                let sha = shas.get(name).map_or("", String::as_str);
                file_report(name, sha, state, true);
            };
            let files = Files {
                kind: Kind::Delete,
                names: &names,
                call: &svc,
            };
            let progress = paced(files, &control, &report_file, &report, budget_until).await;
            if progress.not_found > 0 || progress.unconfirmed > 0 {
                refresh();
            }
        });
    });
    // What an upload's file reports, in an upload run or an apply: its progress and outcome
    // in its outcome line, its record in the trail and to the portal. `then` hears how it
    // ended, in the record's words.
    let upload_report = Rc::new(
        move |uploads: &Uploads, name: &str, state: FileState, then: &dyn Fn(&'static str)| {
            let (tone, text) = match &state {
                FileState::InFlight(_) => (Tone::Progress, format!("Uploading {name}…")),
                FileState::Waiting { seconds_left, .. } => (
                    Tone::Progress,
                    rate_limited_text(Kind::Upload, name, *seconds_left),
                ),
                FileState::Done(ended) => {
                    forbidden(ended);
                    let (before, after) = uploads.shas(name);
                    let record = Activity::uploaded(now_iso(), name, before, after, ended)
                        .by(uploads.svc.session().account_name());
                    upload_events.emit(&record);
                    then(record.outcome);
                    trail.update(|t| t.push(record));
                    upload_outcome(name, ended)
                }
            };
            line(outcomes, name, tone, text);
        },
    );
    let uploads_for = {
        let svc = upload_service.clone();
        move |queue: Rc<Vec<Upload>>| Uploads {
            svc: svc.clone(),
            queue,
            files,
            outcomes,
            shas: Default::default(),
            reload: Default::default(),
        }
    };
    // Uploads: the same run as a bulk delete (rate gate, pause, cancel, a new sign-in, the
    // summary); each file's progress and outcome in its outcome line, its record in the trail.
    let (report_upload, new_uploads) = (upload_report.clone(), uploads_for.clone());
    let (apply_start_run, apply_run_report) = (upload_start_run.clone(), upload_run_report.clone());
    let (apply_tasks, apply_refresh) = (upload_tasks.clone(), upload_refresh.clone());
    let start_upload = UnsyncCallback::new(move |queue: Vec<Upload>| {
        let names: Vec<String> = queue.iter().map(|u| u.file_name.clone()).collect();
        let queue = Rc::new(queue);
        let Some(control) = upload_start_run(Kind::Upload, names.clone(), queue.clone()) else {
            return;
        };
        let uploads = new_uploads(queue);
        let refresh = upload_refresh.clone();
        let upload_report = report_upload.clone();
        let report = upload_run_report(crate::clock::now_ms());
        upload_tasks.spawn(async move {
            let report_file =
                |name: &str, state: FileState| upload_report(&uploads, name, state, &|_| {});
            let files = Files {
                kind: Kind::Upload,
                names: &names,
                call: &uploads,
            };
            paced(files, &control, &report_file, &report, budget_until).await;
            // Some tenants answer an empty 200: the list is read again, once the run is done
            // (a reload racing the next upload's merge would drop it).
            if uploads.reload.get() {
                refresh();
            }
        });
    });
    // Applying a plan: its uploads, then its ticked removals, in one run; each file reported
    // as an upload's or a delete's is, and its end told to the plan for its report.
    let last_apply = StoredValue::new_local(None::<ApplyRequest>);
    let start_apply = UnsyncCallback::new(move |req: ApplyRequest| {
        let names = req.names();
        let queue = Rc::new(req.uploads.clone());
        let Some(control) = apply_start_run(Kind::Apply, names.clone(), queue.clone()) else {
            return;
        };
        let mut removals = NameMap::default();
        for (name, sha) in &req.removals {
            removals.insert(name, sha.clone());
        }
        let call = ApplyCall {
            uploads: uploads_for(queue),
            removals,
        };
        let on_ended = req.on_ended.clone();
        last_apply.set_value(Some(req));
        let (upload_report, file_report) = (upload_report.clone(), apply_file_report.clone());
        let refresh = apply_refresh.clone();
        let report = apply_run_report(crate::clock::now_ms());
        apply_tasks.spawn(async move {
            let report_file = |name: &str, state: FileState| match call.removals.get(name) {
                Some(sha) => {
                    if let FileState::Done(ended) = &state {
                        on_ended(
                            name,
                            Activity::deleted(String::new(), name, None, ended).outcome,
                        );
                    }
                    file_report(name, sha, state, true);
                }
                None => upload_report(&call.uploads, name, state, &|word| on_ended(name, word)),
            };
            let files = Files {
                kind: Kind::Apply,
                names: &names,
                call: &call,
            };
            let progress = paced(files, &control, &report_file, &report, budget_until).await;
            if call.uploads.reload.get() || progress.not_found > 0 || progress.unconfirmed > 0 {
                refresh();
            }
        });
    });
    // Retry failed: the same kind of run over the files that failed.
    let apply_again = start_apply;
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
        Kind::Apply => {
            if let Some(again) = last_apply.with_value(|a| a.as_ref().map(|a| a.only(&names))) {
                apply_again.run(again);
            }
        }
    });
    // Signed in again (through a popup, the page kept): a run waiting for it goes on.
    Effect::new(move |_| {
        if !sign_in_needed.get() {
            run.with_untracked(|r| {
                if let Some(r) = r.as_ref().filter(|r| r.control.awaiting_sign_in()) {
                    r.control.signed_in();
                }
            });
        }
    });
    // Shown in the shell: "Sign in again" keeps the page (a popup) while a run is going on.
    let busy = Memo::new(move |_| run.with(|r| r.as_ref().is_some_and(BulkRun::is_active)));
    Effect::new(move |_| run_active.set(busy.get()));

    let note_refresh = refresh.clone();
    view! {
        <ViewOnlyNote state=state refresh=note_refresh/>
        <BulkBar state=state run=run on_start=start_bulk/>
        <BulkProgress run=run on_retry=retry/>
        <ConfirmDelete target=confirm on_confirm=run_delete/>
        <ActivityTrail state=state toggle=activity_button/>
        <UploadDialog state=state busy=busy on_upload=start_upload/>
        <DriftCheck state=state tasks=drift_tasks tenant=drift_tenant.clone()/>
        <FolderPlan state=state tasks=sync_tasks tenant=drift_tenant busy=busy on_apply=start_apply refresh=sync_refresh/>
    }
}

/// Announces `text` in `name`'s outcome line.
pub(super) fn line(outcomes: RwSignal<Vec<Notice>>, name: &str, tone: Tone, text: String) {
    announce(
        outcomes,
        Notice {
            file: name.to_string(),
            tone,
            text,
            cancelable: false,
        },
    );
}

/// A run as the page runs it: on the browser's clock, the rate gate's waits shown, and
/// leaving the page asked about first (it would drop the rest of the run).
async fn paced(
    files: Files<'_>,
    control: &RunControl,
    report_file: &dyn Fn(&str, FileState),
    report: &dyn Fn(&Progress, RunState),
    budget_until: RwSignal<Option<u64>>,
) -> Progress {
    let _leave = browser::LeaveWarning::new();
    let on_budget = move |w| budget_until.set(w);
    let files = workflow::run::run_all(
        files,
        &BrowserClock,
        control,
        report_file,
        report,
        &on_budget,
    );
    files.await.0
}
