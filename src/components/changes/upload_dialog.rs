//! The Upload dialog, written with `view!`.

use leptos::callback::UnsyncCallback;
use leptos::html;
use leptos::prelude::*;

use crate::api::Upload;
use crate::js;
use crate::upload;
use crate::wording::upload_problem;

use super::*;

/// The Upload dialog: pick or drop files, the form's fields, every file checked before
/// anything is sent (each problem named beside its file), then **Upload**.
#[component]
pub(super) fn UploadDialog(
    /// The panel's signals.
    state: PanelState,
    /// While a run (bulk delete or uploads) goes on: uploads wait for it.
    busy: Memo<bool>,
    /// Uploads these, one after the other.
    on_upload: UnsyncCallback<Vec<Upload>>,
) -> impl IntoView {
    // Whether it is open, and the list as loaded (names already taken).
    let PanelState {
        show_upload: shown,
        files,
        ..
    } = state;
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
