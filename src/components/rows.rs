//! The table's visible rows, built with the DOM directly rather than with `view!`.
//!
//! The row markup as Leptos views (keyed `For`, a component per row, ten cells with reactive
//! attributes) weighed more in the wasm: see size lead L9 (bench/size-leads.md). Here each
//! row is a handful of `createElement` calls, one click listener on the `<tbody>` serves
//! every button (event delegation), and text is only ever set with `textContent`, so
//! anything the API sends stays text.
//!
//! Rows are keyed by (file index, busy, copied, selected): a scroll or a filter keeps the rows
//! that stay in view and builds only the new ones; a row whose file becomes busy, copied or
//! ticked is rebuilt alone.

use mde_wire::LibraryFile;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use crate::browser;
use crate::components::dom::{el, Keyed};
use crate::listing::{file_type, is_sha256, short_sha, Sort, SortKey};

/// What a row shows: the file (index in the load) and its flags: busy, copied, selected.
pub type Key = (usize, bool, bool, bool);

/// What a click in the body asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The row's Delete button.
    Delete(usize),
    /// The row's Copy button.
    Copy(usize),
    /// The row's checkbox.
    Select(usize),
}

/// The rows currently in a `<tbody>`, between its two spacer rows.
#[derive(Default)]
pub struct Rows(Keyed<Key>);

impl Rows {
    /// Makes `body` show `keys` (in order), numbering them from `first_row` for
    /// `aria-rowindex`. Rows whose key is unchanged stay in place, untouched.
    pub fn show(
        &mut self,
        body: &Element,
        bottom_spacer: &Element,
        files: &[LibraryFile],
        keys: &[Key],
        first_row: usize,
    ) {
        let Some(doc) = body.owner_document() else {
            return;
        };
        if self.0.is_empty() {
            // A fresh table may be given the `<tbody>` of the one it replaces (Leptos rebuilds
            // in place): rows drawn there before are not ours to keep.
            while let Some(stale) = bottom_spacer.previous_element_sibling() {
                if stale.get_attribute("data-i").is_none() {
                    break;
                }
                stale.remove();
            }
        }
        let top_spacer = body.first_element_child();
        self.0.show(
            body,
            top_spacer.as_ref(),
            Some(bottom_spacer),
            keys,
            |key| build(&doc, &files[key.0], *key),
            |el, n| {
                let _ = el.set_attribute("aria-rowindex", &(first_row + n).to_string());
            },
        );
    }
}

/// The action of a click on `target`, if it hit one of the rows' buttons.
pub fn action(target: &web_sys::EventTarget) -> Option<Action> {
    let button = target.dyn_ref::<Element>()?.closest("[data-act]").ok()??;
    let index = button
        .closest("tr")
        .ok()??
        .get_attribute("data-i")?
        .parse()
        .ok()?;
    match button.get_attribute("data-act")?.as_str() {
        "delete" => Some(Action::Delete(index)),
        "copy" => Some(Action::Copy(index)),
        "select" => Some(Action::Select(index)),
        _ => None,
    }
}

/// Puts "Select all shown", then one sortable header cell per column, before the header
/// row's last cell (Actions).
pub fn build_sort_headers(tr: &Element) {
    let Some(doc) = tr.owner_document() else {
        return;
    };
    let actions = tr.last_element_child();
    let pick = el(&doc, "th", "col-pick", "");
    let _ = pick.set_attribute("scope", "col");
    let all = el(&doc, "input", "", "");
    let _ = all.set_attribute("type", "checkbox");
    let _ = all.set_attribute("data-all", "");
    let _ = all.set_attribute("aria-label", "Select all shown");
    let _ = pick.append_child(&all);
    let _ = tr.insert_before(&pick, actions.as_deref());
    for (i, key) in SortKey::ALL.into_iter().enumerate() {
        let th = el(&doc, "th", key.class(), "");
        let _ = th.set_attribute("scope", "col");
        let b = el(&doc, "button", "sort", key.label());
        let _ = b.set_attribute("type", "button");
        let _ = b.set_attribute("data-sort", &i.to_string());
        let arrow = el(&doc, "span", "arrow", "");
        let _ = arrow.set_attribute("aria-hidden", "true");
        let _ = b.append_child(&arrow);
        let _ = th.append_child(&b);
        let _ = tr.insert_before(&th, actions.as_deref());
    }
}

/// Shows `sort` on the header cells: `aria-sort` and the arrow.
pub fn show_sort(tr: &Element, sort: Sort) {
    // After the "Select all shown" cell.
    let mut th = tr
        .first_element_child()
        .and_then(|c| c.next_element_sibling());
    for key in SortKey::ALL {
        let Some(cell) = th else {
            return;
        };
        let (aria, arrow) = match (sort.key == key, sort.ascending) {
            (false, _) => ("none", ""),
            (true, true) => ("ascending", "▲"),
            (true, false) => ("descending", "▼"),
        };
        let _ = cell.set_attribute("aria-sort", aria);
        // th > button > span.arrow
        if let Some(span) = cell
            .first_element_child()
            .and_then(|b| b.last_element_child())
        {
            span.set_text_content(Some(arrow));
        }
        th = cell.next_element_sibling();
    }
}

/// The "Select all shown" checkbox of the header row.
pub fn select_all_box(tr: &Element) -> Option<web_sys::HtmlInputElement> {
    tr.query_selector("input[data-all]").ok()??.dyn_into().ok()
}

/// Whether a click hit "Select all shown", and its new state.
pub fn select_all_clicked(target: &web_sys::EventTarget) -> Option<bool> {
    let input = target.dyn_ref::<web_sys::HtmlInputElement>()?;
    input.has_attribute("data-all").then(|| input.checked())
}

/// The column whose sort button a click hit, if any.
pub fn sort_key_clicked(target: &web_sys::EventTarget) -> Option<SortKey> {
    let b = target
        .dyn_ref::<Element>()?
        .closest("button[data-sort]")
        .ok()??;
    SortKey::ALL
        .get(b.get_attribute("data-sort")?.parse::<usize>().ok()?)
        .copied()
}

/// A cell whose full text is also its tooltip (cells cut long text with an ellipsis).
fn text_cell(doc: &Document, class: &str, text: &str) -> Element {
    let td = el(doc, "td", class, text);
    if !text.is_empty() {
        let _ = td.set_attribute("title", text);
    }
    td
}

/// Local time, with the full UTC time on hover.
fn time_cell(doc: &Document, iso: &str) -> Element {
    let (local, utc) =
        browser::local_and_utc(iso).unwrap_or_else(|| (iso.to_string(), iso.to_string()));
    let td = el(doc, "td", "", "");
    let time = el(doc, "time", "", &local);
    let _ = time.set_attribute("datetime", iso);
    let _ = time.set_attribute("title", &utc);
    let _ = td.append_child(&time);
    td
}

fn button(doc: &Document, class: &str, act: &str, label: &str, text: &str) -> Element {
    let b = el(doc, "button", class, text);
    let _ = b.set_attribute("type", "button");
    let _ = b.set_attribute("data-act", act);
    let _ = b.set_attribute("aria-label", label);
    b
}

/// Parameters as one short phrase.
pub fn params_text(f: &LibraryFile) -> String {
    let d = f.parameters_description.as_deref().unwrap_or_default();
    match (f.has_parameters, d.is_empty()) {
        (true, false) => format!("Yes: {d}"),
        (true, true) => "Yes".into(),
        (false, false) => format!("No ({d})"),
        (false, true) => "No".into(),
    }
}

fn build(doc: &Document, f: &LibraryFile, (index, busy, copied, selected): Key) -> Element {
    let name = f.file_name.as_str();
    let tr = el(doc, "tr", if busy { "pending" } else { "" }, "");
    let _ = tr.set_attribute("data-i", &index.to_string());
    let pick = el(doc, "td", "pick", "");
    let check = el(doc, "input", "", "");
    let _ = check.set_attribute("type", "checkbox");
    let _ = check.set_attribute("data-act", "select");
    let _ = check.set_attribute("aria-label", &format!("Select {name}"));
    if selected {
        let _ = check.set_attribute("checked", "");
    }
    if busy {
        let _ = check.set_attribute("disabled", "");
    }
    let _ = pick.append_child(&check);
    let th = el(doc, "th", "name", name);
    let _ = th.set_attribute("scope", "row");
    let _ = th.set_attribute("title", name);
    let sha = el(doc, "td", "sha", "");
    if is_sha256(&f.sha256) {
        let code = el(doc, "code", "", short_sha(&f.sha256));
        let _ = code.set_attribute("title", &f.sha256);
        let copy = button(
            doc,
            "copy",
            "copy",
            &format!("Copy SHA-256 of {name}"),
            if copied { "Copied" } else { "Copy" },
        );
        let _ = sha.append_with_node_2(&code, &copy);
    } else {
        let bad = el(doc, "span", "invalid", "invalid");
        let _ = bad.set_attribute("title", "The API sent a value that is not a SHA-256");
        let _ = sha.append_child(&bad);
    }
    let actions = el(doc, "td", "actions", "");
    let delete = button(
        doc,
        "delete",
        "delete",
        &format!("Delete {name}"),
        if busy { "Deleting…" } else { "Delete" },
    );
    let _ = delete.set_attribute("aria-busy", if busy { "true" } else { "false" });
    if busy {
        let _ = delete.set_attribute("disabled", "");
    }
    let _ = actions.append_child(&delete);
    let cells = [
        pick,
        th,
        el(doc, "td", "type", &file_type(name)),
        text_cell(
            doc,
            "description",
            f.description.as_deref().unwrap_or_default(),
        ),
        text_cell(doc, "params", &params_text(f)),
        text_cell(
            doc,
            "created-by",
            f.created_by.as_deref().unwrap_or_default(),
        ),
        time_cell(doc, &f.creation_time),
        time_cell(doc, &f.last_updated_time),
        sha,
        actions,
    ];
    for c in &cells {
        let _ = tr.append_child(c);
    }
    tr
}
