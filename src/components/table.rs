//! The library table: sortable headers and windowed rows, so 10,000 entries scroll smoothly.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use mde_wire::LibraryFile;

use crate::browser;
use crate::listing::{file_type, fold_all, short_sha, view_indices, Sort, SortKey};
use crate::perf;

/// Height of one row in pixels; the stylesheet fixes rows to it so the window math holds.
pub const ROW_HEIGHT: f64 = 44.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 12;
/// Visible height assumed before the first measurement.
const DEFAULT_VIEWPORT: f64 = 640.0;

/// The list of library files with sort, filter and per-row Delete buttons.
#[component]
pub fn LibraryTable(
    /// Every file loaded.
    files: Arc<Vec<LibraryFile>>,
    /// Filter text (name, description, creator).
    #[prop(into)]
    filter: Signal<String>,
    /// Sort column and direction.
    sort: RwSignal<Sort>,
    /// Names deleted since the load; hidden without a reload.
    removed: RwSignal<HashSet<String>>,
    /// Names with a delete in flight.
    pending: RwSignal<HashSet<String>>,
    /// Set to the file whose Delete button was pressed.
    confirm: RwSignal<Option<LibraryFile>>,
) -> impl IntoView {
    let loaded = files.len();
    // Deleted names were all in this load, so the total shrinks with them.
    let total = move || loaded.saturating_sub(removed.with(HashSet::len));
    let data = files.clone();
    let folded = fold_all(&files);
    let rows = Memo::new(move |_| {
        let removed = removed.get();
        let idx = view_indices(&data, &folded, &filter.get(), sort.get());
        if removed.is_empty() {
            idx
        } else {
            idx.into_iter()
                .filter(|&i| !removed.contains(&data[i].file_name))
                .collect()
        }
    });
    let (scroll_top, set_scroll_top) = signal(0.0f64);
    let (viewport, set_viewport) = signal(DEFAULT_VIEWPORT);
    let scroller = NodeRef::<html::Div>::new();
    let measure = move || {
        if let Some(el) = scroller.get() {
            set_scroll_top.set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 {
                set_viewport.set(h);
            }
        }
    };
    scroller.on_load(move |_| measure());
    let window = Memo::new(move |_| {
        let n = rows.with(Vec::len);
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (viewport.get() / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        let start = first.min(n);
        (start, (start + count).min(n))
    });
    let (copied, set_copied) = signal(None::<String>);
    let names = files.clone();
    // (index, busy, copied) is the row's key: the index names the file within this load, and
    // a change to either flag rebuilds just that row. The position is not in the key, so a
    // scroll or a filter keeps the rows that stay in view and builds only the new ones.
    let visible = move || {
        let (start, end) = window.get();
        let copied = copied.get();
        pending.with(|busy| {
            rows.with(|r| {
                r[start..end]
                    .iter()
                    .map(|&i| {
                        let name = &names[i].file_name;
                        (i, busy.contains(name), copied.as_ref() == Some(name))
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    // 1-based row number for `aria-rowindex`; the header row is 1.
    let row_index = move |i: usize| {
        let (start, end) = window.get();
        rows.with(|r| r[start..end].iter().position(|&x| x == i))
            .map_or(0, |k| start + k + 2)
    };
    let top_pad = move || format!("{}px", window.get().0 * ROW_HEIGHT as usize);
    let bottom_pad = move || {
        let n = rows.with(Vec::len);
        format!("{}px", (n - window.get().1) * ROW_HEIGHT as usize)
    };
    let shown = move || rows.with(Vec::len);

    let header = move |key: SortKey| {
        let aria = move || {
            let s = sort.get();
            if s.key != key {
                "none"
            } else if s.ascending {
                "ascending"
            } else {
                "descending"
            }
        };
        let arrow = move || match aria() {
            "ascending" => "▲",
            "descending" => "▼",
            _ => "",
        };
        view! {
            <th scope="col" aria-sort=aria class=key.class()>
                <button type="button" class="sort" on:click=move |_| {
                    perf::measure_to_next_paint("mde:sort", "mde:sort-start");
                    sort.update(|s| *s = s.clicked(key));
                }>
                    {key.label()}
                    <span class="arrow" aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };

    view! {
        <p class="count" aria-live="polite">
            {move || {
                let (n, total) = (shown(), total());
                if n == total {
                    format!("{total} files")
                } else {
                    format!("Showing {n} of {total} files")
                }
            }}
        </p>
        <div class="table-scroll" node_ref=scroller on:scroll=move |_| measure()>
            <table class="library" aria-label="Live response library" aria-rowcount=move || shown() + 1>
                <thead>
                    <tr aria-rowindex="1">
                        {SortKey::ALL.into_iter().map(header).collect_view()}
                        <th scope="col" class="col-actions">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true" style:height=top_pad></tr>
                    <For
                        each=visible
                        key=|row| *row
                        children=move |(i, busy, copied)| {
                            let f = files[i].clone();
                            let pos = Signal::derive(move || row_index(i));
                            view! { <Row file=f pos=pos busy=busy copied=copied confirm=confirm set_copied=set_copied/> }
                        }
                    />
                    <tr class="spacer" aria-hidden="true" style:height=bottom_pad></tr>
                </tbody>
            </table>
            <Show when=move || shown() == 0>
                <p class="empty">
                    {move || if total() == 0 {
                        "The library is empty."
                    } else {
                        "No file matches the filter."
                    }}
                </p>
            </Show>
        </div>
    }
}

/// Local time as text with the full UTC time on hover.
fn time_cell(iso: &str) -> impl IntoView {
    let (local, utc) =
        browser::local_and_utc(iso).unwrap_or_else(|| (iso.to_string(), iso.to_string()));
    view! { <td><time datetime=iso.to_string() title=utc>{local}</time></td> }
}

/// One row. Only its row number is reactive: when its file becomes busy or its hash is
/// copied, the `For` key changes and the row is rebuilt, which keeps the wasm smaller.
#[component]
fn Row(
    file: LibraryFile,
    pos: Signal<usize>,
    busy: bool,
    copied: bool,
    confirm: RwSignal<Option<LibraryFile>>,
    set_copied: WriteSignal<Option<String>>,
) -> impl IntoView {
    let name = file.file_name.clone();
    let sha = file.sha256.clone();
    let copy_name = name.clone();
    let on_copy = move |_| {
        let sha = sha.clone();
        let n = copy_name.clone();
        spawn_local(async move {
            if browser::copy_text(&sha).await.is_ok() {
                set_copied.set(Some(n));
            }
        });
    };
    let params = match (file.has_parameters, file.parameters_description.as_deref()) {
        (true, Some(d)) if !d.is_empty() => format!("Yes: {d}"),
        (true, _) => "Yes".to_string(),
        (false, Some(d)) if !d.is_empty() => format!("No ({d})"),
        (false, _) => "No".to_string(),
    };
    let description = file.description.clone().unwrap_or_default();
    let created_by = file.created_by.clone().unwrap_or_default();
    let kind = file_type(&file.file_name);
    let short = short_sha(&file.sha256).to_string();
    let open = file.clone();
    view! {
        <tr aria-rowindex=pos class:pending=busy>
            <th scope="row" class="name" title=name.clone()>{name.clone()}</th>
            <td class="type">{kind}</td>
            <td class="description" title=description.clone()>{description.clone()}</td>
            <td class="params" title=params.clone()>{params.clone()}</td>
            <td class="created-by" title=created_by.clone()>{created_by.clone()}</td>
            {time_cell(&file.creation_time)}
            {time_cell(&file.last_updated_time)}
            <td class="sha">
                <code title=file.sha256.clone()>{short}</code>
                <button type="button" class="copy" aria-label=format!("Copy SHA-256 of {name}") on:click=on_copy>
                    {if copied { "Copied" } else { "Copy" }}
                </button>
            </td>
            <td class="actions">
                <button
                    type="button"
                    class="delete"
                    aria-label=format!("Delete {name}")
                    disabled=busy
                    aria-busy=busy.to_string()
                    on:click=move |_| confirm.set(Some(open.clone()))
                >
                    {if busy { "Deleting…" } else { "Delete" }}
                </button>
            </td>
        </tr>
    }
}
