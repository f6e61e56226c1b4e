//! Changing the library: deleting one file (its confirmation dialog and workflow), deleting
//! or uploading many (the selection's bar, the typed confirmation, the Upload dialog, a run's
//! progress, controls and summary), and the activity trail.
//! The workflows are in [`crate::workflow`]; this starts them and renders
//! their state, and every file's outcome goes through one report (row, outcome line, event).
//!
//! Loaded on demand: [`load`] is a split point (`wasm_split`, fallible, in the Trunk build,
//! feature `split`), so this code and the workflows' are a wasm chunk fetched the first time
//! a Delete button is pressed, a file is ticked, or Upload or Activity is opened, outside the
//! first load's budget (bulk delete alone weighed too much for it: see size lead L16,
//! bench/size-leads.md). Everything it needs from the panel comes in one [`ChangesDeps`].
//!
//! The bulk parts are drawn with the DOM, like the rows: the same markup as `view!` trees
//! weighed more (size lead L51). Each part is built once; an effect sets its texts and
//! attributes; one delegated click listener serves its buttons (`data-bulk`). Text is only
//! ever set with `textContent`.

mod activity_trail;
mod apply_run;
mod bulk_bar;
mod controller;
mod drift_check;
mod folder_plan;
mod run_progress;
mod upload_dialog;
mod upload_run;
mod view_only_note;

use activity_trail::ActivityTrail;
use apply_run::{ApplyCall, ApplyRequest};
pub use bulk_bar::BulkBar;
use controller::{line, Changes};
use drift_check::DriftCheck;
use folder_plan::FolderPlan;
pub use run_progress::{BulkProgress, BulkRun};
use upload_dialog::UploadDialog;
use upload_run::Uploads;
use view_only_note::ViewOnlyNote;

use std::rc::Rc;

use leptos::prelude::*;

use crate::activity::Events;
use crate::service::LibraryService;
use crate::tasks::TaskScope;

pub use crate::components::state::{LoadedList, PanelState};

/// What changing the library needs from the panel: its state, and the handles that are not
/// signals. The chunk provides `state` as context to its views.
pub struct ChangesDeps {
    /// Where the bulk parts and the dialog go.
    pub slot: web_sys::HtmlElement,
    /// The panel's signals.
    pub state: PanelState,
    /// The API, token and rate gate.
    pub service: LibraryService,
    /// The panel's tasks: deletes end with the panel.
    pub tasks: TaskScope,
    /// Where each change is reported to the embedding portal.
    pub events: Events,
    /// Reloads the list.
    pub refresh: Rc<dyn Fn()>,
}

/// The mounted parts; dropping it unmounts them.
pub struct Mounted(#[allow(dead_code)] Box<dyn std::any::Any>);

/// Where loading stands, kept by the panel.
pub enum Loading {
    /// The chunk is on its way.
    Started,
    /// Drawn.
    Mounted(Mounted),
    /// The chunk did not load; the next request for it tries again.
    Failed,
}

/// The chunk could not be fetched or instantiated: the network failed, its integrity check
/// failed, or a deploy replaced it since the page was opened. A later call tries again.
pub type LoadError = leptos::wasm_split::SplitLoaderError;

/// Loads this chunk (on demand in the Trunk build) and mounts it into `deps.slot`.
pub async fn load(deps: ChangesDeps) -> Result<Mounted, LoadError> {
    #[cfg(feature = "split")]
    {
        mount(deps).await
    }
    #[cfg(not(feature = "split"))]
    {
        mount(deps)
    }
}

// `fallible`: a chunk that fails to load is an `Err` for the panel to report. Leptos' own
// `#[lazy]` panics instead, and a panic aborts the whole wasm module: the page would die on
// the first Delete click after every deploy that replaced the chunk.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(changes, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount(deps: ChangesDeps) -> Result<Mounted, LoadError> {
    let slot = deps.slot.clone();
    Ok(Mounted(Box::new(leptos::mount::mount_to(
        slot,
        move || {
            view! { <Changes deps=deps/> }
        },
    ))))
}
