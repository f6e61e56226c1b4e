//! The library table: sortable headers and windowed rows, so 10,000 entries scroll smoothly.

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;

use crate::components::hooks::use_resize_observer;

use crate::names::NameMap;
use crate::workflow::FileState;
use mde_wire::LibraryFile;

use crate::browser;
use crate::components::rows::{self, Action, Rows};
use crate::listing::{filter_indices, fold_all, sorted_indices, Selection, Sort};
use crate::perf;
use crate::tasks::TaskScope;

/// Height of one row in pixels until the stylesheet says otherwise: rows are fixed to
/// `--mde-row-height` (44 px; 132 px when each row is a card on a narrow panel) so the
/// window maths hold, and the table reads it from the scroller.
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
    /// Entries of the list that could not be read, and so are not shown.
    #[prop(optional)]
    unreadable: usize,
    /// Filter text (name, description, creator).
    #[prop(into)]
    filter: Signal<String>,
    /// Sort column and direction.
    sort: RwSignal<Sort>,
    /// What is happening to the files acted on: deleted ones are hidden without a reload,
    /// busy ones have their Delete button disabled.
    states: RwSignal<NameMap<FileState>>,
    /// Set to the file whose Delete button was pressed.
    confirm: RwSignal<Option<LibraryFile>>,
    /// The files ticked for a bulk delete.
    selection: RwSignal<Selection>,
) -> impl IntoView {
    let loaded = files.len();
    // Deleted names were all in this load, so the total shrinks with them.
    // Names deleted since the load, in name order; a memo, so a countdown ticking in `states`
    // does not re-filter the list.
    let gone = Memo::new(move |_| {
        states.with(|s| {
            s.iter()
                .filter(|(_, st)| st.is_deleted())
                .map(|(n, _)| n.to_string())
                .collect::<Vec<_>>()
        })
    });
    let total = move || loaded.saturating_sub(gone.with(Vec::len));
    let data = files.clone();
    let folded = fold_all(&files);
    // Sorting is the costly part (timing T1, bench/size-leads.md): done when the sort changes,
    // and each filter keystroke only filters that order.
    let folded = Arc::new(folded);
    let sort_folded = folded.clone();
    let order = Memo::new(move |_| sorted_indices(&data, &sort_folded, sort.get()));
    let data = files.clone();
    let rows = Memo::new(move |_| {
        let idx = order.with(|o| filter_indices(o, &folded, &filter.get()));
        gone.with(|gone| {
            if gone.is_empty() {
                idx
            } else {
                idx.into_iter()
                    .filter(|&i| gone.binary_search(&data[i].file_name).is_err())
                    .collect()
            }
        })
    });
    let (scroll_top, set_scroll_top) = signal(0.0f64);
    let (viewport, set_viewport) = signal(DEFAULT_VIEWPORT);
    let scroller = NodeRef::<html::Div>::new();
    let (row_height, set_row_height) = signal(ROW_HEIGHT);
    // `full`: the row height and the visible height too, which change only on a load or a
    // resize. A scroll moves the window and nothing else: reading the computed style on
    // every scroll event forced a style recalculation in the frames of a fast scroll, and
    // many more frames ran over one frame (timing T2, bench/size-leads.md).
    let measure = move |full: bool| {
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        set_scroll_top.set(el.scroll_top() as f64);
        if !full {
            return;
        }
        let css = web_sys::window()
            .and_then(|w| w.get_computed_style(&el).ok().flatten())
            .and_then(|st| st.get_property_value("--mde-row-height").ok())
            // Whole pixels: parsing an f64 would pull Rust's float parser in (size lead L20).
            .and_then(|v| v.trim().trim_end_matches("px").parse::<u16>().ok())
            .filter(|h| *h >= 1)
            .map(f64::from);
        if let Some(h) = css {
            if h != row_height.get_untracked() {
                set_row_height.set(h);
            }
        }
        let h = el.client_height() as f64;
        if h > 0.0 {
            set_viewport.set(h);
        }
    };
    scroller.on_load(move |_| measure(true));
    // A narrow panel turns rows into cards of another height: measure again on resize.
    let watch = use_resize_observer(move || measure(true));
    scroller.on_load(move |el| {
        watch.with_value(|w| w.as_ref().map(|w| w.observe(&el)));
    });
    let window = Memo::new(move |_| {
        let n = rows.with(Vec::len);
        let h = row_height.get();
        let first = ((scroll_top.get() / h) as usize).saturating_sub(OVERSCAN);
        let count = (viewport.get() / h).ceil() as usize + 2 * OVERSCAN;
        let start = first.min(n);
        (start, (start + count).min(n))
    });
    let (copied, set_copied) = signal(None::<String>);
    // A clipboard write that ends after the table is gone must not touch its signals.
    let copy_tasks = TaskScope::default();
    on_cleanup({
        let t = copy_tasks.clone();
        move || t.cancel_all()
    });
    let names = files.clone();
    // The rows in view, keyed by (index, busy, copied, selected): see `rows`.
    let visible = move || {
        let (start, end) = window.get();
        let copied = copied.get();
        selection.with(|picked| {
            states.with(|st| {
                rows.with(|r| {
                    r[start..end]
                        .iter()
                        .map(|&i| {
                            let name = &names[i].file_name;
                            let busy = st.get(name).is_some_and(FileState::is_busy);
                            (i, busy, copied.as_ref() == Some(name), picked.contains(i))
                        })
                        .collect::<Vec<_>>()
                })
            })
        })
    };
    // Integer pixels: formatting an f64 would pull Rust's float printer in (size lead L20).
    let px = move |rows: usize| format!("{}px", (rows as f64 * row_height.get()) as u64);
    let top_pad = move || px(window.get().0);
    let bottom_pad = move || {
        let n = rows.with(Vec::len);
        px(n - window.get().1)
    };
    let shown = move || rows.with(Vec::len);

    // The rows themselves are DOM built by `rows`, redrawn when the window, the order, a
    // busy flag or the copied hash changes.
    let body = NodeRef::<html::Tbody>::new();
    let bottom = NodeRef::<html::Tr>::new();
    let drawn = StoredValue::new_local(Rows::default());
    let row_files = files.clone();
    Effect::new(move |_| {
        let keys = visible();
        let first_row = window.with(|w| w.0) + 2;
        if let (Some(body), Some(bottom)) = (body.get(), bottom.get()) {
            drawn.update_value(|d| d.show(&body, &bottom, &row_files, &keys, first_row));
        }
    });
    // One listener for every row's buttons.
    let click_files = files.clone();
    let on_body_click = move |ev: web_sys::MouseEvent| {
        let Some(target) = ev.target() else { return };
        match rows::action(&target) {
            Some(Action::Delete(i)) => confirm.set(Some(click_files[i].clone())),
            Some(Action::Select(i)) => selection.update(|s| s.toggle(i)),
            Some(Action::Copy(i)) => {
                let f = &click_files[i];
                let (sha, name) = (f.sha256.clone(), f.file_name.clone());
                copy_tasks.spawn(async move {
                    if browser::copy_text(&sha).await.is_ok() {
                        set_copied.set(Some(name));
                    }
                });
            }
            None => {}
        }
    };

    // The sort headers, drawn with the DOM like the rows (a `view!` per header cell weighed
    // more: size lead L11): built once, their `aria-sort` and arrow kept in step with the sort.
    let head = NodeRef::<html::Tr>::new();
    Effect::new(move |_| {
        let s = sort.get();
        let Some(tr) = head.get() else { return };
        // Only the Actions cell is there until the other cells are built.
        if tr.first_element_child() == tr.last_element_child() {
            rows::build_sort_headers(&tr);
        }
        rows::show_sort(&tr, s);
    });
    // "Select all shown" (drawn with the sort headers; a `view!` checkbox with a reactive
    // `checked` weighed more: size lead L49): ticked when every row the filter shows is selected.
    Effect::new(move |_| {
        let all = selection.with(|s| rows.with(|r| s.has_all(r)));
        if let Some(b) = head.get().and_then(|tr| rows::select_all_box(&tr)) {
            b.set_checked(all);
        }
    });
    let on_head_click = move |ev: web_sys::MouseEvent| {
        let Some(target) = ev.target() else { return };
        if let Some(key) = rows::sort_key_clicked(&target) {
            perf::measure_to_next_paint("mde:sort", "mde:sort-start");
            sort.update(|s| *s = s.clicked(key));
        } else if let Some(on) = rows::select_all_clicked(&target) {
            // Ticking selects every row shown (10,000 too); unticking unselects them.
            rows.with_untracked(|r| selection.update(|s| s.set_all(r, on)));
        }
    };

    view! {
        <p class="count" aria-live="polite">
            {move || {
                let (n, total) = (shown(), total());
                let mut text = if n == total {
                    format!("{total} files")
                } else {
                    format!("Showing {n} of {total} files")
                };
                if unreadable > 0 {
                    text += &format!(
                        "; {unreadable} entries of the list could not be read and are not shown"
                    );
                }
                text
            }}
        </p>
        <div class="table-scroll" node_ref=scroller on:scroll=move |_| measure(false)>
            <table class="library" aria-label="Live response library" aria-rowcount=move || shown() + 1>
                <thead>
                    <tr aria-rowindex="1" node_ref=head on:click=on_head_click>
                        <th scope="col" class="col-actions">"Actions"</th>
                    </tr>
                </thead>
                <tbody node_ref=body on:click=on_body_click>
                    <tr class="spacer" aria-hidden="true" style:height=top_pad></tr>
                    <tr class="spacer" aria-hidden="true" node_ref=bottom style:height=bottom_pad></tr>
                </tbody>
            </table>
            {move || (shown() == 0).then(|| view! {
                <p class="empty">
                    {if total() == 0 { "The library is empty." } else { "No file matches the filter." }}
                </p>
            })}
        </div>
    }
}
