//! Planning from a folder (the library as code): the person picks a folder; its files are
//! read and hashed one at a time (WebCrypto), its `library.json` read, and the plan against
//! the library as loaded is shown before anything is sent: counts per kind, a filter by kind,
//! each file with why, and the report to download. Subfolders do not count: the library's
//! names are flat, so their files are counted and left out. Written with `view!`; everything
//! shown is text.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::PanelState;
use crate::browser;
use crate::js;
use crate::sync::manifest::Manifest;
use crate::sync::plan::{plan, FolderFile, Kind, Plan, Refusal};
use crate::sync::report::Report;
use crate::tasks::TaskScope;
use crate::upload::Problem;

/// The manifest's name in the folder.
const MANIFEST: &str = "library.json";

/// Where planning stands.
#[derive(Clone)]
enum Stage {
    /// Nothing picked yet.
    Idle,
    /// Reading and hashing: done so far, of how many.
    Hashing(usize, usize),
    /// Stopped by the person, or a file could not be read: why.
    Stopped(String),
    /// The plan, with what the folder held besides.
    Planned(Arc<Planned>),
}

/// A finished plan and what it left aside.
struct Planned {
    plan: Plan,
    /// Files in subfolders, not counted.
    in_subfolders: usize,
    /// Manifest members the panel does not know, ignored.
    unknown_members: usize,
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
    JsFuture::from(js_sys::Promise::from(js::call(file, "text", &[]).ok()?))
        .await
        .ok()?
        .as_string()
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
            "only in the library: library.json allows its removal (not ticked)"
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

/// The section: pick a folder, see the plan.
#[component]
pub(super) fn FolderPlan(
    /// Reading and hashing end with the panel.
    tasks: TaskScope,
    /// The signed-in tenant, for the report.
    tenant: Option<String>,
) -> impl IntoView {
    let PanelState {
        files,
        show_sync: shown,
        ..
    } = PanelState::expect();
    let stage = RwSignal::new_local(Stage::Idle);
    // A folder picker: `webkitdirectory`, which `view!` has no attribute for.
    let picker = NodeRef::<leptos::html::Input>::new();
    picker.on_load(|el| {
        let _ = el.set_attribute("webkitdirectory", "");
    });
    let stop = Arc::new(AtomicBool::new(false));
    let filter = RwSignal::new(String::from("all"));
    let stop_pick = stop.clone();
    // A `FileList` picked (a folder) or dropped (its files: a drop carries no folder, so
    // every file counts as top-level).
    let plan_list = move |list: wasm_bindgen::JsValue| {
        let n = js::get(&list, "length").as_f64().unwrap_or(0.0) as u32;
        let picked: Vec<wasm_bindgen::JsValue> = (0..n)
            .filter_map(|i| js_sys::Reflect::get_u32(&list, i).ok())
            .collect();
        stop_pick.store(false, Ordering::Relaxed);
        let stop = stop_pick.clone();
        tasks.spawn(async move {
            // Top-level files only: "folder/x.ps1" counts, "folder/sub/x.ps1" does not.
            let depth = |f: &wasm_bindgen::JsValue| {
                let path = js::get(f, "webkitRelativePath")
                    .as_string()
                    .unwrap_or_default();
                path.matches('/').count()
            };
            let (top, nested): (Vec<_>, Vec<_>) = picked.into_iter().partition(|f| depth(f) <= 1);
            let name =
                |f: &wasm_bindgen::JsValue| js::get(f, "name").as_string().unwrap_or_default();
            let mut manifest = None;
            let mut scripts = Vec::new();
            for f in top {
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
                folder.push(FolderFile {
                    name: name(f),
                    size: js::get(f, "size").as_f64().unwrap_or(0.0) as u64,
                    sha256,
                });
            }
            let library = files.with_untracked(|l| {
                l.as_ref()
                    .map(|(l, _)| l.as_ref().clone())
                    .unwrap_or_default()
            });
            let unknown_members = manifest.as_ref().map_or(0, |m| m.unknown_members);
            stage.set(Stage::Planned(Arc::new(Planned {
                plan: plan(&folder, manifest.as_ref(), &library),
                in_subfolders: nested.len(),
                unknown_members,
            })));
        });
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
    let stop_click = stop.clone();
    let report_tenant = tenant.clone();
    let download = move |json: bool| {
        if let Stage::Planned(p) = stage.get_untracked() {
            let r = Report::of_plan(&p.plan, report_tenant.clone(), crate::activity::now_iso());
            let _ = if json {
                browser::download("library-plan.json", "application/json", &r.to_json())
            } else {
                browser::download("library-plan.csv", "text/csv;charset=utf-8", &r.to_csv())
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
            <p>"Pick the folder the library should match (its library.json too). Files are read and hashed here, one at a time; nothing is sent. Files in subfolders do not count: the library's names are flat."</p>
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
                    if p.unknown_members > 0 {
                        let n = plural(p.unknown_members, "unknown member", "unknown members");
                        summary.push_str(&format!(" {n} of library.json ignored."));
                    }
                    let (json, csv) = (download.clone(), download_csv.clone());
                    let rows = p.clone();
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
                                    let mut lines: Vec<String> = rows
                                        .plan
                                        .rows
                                        .iter()
                                        .filter(|r| keep(&r.kind))
                                        .map(|r| format!("{}: {}", r.name, row_text(&r.kind)))
                                        .collect();
                                    if f == "all" || f == "refused" {
                                        lines.extend(rows.plan.refused.iter().map(|(n, why)| format!("{n}: {}", refusal_text(why))));
                                    }
                                    lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()
                                }}
                            </ul>
                            <div class="buttons">
                                <button type="button" on:click=move |_| json(true)>"Download the plan (JSON)"</button>
                                <button type="button" on:click=move |_| csv(false)>"Download the plan (CSV)"</button>
                            </div>
                        </div>
                    }.into_any())
                }
            }}
        </section>
    }
}
