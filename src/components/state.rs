//! The panel's state: one typed set of signals, `Copy`, built by the panel and handed to the
//! on-demand chunk in [`crate::components::changes::ChangesDeps`], whose views take it as one
//! prop. Not Leptos context: `provide_context`/`expect_context` weighed 0.9 KB on the first
//! load for what one `Copy` prop does (size lead L58, bench/size-leads.md).

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
    /// Set when changes cannot work: the change controls are then not offered. `None`
    /// (everything offered) whenever nothing says so, an unreadable token included.
    pub view_only: RwSignal<Option<ViewOnly>>,
}

/// Why the panel offers no change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewOnly {
    /// The access token's `scp` lacks `Library.Manage`: the app's registration lacks the
    /// delegated permission, or its admin consent.
    MissingScope,
    /// The API answered a change with 403 (most often: the account lacks the Defender role,
    /// which no token says). "Check again" clears it and reloads the list.
    Forbidden,
}
