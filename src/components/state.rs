//! The panel's state: one typed set of signals, `Copy`, built by the panel and provided as
//! context inside the on-demand chunk (the todomvc shape; `expect` is thaw's `expect_use`).
//! The chunk is mounted with its own `mount_to` (a new reactive root), so the panel hands the
//! set over in [`crate::components::changes::ChangesDeps`] and the chunk provides it there.

use std::sync::Arc;

use leptos::prelude::*;
use mde_wire::LibraryFile;

use crate::activity::Activity;
use crate::components::outcomes::Notice;
use crate::listing::Selection;
use crate::names::NameMap;
use crate::workflow::FileState;

/// The list as last loaded, with its count of unreadable entries.
pub type LoadedList = RwSignal<Option<(Arc<Vec<LibraryFile>>, usize)>, LocalStorage>;

/// Every signal the panel and the chunk share.
#[derive(Clone, Copy)]
pub struct PanelState {
    /// The list as loaded.
    pub files: LoadedList,
    /// The files ticked in the table.
    pub selection: RwSignal<Selection>,
    /// One record per file acted on: rows and outcome lines render from it.
    pub states: RwSignal<NameMap<FileState>>,
    /// The file whose Delete button was pressed.
    pub confirm: RwSignal<Option<LibraryFile>>,
    /// The outcome lines.
    pub outcomes: RwSignal<Vec<Notice>>,
    /// Every change while the page is open (the shell's, across sign-ins).
    pub trail: RwSignal<Vec<Activity>>,
    /// Whether the Activity section is open.
    pub show_activity: RwSignal<bool>,
    /// Whether the Upload dialog is open.
    pub show_upload: RwSignal<bool>,
    /// Whether the drift check is open.
    pub show_drift: RwSignal<bool>,
    /// Whether planning from a folder is open.
    pub show_sync: RwSignal<bool>,
    /// Raised when only a new sign-in helps; lowered once signed in again.
    pub sign_in_needed: RwSignal<bool>,
    /// Set while a bulk run is going on ("Sign in again" then keeps the page).
    pub run_active: RwSignal<bool>,
    /// Until when calls wait for the client-side budget.
    pub budget_until: RwSignal<Option<u64>>,
}

impl PanelState {
    /// Makes the set reachable by [`PanelState::expect`] below the current owner.
    pub fn provide(self) {
        provide_context(self);
    }

    /// The set provided above. A component that calls it is only ever drawn below
    /// [`PanelState::provide`] (the chunk's root), so a missing one is a programming error.
    pub fn expect() -> Self {
        expect_context::<Self>()
    }
}
