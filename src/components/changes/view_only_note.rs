//! Why the panel is view-only, and for a 403, **Check again** once the role is granted. The
//! panel sets `data-view-only`, which takes the change controls away at once (style/main.css);
//! the words are here, in the chunk the panel loads as soon as it is view-only.

use std::rc::Rc;

use leptos::prelude::*;

use super::PanelState;
use crate::components::state::ViewOnly;
use crate::wording::{VIEW_ONLY_FORBIDDEN, VIEW_ONLY_MISSING_SCOPE};

#[component]
pub(super) fn ViewOnlyNote(
    /// The panel's signals.
    state: PanelState,
    /// Reads the list again.
    refresh: Rc<dyn Fn()>,
) -> impl IntoView {
    let view_only = state.view_only;
    // A handle: the view's closure must be `Send`, and the reload is not.
    let refresh = StoredValue::new_local(refresh);
    move || {
        view_only.get().map(|why| {
            let again = (why == ViewOnly::Forbidden).then(|| {
                view! {
                    <button type="button" on:click=move |_| {
                        view_only.set(None);
                        refresh.with_value(|r| r());
                    }>"Check again"</button>
                }
            });
            let text = match why {
                ViewOnly::MissingScope => VIEW_ONLY_MISSING_SCOPE,
                ViewOnly::Forbidden => VIEW_ONLY_FORBIDDEN,
            };
            view! { <p class="view-only" role="status">{text} {again}</p> }
        })
    }
}
