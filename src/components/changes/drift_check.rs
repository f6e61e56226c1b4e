//! The drift check: the library as loaded against a baseline the person picks (a report of
//! this panel, or a `library.json` with a `sha256` per file). It changes nothing, so a reader
//! can run it. Written with `view!`; everything shown is text.

use leptos::prelude::*;

use super::PanelState;
use crate::js;
use crate::sync::drift::{check, Drift, DriftRow};
use crate::sync::report::Baseline;
use crate::tasks::TaskScope;

/// What the check found, or why it compared nothing.
type Found = Result<Vec<DriftRow>, String>;

/// The first characters of a SHA-256, enough to tell two apart on screen.
fn short(sha: &Option<String>) -> String {
    sha.as_deref()
        .map(|s| s.get(..12).unwrap_or(s).to_string())
        .unwrap_or_else(|| "none".into())
}

/// The summary line: "1 differs, 1 missing, 1 not in the baseline, 17 the same."
pub fn summary(rows: &[DriftRow]) -> String {
    let n = |d: Drift| rows.iter().filter(|r| r.drift == d).count();
    let (differs, missing, new, same) = (
        n(Drift::Differs),
        n(Drift::Missing),
        n(Drift::NotInBaseline),
        n(Drift::Same),
    );
    if differs + missing + new == 0 {
        return format!("No drift: all {same} files are as in the baseline.");
    }
    format!(
        "{differs} {}, {missing} missing, {new} not in the baseline, {same} the same.",
        if differs == 1 { "differs" } else { "differ" }
    )
}

/// One line per file that drifted.
fn line(r: &DriftRow) -> String {
    match r.drift {
        Drift::Differs => format!(
            "{}: differs (baseline {}, library {})",
            r.name,
            short(&r.expected),
            short(&r.actual)
        ),
        Drift::Missing => format!("{}: missing from the library", r.name),
        Drift::NotInBaseline => format!("{}: not in the baseline", r.name),
        Drift::Same => format!("{}: the same", r.name),
    }
}

/// The section: pick a baseline, read the result.
#[component]
pub(super) fn DriftCheck(
    /// The panel's signals.
    state: PanelState,
    /// Reading the picked file ends with the panel.
    tasks: TaskScope,
    /// The signed-in tenant, when known.
    tenant: Option<String>,
) -> impl IntoView {
    let PanelState {
        files,
        show_drift: shown,
        ..
    } = state;
    let found = RwSignal::new(None::<Found>);
    let on_pick = move |ev: web_sys::Event| {
        let input = js::get(&ev.target().map(Into::into).unwrap_or_default(), "files");
        let file = js::get(&input, "0");
        if file.is_undefined() || file.is_null() {
            return;
        }
        let tenant = tenant.clone();
        tasks.spawn(async move {
            let text = match js::call(&file, "text", &[]) {
                Ok(p) => wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(p))
                    .await
                    .ok()
                    .and_then(|t| t.as_string()),
                Err(_) => None,
            };
            let result = match text {
                None => Err("The file could not be read.".to_string()),
                Some(text) => Baseline::parse(&text)
                    .map_err(|e| e.to_string())
                    .and_then(|b| {
                        let library = files.with_untracked(|f| {
                            f.as_ref()
                                .map(|(l, _)| l.as_ref().clone())
                                .unwrap_or_default()
                        });
                        check(&b, &library, tenant.as_deref()).map_err(|e| e.to_string())
                    }),
            };
            found.set(Some(result));
        });
    };
    view! {
        <section class="drift" aria-labelledby="drift-title" hidden=move || !shown.get()>
            <h3 id="drift-title">"Drift check"</h3>
            <p>"Compare the library as loaded with a baseline: a report this panel saved, or a library.json that lists a sha256 per file. Nothing is changed."</p>
            <label>
                "Baseline (a report or library.json)"
                <input type="file" accept=".json,application/json" on:change=on_pick/>
            </label>
            {move || found.get().map(|r| match r {
                Err(why) => leptos::either::Either::Left(view! { <p role="alert">{why}</p> }),
                Ok(rows) => {
                    let drifted: Vec<String> = rows
                        .iter()
                        .filter(|r| r.drift != Drift::Same)
                        .map(line)
                        .collect();
                    leptos::either::Either::Right(view! {
                        <p role="status">{summary(&rows)}</p>
                        <ul class="drifted" aria-label="Files that drifted">
                            {drifted.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                        </ul>
                    })
                }
            })}
        </section>
    }
}
