//! Planning from a folder (the library as code): the person picks a folder (the directory
//! picker where the browser has one, a `webkitdirectory` input, or files dropped); its files
//! are read and hashed one at a time (WebCrypto), its `library.json` read, the list reloaded
//! if it is older than [`FRESH_MS`], and the plan shown before anything is sent: counts per
//! kind, a filter by kind, each file with why, removals to tick, and the report to download.
//! **Apply** sends it through the controller's run (typed confirmation first when anything is
//! overwritten or deleted); each file's end comes back into its row and the report.
//! Subfolders do not count: the library's names are flat, so their files are counted and left
//! out. Written with `view!`; everything shown is text.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::callback::UnsyncCallback;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use mde_wire::LibraryFile;

use super::{ApplyRequest, PanelState};
use crate::api::Upload;
use crate::browser;
use crate::clock::Clock;
use crate::js;
use crate::names::NameMap;
use crate::sync::apply::{self, Step, Summary};
use crate::sync::manifest::Manifest;
use crate::sync::plan::{plan, FolderFile, Kind, Plan, Refusal};
use crate::sync::report::Report;
use crate::tasks::TaskScope;
use crate::upload::Problem;

/// The manifest's name in the folder.
const MANIFEST: &str = "library.json";

/// A list loaded longer ago than this is read again before a plan is made from it: a plan
/// against a stale list would upload over, or offer to remove, what someone else changed.
const FRESH_MS: u64 = 3 * 60 * 1000;

/// How long a reload before planning may take before planning gives up.
const RELOAD_WAIT_MS: u64 = 30_000;

/// Rows drawn at most: a folder of 10,000 files is planned whole (the report lists every
/// file), but drawing 10,000 rows would stall the page.
const SHOWN_ROWS: usize = 500;

/// Where planning stands.
#[derive(Clone)]
enum Stage {
    /// Nothing picked yet.
    Idle,
    /// Reading and hashing: done so far, of how many.
    Hashing(usize, usize),
    /// Reading the list again before planning (it was older than [`FRESH_MS`]).
    Reloading,
    /// Stopped by the person, or a file could not be read: why.
    Stopped(String),
    /// The plan, with what the folder held besides.
    Planned(Arc<Planned>),
}

/// A finished plan, what it left aside, and what applying it needs.
struct Planned {
    plan: Plan,
    /// Files in subfolders, not counted.
    in_subfolders: usize,
    /// Subfolders not looked into (the directory picker's).
    subfolders: usize,
    /// Manifest members the panel does not know, ignored.
    unknown_members: usize,
    /// The manifest, for the uploads' metadata.
    manifest: Option<Manifest>,
    /// The list the plan was made against.
    library: Vec<LibraryFile>,
}

/// What the folder picked holds, before hashing.
struct Picked {
    /// Top-level files (the manifest among them).
    files: Vec<wasm_bindgen::JsValue>,
    /// Files in subfolders (the `webkitdirectory` input lists them).
    in_subfolders: usize,
    /// Subfolders (the directory picker does not look into them).
    subfolders: usize,
}

/// Awaits `target[method](...args)` when it is a promise.
async fn awaited(target: &wasm_bindgen::JsValue, method: &str) -> Option<wasm_bindgen::JsValue> {
    JsFuture::from(js_sys::Promise::from(js::call(target, method, &[]).ok()?))
        .await
        .ok()
}

/// The folder the directory picker gives: its files, and how many subfolders it has. `None`
/// when the person closed the picker (or it failed).
async fn pick_directory() -> Option<Picked> {
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let dir = awaited(&window, "showDirectoryPicker").await?;
    let entries = js::call(&dir, "values", &[]).ok()?;
    let mut picked = Picked {
        files: Vec::new(),
        in_subfolders: 0,
        subfolders: 0,
    };
    loop {
        let next = awaited(&entries, "next").await?;
        if js::get(&next, "done").is_truthy() {
            return Some(picked);
        }
        let entry = js::get(&next, "value");
        if js::get(&entry, "kind").as_string().as_deref() == Some("file") {
            picked.files.push(awaited(&entry, "getFile").await?);
        } else {
            picked.subfolders += 1;
        }
    }
}

/// The hex SHA-256 of a `File`'s bytes.
async fn sha256_hex(file: &wasm_bindgen::JsValue) -> Option<String> {
    let buf = JsFuture::from(js_sys::Promise::from(
        js::call(file, "arrayBuffer", &[]).ok()?,
    ))
    .await
    .ok()?;
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let digest = subtle
        .digest_with_str_and_buffer_source("SHA-256", buf.unchecked_ref())
        .ok()?;
    let bytes = js_sys::Uint8Array::new(&JsFuture::from(digest).await.ok()?).to_vec();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    Some(
        bytes
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
            .map(char::from)
            .collect(),
    )
}

/// A file's text.
async fn text_of(file: &wasm_bindgen::JsValue) -> Option<String> {
    awaited(file, "text").await?.as_string()
}

/// What a row says: its kind, and why.
fn row_text(kind: &Kind) -> &'static str {
    match kind {
        Kind::New => "new: not in the library, uploaded",
        Kind::Changed {
            content: true,
            metadata: true,
        } => "changed: other content and other description or parameters, uploaded over it",
        Kind::Changed { content: true, .. } => "changed: other content (SHA-256), uploaded over it",
        Kind::Changed { .. } => "changed: other description or parameters, uploaded over it",
        Kind::Unchanged => "unchanged: nothing is sent",
        Kind::OnlyInLibrary { may_remove: true } => {
            "only in the library: library.json allows its removal; tick to remove it"
        }
        Kind::OnlyInLibrary { may_remove: false } => "only in the library: kept",
    }
}

/// Why a file is left out.
fn refusal_text(why: &Refusal) -> String {
    match why {
        Refusal::Upload(Problem::Name { suggested }) => {
            format!("left out: the library refuses this name (as {suggested} it would take it)")
        }
        Refusal::Upload(Problem::TooLarge) => "left out: over the library's 20 MB".into(),
        Refusal::Upload(Problem::Empty) => "left out: empty".into(),
        Refusal::Upload(Problem::Exists) => "left out: already in the library".into(),
        Refusal::SameName(other) => format!("left out: {other} has the same name ignoring case"),
        Refusal::NoFile => "left out: in library.json, but not in the folder".into(),
        Refusal::Manifest(p) => format!("left out: its library.json entry: {p}"),
    }
}

/// What an apply will do, as its button and confirmation say it.
fn apply_text(s: &Summary) -> String {
    format!(
        "Applying uploads {} new, overwrites {} and deletes {} in the library.",
        s.added, s.overwritten, s.removed
    )
}

/// The section: pick a folder, see the plan, apply it.
#[component]
pub(super) fn FolderPlan(
    /// The panel's signals.
    state: PanelState,
    /// Reading and hashing end with the panel.
    tasks: TaskScope,
    /// The signed-in tenant, for the report.
    tenant: Option<String>,
    /// A run is going on: Apply waits for it.
    busy: Memo<bool>,
    /// Sends the plan through the controller's run.
    on_apply: UnsyncCallback<ApplyRequest>,
    /// Reads the list again.
    refresh: Rc<dyn Fn()>,
) -> impl IntoView {
    let PanelState {
        files,
        show_sync: shown,
        view_only,
        ..
    } = state;
    let stage = RwSignal::new_local(Stage::Idle);
    // A folder picker: `webkitdirectory`, which `view!` has no attribute for.
    let picker = NodeRef::<leptos::html::Input>::new();
    picker.on_load(|el| {
        let _ = el.set_attribute("webkitdirectory", "");
    });
    let has_directory_picker =
        web_sys::window().is_some_and(|w| js::get(&w, "showDirectoryPicker").is_function());
    let stop = Arc::new(AtomicBool::new(false));
    let filter = RwSignal::new(String::from("all"));
    // The removals ticked, each file's end once applied, the names the last apply sent.
    let ticked = RwSignal::new(Vec::<String>::new());
    let ended = RwSignal::new(NameMap::<&'static str>::default());
    let sent = RwSignal::new(None::<Vec<String>>);
    let confirming = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    // When the list last changed while this section was there: a list loaded before (time
    // unknown) counts as stale, so the first plan reads it again.
    let list_seen = StoredValue::new((0u32, 0u64));
    Effect::new(move |first: Option<()>| {
        files.track();
        if first.is_some() {
            list_seen.update_value(|(n, at)| {
                *n += 1;
                *at = crate::clock::now_ms();
            });
        }
    });
    // Each planned file's `File`, a handle (its bytes are read again when it is sent): kept
    // beside the plan, which is `Send` for the views and a `File` is not.
    let handles = StoredValue::new_local(NameMap::<(wasm_bindgen::JsValue, u64)>::default());
    let stop_pick = stop.clone();
    let pick_tasks = tasks.clone();
    // The folder's files, hashed one at a time, then planned against the list as loaded now.
    let plan_picked = move |picked: Picked| {
        stop_pick.store(false, Ordering::Relaxed);
        let stop = stop_pick.clone();
        let refresh = refresh.clone();
        ticked.set(Vec::new());
        ended.set(NameMap::default());
        sent.set(None);
        confirming.set(false);
        tasks.spawn(async move {
            let name =
                |f: &wasm_bindgen::JsValue| js::get(f, "name").as_string().unwrap_or_default();
            let mut manifest = None;
            let mut scripts = Vec::new();
            for f in picked.files {
                if name(&f) == MANIFEST {
                    match text_of(&f).await.map(|t| Manifest::parse(&t)) {
                        Some(Ok(m)) => manifest = Some(m),
                        Some(Err(e)) => return stage.set(Stage::Stopped(e.to_string())),
                        None => {
                            return stage
                                .set(Stage::Stopped("library.json could not be read.".into()))
                        }
                    }
                } else {
                    scripts.push(f);
                }
            }
            let total = scripts.len();
            let mut folder = Vec::with_capacity(total);
            let mut picked_handles = NameMap::default();
            for (i, f) in scripts.iter().enumerate() {
                if stop.load(Ordering::Relaxed) {
                    return stage.set(Stage::Stopped(format!(
                        "Stopped after hashing {i} of {total} files; nothing was planned or sent."
                    )));
                }
                stage.set(Stage::Hashing(i, total));
                let Some(sha256) = sha256_hex(f).await else {
                    return stage.set(Stage::Stopped(format!("{} could not be read.", name(f))));
                };
                let size = js::get(f, "size").as_f64().unwrap_or(0.0) as u64;
                picked_handles.insert(&name(f), (f.clone(), size));
                folder.push(FolderFile {
                    name: name(f),
                    size,
                    sha256,
                });
            }
            // Hashing can take minutes: the plan is made from the list as it is now.
            let (seen, at) = list_seen.get_value();
            if crate::clock::now_ms().saturating_sub(at) > FRESH_MS {
                stage.set(Stage::Reloading);
                refresh();
                let clock = crate::clock::BrowserClock;
                let mut waited = 0;
                while list_seen.get_value().0 == seen {
                    if waited >= RELOAD_WAIT_MS {
                        return stage.set(Stage::Stopped(
                            "The library's list could not be read again, so nothing was planned; Refresh, then pick the folder again.".into(),
                        ));
                    }
                    clock.sleep(100).await;
                    waited += 100;
                }
            }
            let library = files.with_untracked(|l| {
                l.as_ref()
                    .map(|(l, _)| l.as_ref().clone())
                    .unwrap_or_default()
            });
            let unknown_members = manifest.as_ref().map_or(0, |m| m.unknown_members);
            handles.set_value(picked_handles);
            stage.set(Stage::Planned(Arc::new(Planned {
                plan: plan(&folder, manifest.as_ref(), &library),
                in_subfolders: picked.in_subfolders,
                subfolders: picked.subfolders,
                unknown_members,
                manifest,
                library,
            })));
        });
    };
    // A `FileList` picked (a folder) or dropped (its files: a drop carries no folder, so
    // every file counts as top-level).
    let plan_list = {
        let plan_picked = plan_picked.clone();
        move |list: wasm_bindgen::JsValue| {
            let n = js::get(&list, "length").as_f64().unwrap_or(0.0) as u32;
            // Top-level files only: "folder/x.ps1" counts, "folder/sub/x.ps1" does not.
            let depth = |f: &wasm_bindgen::JsValue| {
                let path = js::get(f, "webkitRelativePath")
                    .as_string()
                    .unwrap_or_default();
                path.matches('/').count()
            };
            let (files, nested): (Vec<_>, Vec<_>) = (0..n)
                .filter_map(|i| js_sys::Reflect::get_u32(&list, i).ok())
                .partition(|f| depth(f) <= 1);
            plan_picked(Picked {
                files,
                in_subfolders: nested.len(),
                subfolders: 0,
            });
        }
    };
    let on_pick = {
        let plan_list = plan_list.clone();
        move |ev: web_sys::Event| {
            plan_list(js::get(
                &ev.target().map(Into::into).unwrap_or_default(),
                "files",
            ))
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        plan_list(js::get(&js::get(&ev, "dataTransfer"), "files"));
    };
    let choose = move |_| {
        let plan_picked = plan_picked.clone();
        pick_tasks.spawn(async move {
            // Closing the picker is not an error: nothing changes.
            if let Some(picked) = pick_directory().await {
                plan_picked(picked);
            }
        });
    };
    // What Apply would send now, and its counts.
    let steps = move |p: &Planned| {
        ticked.with(|t| apply::steps(&p.plan, p.manifest.as_ref(), &p.library, t))
    };
    let apply_now = move |p: Arc<Planned>| {
        let (steps, _) = steps(&p);
        let mut uploads = Vec::new();
        let mut removals = Vec::new();
        for step in steps {
            match step {
                Step::Upload(u) => {
                    let Some((file, size)) = handles.with_value(|h| h.get(&u.name).cloned()) else {
                        continue;
                    };
                    uploads.push(Upload {
                        file,
                        size,
                        file_name: u.name,
                        description: u.description,
                        has_parameters: u.has_parameters,
                        parameters_description: u.parameters_description,
                        overwrite: u.overwrite,
                    });
                }
                Step::Remove(name) => {
                    let sha = p
                        .plan
                        .rows
                        .iter()
                        .find(|r| r.name == name)
                        .and_then(|r| r.library_sha256.clone())
                        .unwrap_or_default();
                    removals.push((name, sha));
                }
            }
        }
        let req = ApplyRequest {
            uploads,
            removals,
            on_ended: Rc::new(move |name: &str, word| ended.update(|e| e.insert(name, word))),
        };
        sent.set(Some(req.names()));
        confirming.set(false);
        typed.set(String::new());
        on_apply.run(req);
    };
    let stop_click = stop.clone();
    let report_tenant = tenant.clone();
    let download = move |json: bool| {
        if let Stage::Planned(p) = stage.get_untracked() {
            let mut r = Report::of_plan(&p.plan, report_tenant.clone(), crate::activity::now_iso());
            let applied = sent.get_untracked();
            if let Some(names) = &applied {
                let ends = ended.get_untracked();
                r = r.with_run(|n| ends.get(n).copied(), |n| names.iter().any(|s| s == n));
            }
            let base = if applied.is_some() {
                "library-apply"
            } else {
                "library-plan"
            };
            let _ = if json {
                browser::download(&format!("{base}.json"), "application/json", &r.to_json())
            } else {
                let name = format!("{base}.csv");
                browser::download(&name, "text/csv;charset=utf-8", &r.to_csv())
            };
        }
    };
    let download_csv = download.clone();
    view! {
        <section
            class="drift sync"
            aria-labelledby="sync-title"
            hidden=move || !shown.get()
            on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
            on:drop=on_drop
        >
            <h3 id="sync-title">"Plan from a folder"</h3>
            <p>"Pick the folder the library should match (its library.json too). Files are read and hashed here, one at a time; nothing is sent until you apply the plan. Files in subfolders do not count: the library's names are flat."</p>
            {has_directory_picker.then(|| view! {
                <button type="button" on:click=choose.clone()>"Choose a folder…"</button>
            })}
            <label>
                "Folder (or drop its files here)"
                <input type="file" multiple node_ref=picker on:change=on_pick/>
            </label>
            {move || match stage.get() {
                Stage::Idle => None,
                Stage::Hashing(i, n) => {
                    let stop = stop_click.clone();
                    Some(view! {
                        <div>
                            <progress max=n.to_string() value=i.to_string() aria-label="Hashing progress"></progress>
                            <p role="status">{format!("Hashing {} of {n}", i + 1)}</p>
                            <button type="button" on:click=move |_| stop.store(true, Ordering::Relaxed)>"Stop"</button>
                        </div>
                    }.into_any())
                }
                Stage::Reloading => Some(view! {
                    <p role="status">"Reading the library's list again: it is older than a few minutes."</p>
                }.into_any()),
                Stage::Stopped(why) => Some(view! { <p role="alert">{why}</p> }.into_any()),
                Stage::Planned(p) => {
                    let c = p.plan.counts();
                    let mut summary = format!(
                        "{} new, {} changed, {} unchanged, {} only in the library; {} left out.",
                        c.new, c.changed, c.unchanged, c.only_in_library, p.plan.refused.len()
                    );
                    let plural = |n: usize, one: &str, many: &str| {
                        format!("{n} {}", if n == 1 { one } else { many })
                    };
                    match p.in_subfolders {
                        0 => {}
                        1 => summary.push_str(" 1 file in a subfolder does not count."),
                        n => summary.push_str(&format!(" {n} files in subfolders do not count.")),
                    }
                    match p.subfolders {
                        0 => {}
                        1 => summary.push_str(" 1 subfolder does not count."),
                        n => summary.push_str(&format!(" {n} subfolders do not count.")),
                    }
                    if p.unknown_members > 0 {
                        let n = plural(p.unknown_members, "unknown member", "unknown members");
                        summary.push_str(&format!(" {n} of library.json ignored."));
                    }
                    let (json, csv) = (download.clone(), download_csv.clone());
                    let rows = p.clone();
                    let counted = p.clone();
                    let (to_apply, to_confirm) = (apply_now, apply_now);
                    let (applying, confirmed) = (p.clone(), p.clone());
                    // Follows the ticks (an effect: the plan is not `Send`, which a memo needs).
                    let shown_summary = RwSignal::new(Summary::default());
                    Effect::new(move |_| shown_summary.set(steps(&counted).1));
                    Some(view! {
                        <div>
                            <p role="status">{summary}</p>
                            <label>
                                "Show"
                                <select on:change:target=move |ev| filter.set(ev.target().value())>
                                    <option value="all">"all"</option>
                                    <option value="new">"new"</option>
                                    <option value="changed">"changed"</option>
                                    <option value="unchanged">"unchanged"</option>
                                    <option value="only">"only in the library"</option>
                                    <option value="refused">"left out"</option>
                                </select>
                            </label>
                            <ul class="drifted" aria-label="The plan">
                                {move || {
                                    let f = filter.get();
                                    let keep = |k: &Kind| match f.as_str() {
                                        "new" => matches!(k, Kind::New),
                                        "changed" => matches!(k, Kind::Changed { .. }),
                                        "unchanged" => matches!(k, Kind::Unchanged),
                                        "only" => matches!(k, Kind::OnlyInLibrary { .. }),
                                        "refused" => false,
                                        _ => true,
                                    };
                                    let ends = ended.get();
                                    let mut lines: Vec<(String, bool, String)> = rows
                                        .plan
                                        .rows
                                        .iter()
                                        .filter(|r| keep(&r.kind))
                                        .map(|r| {
                                            let mut text = format!("{}: {}", r.name, row_text(&r.kind));
                                            if let Some(word) = ends.get(&r.name) {
                                                text.push_str(&format!(" (applied: {word})"));
                                            }
                                            let removable = r.kind == (Kind::OnlyInLibrary { may_remove: true });
                                            (r.name.clone(), removable, text)
                                        })
                                        .collect();
                                    if f == "all" || f == "refused" {
                                        lines.extend(rows.plan.refused.iter().map(|(n, why)| (n.clone(), false, format!("{n}: {}", refusal_text(why)))));
                                    }
                                    let more = lines.len().saturating_sub(SHOWN_ROWS);
                                    lines.truncate(SHOWN_ROWS);
                                    let items = lines.into_iter().map(|(name, removable, text)| {
                                        if removable {
                                            let ticks = name.clone();
                                            view! {
                                                <li>
                                                    <label>
                                                        <input
                                                            type="checkbox"
                                                            prop:checked=move || ticked.with(|t| t.contains(&name))
                                                            on:change:target=move |ev| {
                                                                let on = ev.target().checked();
                                                                ticked.update(|t| {
                                                                    t.retain(|n| n != &ticks);
                                                                    if on {
                                                                        t.push(ticks.clone());
                                                                    }
                                                                });
                                                            }
                                                        />
                                                        {text}
                                                    </label>
                                                </li>
                                            }.into_any()
                                        } else {
                                            view! { <li>{text}</li> }.into_any()
                                        }
                                    }).collect_view();
                                    let more = (more > 0).then(|| view! {
                                        <li>{format!("… and {more} more: the report lists every file.")}</li>
                                    });
                                    (items, more)
                                }}
                            </ul>
                            <p>{move || if sent.get().is_some() {
                                "Applied. Pick the folder again for a plan against the library as it is now.".to_string()
                            } else {
                                apply_text(&shown_summary.get())
                            }}</p>
                            <div class="buttons">
                                <button
                                    type="button"
                                    class="danger"
                                    // Once applied, the plan describes a library that no longer is: a new
                                    // one is made from the folder picked again.
                                    disabled=move || busy.get() || shown_summary.get().total() == 0 || sent.get().is_some() || view_only.get().is_some()
                                    on:click=move |_| {
                                        if shown_summary.get_untracked().destructive() {
                                            typed.set(String::new());
                                            confirming.set(true);
                                        } else {
                                            to_apply(applying.clone());
                                        }
                                    }
                                >
                                    {move || format!("Apply the plan ({})", shown_summary.get().total())}
                                </button>
                                <button type="button" on:click=move |_| json(true)>{move || if sent.get().is_some() { "Download the report (JSON)" } else { "Download the plan (JSON)" }}</button>
                                <button type="button" on:click=move |_| csv(false)>{move || if sent.get().is_some() { "Download the report (CSV)" } else { "Download the plan (CSV)" }}</button>
                            </div>
                            <div role="group" aria-label="Confirm the apply" hidden=move || !confirming.get()>
                                <p>{move || {
                                    let s = shown_summary.get();
                                    format!("{} What is overwritten or deleted cannot be brought back from here.", apply_text(&s))
                                }}</p>
                                <label>
                                    {move || format!("Type {} to confirm", shown_summary.get().total())}
                                    <input
                                        type="text"
                                        inputmode="numeric"
                                        autocomplete="off"
                                        prop:value=move || typed.get()
                                        on:input:target=move |ev| typed.set(ev.target().value())
                                    />
                                </label>
                                <div class="buttons">
                                    <button
                                        type="button"
                                        class="danger"
                                        disabled=move || busy.get() || typed.get().trim() != shown_summary.get().total().to_string()
                                        on:click=move |_| to_confirm(confirmed.clone())
                                    >
                                        {move || format!("Apply {} changes", shown_summary.get().total())}
                                    </button>
                                    <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                                </div>
                            </div>
                        </div>
                    }.into_any())
                }
            }}
        </section>
    }
}
