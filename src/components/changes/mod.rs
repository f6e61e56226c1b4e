//! Changing the library: deleting one file (its confirmation dialog and workflow), deleting
//! or uploading many (the selection's bar, the typed confirmation, the Upload dialog, a run's
//! progress, controls and summary), and the activity trail.
//! The workflows are in [`crate::workflow`]; this starts them and renders
//! their state, and every file's outcome goes through one report (row, outcome line, event).
//!
//! Loaded on demand: [`load`] is a split point (`wasm_split`, fallible, in the Trunk build,
//! feature `split`), so this code and the workflows' are a wasm chunk fetched the first time
//! a Delete button is pressed, a file is ticked, or Upload or Activity is opened, outside the
//! first load's budget (measured: bulk delete alone weighed 19.8 KB gzip). Everything it
//! needs from the panel comes in one [`Context`].
//!
//! The bulk parts are drawn with the DOM, like the rows: the same markup as `view!` trees
//! measured several KB more. Each part is built once; an effect sets its texts and
//! attributes; one delegated click listener serves its buttons (`data-bulk`). Text is only
//! ever set with `textContent`.

mod activity_trail;
mod bulk_bar;
mod controller;
mod run_progress;
mod upload_dialog;
mod upload_run;

use activity_trail::ActivityTrail;
pub use bulk_bar::BulkBar;
use controller::{line, Changes};
pub use run_progress::{BulkProgress, BulkRun};
use upload_dialog::UploadDialog;
use upload_run::Uploads;

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use mde_wire::LibraryFile;

use crate::activity::{Activity, Events};
use crate::components::outcomes::Notice;
use crate::listing::Selection;
use crate::names::NameMap;
use crate::service::LibraryService;
use crate::tasks::TaskScope;
use crate::workflow::FileState;

/// The list as last loaded, with its count of unreadable entries (the panel's).
pub type LoadedList = RwSignal<Option<(Arc<Vec<LibraryFile>>, usize)>, LocalStorage>;

/// What changing the library needs from the panel.
pub struct Context {
    /// Where the bulk parts and the dialog go.
    pub slot: web_sys::HtmlElement,
    /// The API, token and rate gate.
    pub service: LibraryService,
    /// The panel's tasks: deletes end with the panel.
    pub tasks: TaskScope,
    /// The file whose Delete button was pressed.
    pub confirm: RwSignal<Option<LibraryFile>>,
    /// The files ticked in the table.
    pub selection: RwSignal<Selection>,
    /// The list as loaded.
    pub files: LoadedList,
    /// One record per file acted on: rows and outcome lines render from it.
    pub states: RwSignal<NameMap<FileState>>,
    /// The outcome lines.
    pub outcomes: RwSignal<Vec<Notice>>,
    /// Where each change is reported to the embedding portal.
    pub events: Events,
    /// Until when calls wait for the client-side budget.
    pub on_budget: WriteSignal<Option<u64>>,
    /// Raised when only a new sign-in helps; lowered once signed in again.
    pub sign_in_needed: RwSignal<bool>,
    /// Set while a bulk run is going on ("Sign in again" then keeps the page).
    pub run_active: RwSignal<bool>,
    /// Every change while the page is open (the shell's).
    pub trail: RwSignal<Vec<Activity>>,
    /// Whether the Activity section is open.
    pub show_activity: RwSignal<bool>,
    /// Whether the Upload dialog is open.
    pub show_upload: RwSignal<bool>,
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

/// Loads this chunk (on demand in the Trunk build) and mounts it into `ctx.slot`.
pub async fn load(ctx: Context) -> Result<Mounted, LoadError> {
    #[cfg(feature = "split")]
    {
        mount(ctx).await
    }
    #[cfg(not(feature = "split"))]
    {
        mount(ctx)
    }
}

// `fallible`: a chunk that fails to load is an `Err` for the panel to report. Leptos' own
// `#[lazy]` panics instead, and a panic aborts the whole wasm module: the page would die on
// the first Delete click after every deploy that replaced the chunk.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(changes, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn mount(ctx: Context) -> Result<Mounted, LoadError> {
    let slot = ctx.slot.clone();
    Ok(Mounted(Box::new(leptos::mount::mount_to(
        slot,
        move || {
            view! { <Changes ctx=ctx/> }
        },
    ))))
}
