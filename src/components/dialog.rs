//! The delete confirmation: a native modal `<dialog>`, so focus trapping, Escape and the
//! return of focus to the row's button come from the browser.

use leptos::callback::UnsyncCallback;
use leptos::html;
use leptos::prelude::*;
use mde_wire::LibraryFile;

use crate::listing::is_sha256;

/// Asks to confirm deleting `target`; Delete runs `on_confirm`, Cancel or Escape closes.
#[component]
pub fn ConfirmDelete(
    /// The file to confirm; `None` keeps the dialog closed.
    target: RwSignal<Option<LibraryFile>>,
    /// Runs with the file when Delete is pressed.
    on_confirm: UnsyncCallback<LibraryFile>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let cancel_button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        let open = target.with(Option::is_some);
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                let _ = d.show_modal();
                // Cancel first: the safe choice is the default one.
                if let Some(b) = cancel_button.get() {
                    let _ = b.focus();
                }
            } else if !open && d.open() {
                d.close();
            }
        }
    });
    // One reactive block for the whole text: fewer reactive nodes, less wasm.
    let body = move || {
        target.get().map(|f| {
            view! {
                <h2 id="confirm-title">"Delete " {f.file_name.clone()} "?"</h2>
                <div id="confirm-body">
                    <p>"File: " <strong>{f.file_name}</strong></p>
                    <p>"SHA-256: " <code class="full-sha">{
                        if is_sha256(&f.sha256) { f.sha256 } else { "not a valid SHA-256 (the API sent something else)".into() }
                    }</code></p>
                    <p class="warning">
                        "This removes the file from the tenant's live response library for every admin. "
                        "It cannot be undone."
                    </p>
                </div>
            }
        })
    };
    let confirm = move |_| {
        if let Some(f) = target.get_untracked() {
            target.set(None);
            on_confirm.run(f);
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="confirm"
            aria-labelledby="confirm-title"
            aria-describedby="confirm-body"
            // Escape fires `cancel`; the browser closes the dialog and restores focus.
            on:cancel=move |_: web_sys::Event| target.set(None)
            on:close=move |_: web_sys::Event| target.set(None)
        >
            {body}
            <div class="buttons">
                <button type="button" class="danger" on:click=confirm>"Delete"</button>
                <button type="button" node_ref=cancel_button on:click=move |_| target.set(None)>"Cancel"</button>
            </div>
        </dialog>
    }
}
