//! The **Check setup** view: every check of [`crate::setup`] with pass or fail and the fix,
//! run on demand. Drawn by the sign-in chunk ([`crate::auth::windows::Job::Setup`]): a split
//! point of its own would add its loader entries to the first load (size leads L41, L67),
//! and Check setup is about the sign-in and its setting anyway.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::AppConfig;
use crate::service::LibraryService;
use crate::setup::{Check, Verdict};
use crate::tasks::TaskScope;

/// What Check setup needs from the shell.
pub struct SetupDeps {
    /// The button that opened it: the view is drawn after its paragraph, and its
    /// `aria-expanded` follows the view.
    pub opener: web_sys::Element,
    /// The configuration the page runs with.
    pub cfg: AppConfig,
    /// The signed-in session's service; `None` signed out.
    pub service: Option<LibraryService>,
    /// Closes the view (the shell drops [`Mounted`], after the click that asked it).
    pub on_close: Rc<dyn Fn()>,
}

/// The mounted view; dropping it unmounts it and removes its place.
pub struct Mounted {
    place: web_sys::Element,
    _view: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.place.remove();
    }
}

/// Mounts the view in a place of its own after the opener's paragraph; `None` when the
/// opener is no longer in the page.
pub fn mount(deps: SetupDeps) -> Option<Mounted> {
    let anchor = deps.opener.parent_element()?;
    let place = anchor.owner_document()?.create_element("div").ok()?;
    anchor.after_with_node_1(&place).ok()?;
    let view = leptos::mount::mount_to(place.clone().unchecked_into(), move || {
        view! { <CheckSetup deps=deps/> }
    });
    Some(Mounted {
        place,
        _view: Box::new(view),
    })
}

/// One check as a line: "Pass: …", "Fail: …. The fix", "Not checked: … (why)".
fn line(c: &Check) -> (&'static str, String) {
    match &c.verdict {
        Verdict::Pass => ("pass", format!("Pass: {}", c.name)),
        Verdict::Fail(fix) => ("fail", format!("Fail: {}. {fix}", c.name)),
        Verdict::Skipped(why) => ("skipped", format!("Not checked: {} ({why})", c.name)),
    }
}

/// "5 passed, 1 failed, 2 not checked."
pub fn summary(checks: &[Check]) -> String {
    let count = |f: fn(&Verdict) -> bool| checks.iter().filter(|c| f(&c.verdict)).count();
    let failed = count(|v| matches!(v, Verdict::Fail(_)));
    let mut s = format!(
        "{} passed, {failed} failed, {} not checked.",
        count(|v| *v == Verdict::Pass),
        count(|v| matches!(v, Verdict::Skipped(_)))
    );
    if failed == 0 {
        s.push_str(" Nothing to fix.");
    }
    s
}

#[component]
fn CheckSetup(deps: SetupDeps) -> impl IntoView {
    let SetupDeps {
        cfg,
        service,
        on_close,
        opener,
        ..
    } = deps;
    let checks = RwSignal::new(None::<Vec<Check>>);
    // The checks end with the view: none touches its signals after Close.
    let tasks = TaskScope::default();
    let expanded = move |on: bool| {
        let _ = opener.set_attribute("aria-expanded", if on { "true" } else { "false" });
    };
    expanded(true);
    on_cleanup({
        let tasks = tasks.clone();
        move || {
            tasks.cancel_all();
            expanded(false);
        }
    });
    let run = move || {
        checks.set(None);
        let (cfg, service) = (cfg.clone(), service.clone());
        #[cfg(target_arch = "wasm32")]
        tasks.spawn(async move {
            let found = crate::setup::probe::run(&cfg, service.as_ref()).await;
            checks.set(Some(found));
        });
        #[cfg(not(target_arch = "wasm32"))]
        let _ = (&tasks, cfg, service);
    };
    run();
    view! {
        <section class="drift setup" aria-labelledby="setup-title">
            <h3 id="setup-title">"Check setup"</h3>
            {move || match checks.get() {
                None => view! { <p role="status">"Checking…"</p> }.into_any(),
                Some(list) => view! {
                    <div>
                        <p role="status">{summary(&list)}</p>
                        <ul aria-label="Setup checks">
                            {list.iter().map(|c| {
                                let (class, text) = line(c);
                                view! { <li class=class>{text}</li> }
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
            }}
            <div class="buttons">
                <button type="button" on:click=move |_| run()>"Check again"</button>
                <button type="button" on:click=move |_| on_close()>"Close"</button>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_each_verdict_and_says_when_nothing_is_left_to_fix() {
        let c = |verdict| Check { name: "x", verdict };
        let all = [
            c(Verdict::Pass),
            c(Verdict::Pass),
            c(Verdict::Skipped("why")),
        ];
        assert_eq!(
            summary(&all),
            "2 passed, 0 failed, 1 not checked. Nothing to fix."
        );
        let broken = [c(Verdict::Pass), c(Verdict::Fail("fix".into()))];
        assert_eq!(summary(&broken), "1 passed, 1 failed, 0 not checked.");
        assert_eq!(line(&broken[1]), ("fail", "Fail: x. fix".into()));
        assert_eq!(line(&all[2]).1, "Not checked: x (why)");
    }
}
