//! A run's progress: its bar, status line, Pause, Resume, Cancel and, at the end, what failed
//! with **Retry failed**. Drawn with the DOM (see the chunk's module doc).

use std::rc::Rc;

use leptos::callback::UnsyncCallback;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::api::Upload;
use crate::components::dom::{attr, button, clicked, el};
use crate::wording::{bulk_canceling, bulk_status, reason};
use crate::workflow::run::{Kind, Progress, RunControl, RunState};

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
                    Kind::Apply => "Apply the plan",
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
